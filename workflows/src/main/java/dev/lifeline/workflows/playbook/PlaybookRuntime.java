package dev.lifeline.workflows.playbook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeline.workflows.notify.Notification;
import dev.lifeline.workflows.notify.NotificationActivities;
import dev.lifeline.workflows.playbook.PlaybookStatus.DecisionRecord;
import dev.lifeline.workflows.playbook.PlaybookStatus.Finding;
import dev.lifeline.workflows.playbook.PlaybookStatus.PendingApproval;
import dev.lifeline.workflows.playbook.PlaybookStatus.Progress;
import dev.lifeline.workflows.playbook.PlaybookStatus.StepKind;
import dev.lifeline.workflows.playbook.PlaybookStatus.StepOutcome;
import dev.lifeline.workflows.playbook.PlaybookStatus.UndoOutcome;
import dev.lifeline.workflows.playbook.PlaybookStatus.UndoRecord;
import dev.lifeline.workflows.playbook.PlaybookStatus.Via;
import dev.lifeline.workflows.playbook.WorkerEnvironmentActivities.WorkerEnvironment;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one playbook: validates its input, records every step in the status, stops at the
 * {@link ApprovalGate} before destructive steps, keeps the undo log, and on an abort or a failure
 * undoes what was done, in reverse, in a detached cancellation scope. Created in the playbook's
 * {@code @WorkflowInit} constructor so signal and update handlers work from the first event.
 *
 * <p>Typical use inside a playbook's workflow method:
 *
 * <pre>{@code
 * return runtime.execute(() -> {
 *   Backup b = runtime.step("validate", "Validate backup", Backup.class, () -> acts.validate(id));
 *   runtime.requireApproval("restore", "Restore db from " + b.id(), plan);
 *   runtime.registerUndo(new UndoAction("undo-restore", "d1-restore", "Restore the safety backup", params));
 *   runtime.destructiveStep("restore", "Restore", Void.class, () -> { acts.restore(b); return null; });
 *   return report;
 * });
 * }</pre>
 *
 * <p>Continue-as-new: while waiting at a gate, once the history passes the event limit (or the
 * server suggests it) the runtime continues as new with a {@link PlaybookCheckpoint}; the next run
 * re-executes the workflow method, and finished steps return their journaled results without
 * running again, so a playbook can wait days for a decision with a bounded history.
 */
public final class PlaybookRuntime {
  /** Default history length after which a waiting playbook continues as new. */
  public static final int DEFAULT_HISTORY_EVENT_LIMIT = 8000;

  /** Failure type of a playbook stopped by an abort. */
  public static final String ABORTED_FAILURE = "PlaybookAborted";

  /** Failure type of a playbook stopped by an error. */
  public static final String FAILED_FAILURE = "PlaybookFailed";

  private static final ObjectMapper JOURNAL_MAPPER =
      JacksonJsonPayloadConverter.newDefaultObjectMapper();
  private static final String GATE_PREFIX = "gate:";

  private final String playbook;
  private final PlaybookInput input;
  private final ApprovalPolicy policy;
  private final Compensator compensator;
  private final int historyEventLimit;
  private final Map<String, String> journal = new LinkedHashMap<>();
  private final List<UndoAction> undoActions = new ArrayList<>();
  private final StatusBoard board;
  private final ApprovalGate gate;
  private final NotificationActivities notifier;
  private final WorkerEnvironmentActivities environment;
  private CancellationScope interruptibleStep;
  private boolean searchAttributes;
  private String completionOutcome;

  /**
   * Creates the runtime; call from the playbook's {@code @WorkflowInit} constructor.
   *
   * @param playbook the workflow type
   * @param input the input as given (may be null or invalid; {@link #execute} reports it)
   * @param checkpoint null on a first run; what the previous run carried over otherwise
   * @param compensator runs undo actions
   */
  public PlaybookRuntime(
      String playbook, PlaybookInput input, PlaybookCheckpoint checkpoint, Compensator compensator) {
    this.playbook = playbook;
    this.input = input;
    this.compensator = compensator;
    ApprovalPolicy given = input == null ? null : input.approval();
    this.policy = given == null ? ApprovalPolicy.defaults() : given.normalized();
    this.historyEventLimit =
        checkpoint == null || checkpoint.historyEventLimit() == null
            ? DEFAULT_HISTORY_EVENT_LIMIT
            : checkpoint.historyEventLimit();
    PlaybookStatus previous = checkpoint == null ? null : checkpoint.status();
    if (checkpoint != null && checkpoint.journal() != null) {
      journal.putAll(checkpoint.journal());
    }
    if (checkpoint != null && checkpoint.undoActions() != null) {
      undoActions.addAll(checkpoint.undoActions());
    }
    this.board =
        new StatusBoard(
            playbook,
            Workflow.getInfo().getWorkflowId(),
            input == null ? null : input.incidentId(),
            input == null ? null : safeTarget(input),
            input == null ? null : input.initiatedBy(),
            policy,
            now(),
            previous);
    this.gate = new ApprovalGate(this, board, policy, input == null ? null : input.initiatedBy());
    this.notifier =
        Workflow.newActivityStub(
            NotificationActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setMaximumAttempts(3)
                        .setInitialInterval(Duration.ofSeconds(2))
                        .build())
                .build());
    this.environment =
        Workflow.newLocalActivityStub(
            WorkerEnvironmentActivities.class,
            LocalActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(10))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(3).build())
                .build());
  }

  private static String safeTarget(PlaybookInput input) {
    try {
      return input.targetLabel();
    } catch (RuntimeException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- running the playbook

  /**
   * Validates the input, runs {@code body}, and finishes the status. On an abort or a failure it
   * runs the registered undo actions (newest first) in a detached cancellation scope and fails
   * the workflow with a non-retryable {@value #ABORTED_FAILURE} or {@value #FAILED_FAILURE}
   * failure whose message says what was undone. Workflow cancellation is treated as an abort and
   * rethrown after undoing, so the run shows as cancelled.
   */
  public <R> R execute(Functions.Func<R> body) {
    try {
      begin();
      R result = body.apply();
      checkAbort();
      finishCompleted();
      return result;
    } catch (PlaybookAbortedException e) {
      throw finishAborted();
    } catch (CanceledFailure e) {
      if (gate.abortRequest() == null) {
        gate.abortBySystem("temporal", "the workflow was cancelled", Via.CANCELLATION);
      }
      finishAborted();
      throw e;
    } catch (TemporalFailure e) {
      throw finishFailed(e);
    }
  }

  private void begin() {
    InputProblems problems = new InputProblems();
    if (input == null) {
      problems.add("input", "is required (a JSON object with at least the target)");
    } else {
      if (input.hasApprovalGates() && policy.initiatorBarred() && blank(input.initiatedBy())) {
        problems.add(
            "initiatedBy",
            "is required while separationOfDuties is true (who started this playbook, so that"
                + " someone else approves it)");
      }
      if (input.approval() != null) {
        input.approval().validate(problems);
      }
      input.validate(problems);
    }
    if (!problems.isEmpty()) {
      String message = "Invalid input for " + playbook + ": " + String.join("; ", problems.list());
      board.finish(PlaybookState.FAILED, message, now());
      problems.throwIfAny(playbook);
    }
    WorkerEnvironment env = environment.describe();
    searchAttributes = env != null && env.searchAttributes();
    if (searchAttributes) {
      List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
      updates.add(LifelineSearchAttributes.PLAYBOOK.valueSet(playbook));
      if (!blank(input.incidentId())) {
        updates.add(LifelineSearchAttributes.INCIDENT.valueSet(input.incidentId()));
      }
      String target = safeTarget(input);
      if (!blank(target)) {
        updates.add(LifelineSearchAttributes.TARGET.valueSet(target));
      }
      updates.add(LifelineSearchAttributes.AWAITING_APPROVAL.valueSet(false));
      Workflow.upsertTypedSearchAttributes(updates.toArray(new SearchAttributeUpdate<?>[0]));
    }
    if (board.pending() == null) {
      board.state(PlaybookState.RUNNING, now());
    }
    refreshDetails();
  }

  private void finishCompleted() {
    Instant now = now();
    for (UndoRecord u : List.copyOf(board.undo())) {
      if (u.outcome() == UndoOutcome.REGISTERED) {
        board.undoEnded(u.id(), UndoOutcome.RELEASED, "not run; kept as the undo handle", now);
      }
    }
    String outcome =
        completionOutcome != null
            ? completionOutcome
            : "Completed " + countSteps(StepOutcome.SUCCEEDED) + " step(s).";
    board.finish(PlaybookState.COMPLETED, outcome, now);
    refreshDetails();
    notifyPeople(Notification.Kind.COMPLETED, playbook + " completed", outcome, null);
  }

  private ApplicationFailure finishAborted() {
    DecisionRecord abort = gate.abortRequest();
    String undone = compensate();
    String message =
        "Aborted by " + abort.by() + ": " + abort.reason() + ". " + undone;
    board.finish(PlaybookState.ABORTED, message, now());
    refreshDetails();
    notifyPeople(Notification.Kind.ABORTED, playbook + " aborted", message, null);
    return ApplicationFailure.newNonRetryableFailure(message, ABORTED_FAILURE);
  }

  private ApplicationFailure finishFailed(TemporalFailure cause) {
    String why = describe(cause);
    if (cause instanceof ApplicationFailure af && InputProblems.FAILURE_TYPE.equals(af.getType())) {
      board.finish(PlaybookState.FAILED, why, now());
      refreshDetails();
      return af;
    }
    String undone = compensate();
    String message = "Failed: " + why + ". " + undone;
    board.finish(PlaybookState.FAILED, message, now());
    refreshDetails();
    notifyPeople(Notification.Kind.FAILED, playbook + " failed", message, null);
    return ApplicationFailure.newNonRetryableFailureWithCause(message, FAILED_FAILURE, cause);
  }

  /** Sets the one-paragraph outcome reported when the playbook completes. */
  public void outcome(String text) {
    this.completionOutcome = text;
  }

  // ---------------------------------------------------------------- steps

  /**
   * Runs a non-destructive step. An abort cancels it at once (activities see the cancellation at
   * their next heartbeat). A step finished in an earlier run returns its journaled result.
   */
  public <T> T step(String id, String title, Class<T> resultType, Functions.Func<T> body) {
    return runStep(id, title, false, resultType, body);
  }

  /** Runs a non-destructive step with no result. */
  public void step(String id, String title, Functions.Proc body) {
    runStep(
        id,
        title,
        false,
        Void.class,
        () -> {
          body.apply();
          return null;
        });
  }

  /**
   * Runs a destructive step. It is never interrupted half way: an abort accepted while it runs
   * takes effect when it ends, and then the undo actions run. Register its undo action first.
   */
  public <T> T destructiveStep(
      String id, String title, Class<T> resultType, Functions.Func<T> body) {
    return runStep(id, title, true, resultType, body);
  }

  private <T> T runStep(
      String id, String title, boolean destructive, Class<T> resultType, Functions.Func<T> body) {
    if (journal.containsKey(id)) {
      return fromJournal(id, resultType);
    }
    checkAbort();
    Instant start = now();
    board.stepStarted(id, title, StepKind.ACTION, destructive, start);
    board.phase(title, start);
    refreshDetails();
    List<T> holder = new ArrayList<>(1);
    CancellationScope scope = Workflow.newCancellationScope(() -> holder.add(body.apply()));
    if (!destructive) {
      interruptibleStep = scope;
    }
    try {
      scope.run();
    } catch (TemporalFailure f) {
      if (gate.abortRequest() != null && isCancellation(f)) {
        board.stepEnded(id, StepOutcome.CANCELLED, "cancelled by the abort", now());
        throw new PlaybookAbortedException("aborted during step '" + id + "'");
      }
      board.stepEnded(id, StepOutcome.FAILED, describe(f), now());
      throw f;
    } finally {
      interruptibleStep = null;
    }
    T result = holder.isEmpty() ? null : holder.get(0);
    board.stepEnded(id, StepOutcome.SUCCEEDED, null, now());
    journal.put(id, toJournal(result));
    return result;
  }

  private static boolean isCancellation(Throwable f) {
    for (Throwable t = f; t != null; t = t.getCause()) {
      if (t instanceof CanceledFailure) {
        return true;
      }
    }
    return false;
  }

  /** Throws if an abort has been accepted; call between steps that have no gate. */
  public void checkAbort() {
    DecisionRecord abort = gate.abortRequest();
    if (abort != null) {
      throw new PlaybookAbortedException("aborted by " + abort.by());
    }
  }

  // ---------------------------------------------------------------- approval

  /**
   * Stops until {@code step} is approved: by the quorum of distinct people, or by the recorded
   * {@code autoApprove} policy. Publishes the pending approval with {@code plan} and its hash.
   *
   * @param step the step id people approve, e.g. {@code restore}
   * @param summary one paragraph: what is about to happen and why
   * @param plan the exact plan
   */
  public void requireApproval(String step, String summary, ApprovalPlan plan) {
    String key = GATE_PREFIX + step;
    if (journal.containsKey(key)) {
      return;
    }
    checkAbort();
    board.phase("Waiting for approval of '" + step + "'", now());
    gate.await(step, summary, plan);
    journal.put(key, PlanHash.of(plan));
    refreshDetails();
  }

  // ---------------------------------------------------------------- undo

  /**
   * Registers an undo action before the destructive call it undoes. Registering the same id again
   * (after continue-as-new) is a no-op.
   */
  public void registerUndo(UndoAction action) {
    if (board.hasUndo(action.id())) {
      return;
    }
    undoActions.add(action);
    List<PlaybookStatus.StepRecord> steps = board.steps();
    String before = null;
    for (int i = steps.size() - 1; i >= 0; i--) {
      if (steps.get(i).kind() == StepKind.APPROVAL) {
        before = steps.get(i).id();
        break;
      }
    }
    board.undoRegistered(
        new UndoRecord(
            action.id(), action.description(), before, now(), UndoOutcome.REGISTERED, null, null));
  }

  long registeredUndoCount() {
    return board.undo().stream().filter(u -> u.outcome() == UndoOutcome.REGISTERED).count();
  }

  /** Runs registered undo actions newest first; returns what was (not) undone, in words. */
  private String compensate() {
    List<UndoAction> toRun = new ArrayList<>();
    for (UndoAction a : undoActions) {
      if (board.undoOutcome(a.id()) == UndoOutcome.REGISTERED) {
        toRun.add(0, a);
      }
    }
    if (toRun.isEmpty()) {
      return "Nothing had been changed, so nothing was undone.";
    }
    board.state(PlaybookState.COMPENSATING, now());
    board.phase("Undoing " + toRun.size() + " change(s)", now());
    refreshDetails();
    List<String> undone = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    // Undo must run even when the workflow itself is being cancelled, hence the detached scope.
    Workflow.newDetachedCancellationScope(
            () -> {
              for (int i = 0; i < toRun.size(); i++) {
                UndoAction a = toRun.get(i);
                String stepId = "undo:" + a.id();
                board.stepStarted(stepId, a.description(), StepKind.UNDO, true, now());
                try {
                  String what = compensator.undo(a);
                  String text = what == null || what.isBlank() ? a.description() : what;
                  board.undoEnded(a.id(), UndoOutcome.UNDONE, text, now());
                  board.stepEnded(stepId, StepOutcome.SUCCEEDED, text, now());
                  undone.add(text);
                } catch (TemporalFailure | IllegalStateException f) {
                  String why = f instanceof TemporalFailure tf ? describe(tf) : f.getMessage();
                  board.undoEnded(a.id(), UndoOutcome.FAILED, why, now());
                  board.stepEnded(stepId, StepOutcome.FAILED, why, now());
                  failed.add(a.description() + " (" + why + ")");
                  for (int j = i + 1; j < toRun.size(); j++) {
                    UndoAction rest = toRun.get(j);
                    board.undoEnded(
                        rest.id(), UndoOutcome.NOT_RUN, "not run: an earlier undo failed", now());
                    failed.add(rest.description() + " (not run)");
                  }
                  break;
                }
              }
            })
        .run();
    StringBuilder text = new StringBuilder();
    if (!undone.isEmpty()) {
      text.append("Undone: ").append(String.join("; ", undone)).append('.');
    }
    if (!failed.isEmpty()) {
      if (text.length() > 0) {
        text.append(' ');
      }
      text.append("UNDO INCOMPLETE, a person must finish it: ")
          .append(String.join("; ", failed))
          .append('.');
      board.warn("undo incomplete: " + String.join("; ", failed), now());
    }
    return text.toString();
  }

  // ---------------------------------------------------------------- status

  /** Sets what the playbook is doing, in words; shown in the status and the Temporal UI. */
  public void phase(String phase) {
    board.phase(phase, now());
    refreshDetails();
  }

  /** Reports progress of the current phase. */
  public void progress(long done, long total, String unit, String message) {
    board.progress(new Progress(done, total, unit, message), now());
  }

  /** Adds a finding (duplicates are ignored). */
  public void finding(String severity, String kind, String summary) {
    board.finding(new Finding(severity, kind, summary), now());
  }

  /** Adds a warning (duplicates are ignored). */
  public void warn(String warning) {
    board.warn(warning, now());
  }

  /** Publishes a named fact (backup id, bookmark, measured RTO...). */
  public void fact(String key, String value) {
    board.fact(key, value, now());
  }

  /** The status as the {@code status} query returns it. */
  public PlaybookStatus status() {
    return board.snapshot();
  }

  /** The normalised approval policy in force. */
  public ApprovalPolicy policy() {
    return policy;
  }

  // ---------------------------------------------------------------- handlers

  /** Handles the {@code approve} signal. */
  public void onApproveSignal(ApproveSignal signal) {
    Decision d =
        signal == null
            ? null
            : Decision.approve(signal.step(), signal.approver(), signal.planHash(), signal.comment());
    onSignal(d);
  }

  /** Handles the {@code abort} signal. */
  public void onAbortSignal(AbortSignal signal) {
    Decision d = signal == null ? null : Decision.abort(signal.by(), signal.reason());
    onSignal(d);
  }

  private void onSignal(Decision d) {
    var refusal = gate.refusal(d);
    if (refusal.isPresent()) {
      gate.refuse(d, refusal.get(), Via.SIGNAL);
    } else {
      gate.accept(d, Via.SIGNAL);
    }
  }

  /** The {@code decide} update's validator: throws with the reason when refused. */
  public void validateDecision(Decision decision) {
    var refusal = gate.refusal(decision);
    if (refusal.isPresent()) {
      throw new IllegalArgumentException(refusal.get());
    }
  }

  /** The {@code decide} update's handler. */
  public DecisionReceipt onDecide(Decision decision) {
    var refusal = gate.refusal(decision);
    if (refusal.isPresent()) {
      // The validator ran in the same workflow task, so this only happens if the state changed
      // between validation and execution; refuse rather than act on a stale judgement.
      throw ApplicationFailure.newNonRetryableFailure(refusal.get(), "DecisionRefused");
    }
    return gate.accept(decision, Via.UPDATE);
  }

  // ---------------------------------------------------------------- collaboration with the gate

  Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }

  String workflowId() {
    return Workflow.getInfo().getWorkflowId();
  }

  void onAbortAccepted() {
    if (interruptibleStep != null) {
      interruptibleStep.cancel("aborted");
    }
    refreshDetails();
  }

  void awaitingApproval(boolean waiting) {
    if (searchAttributes) {
      Workflow.upsertTypedSearchAttributes(
          LifelineSearchAttributes.AWAITING_APPROVAL.valueSet(waiting));
    }
    refreshDetails();
  }

  boolean shouldContinueAsNew() {
    return Workflow.getInfo().getHistoryLength() >= historyEventLimit
        || Workflow.getInfo().isContinueAsNewSuggested();
  }

  void continueAsNew() {
    PlaybookCheckpoint checkpoint =
        new PlaybookCheckpoint(
            historyEventLimit,
            board.snapshot(),
            new LinkedHashMap<>(journal),
            List.copyOf(undoActions));
    Workflow.continueAsNew(input, checkpoint);
  }

  void notifyPeople(Notification.Kind kind, String title, String text, String escalateTo) {
    Notification n =
        new Notification(
            kind,
            playbook,
            workflowId(),
            input == null ? null : input.incidentId(),
            title,
            text,
            escalateTo);
    // Detached: the final notifications of a cancelled workflow must still go out. Delivery is
    // best effort; a lost message becomes a warning, never a failed recovery.
    Workflow.newDetachedCancellationScope(
            () -> {
              try {
                notifier.notify(n);
              } catch (TemporalFailure e) {
                board.warn("could not deliver a " + kind + " notification: " + describe(e), now());
              }
            })
        .run();
  }

  void refreshDetails() {
    PlaybookStatus s = board.snapshot();
    StringBuilder md = new StringBuilder();
    md.append("**").append(s.state()).append("** — ").append(s.phase());
    PendingApproval p = s.pendingApproval();
    if (p != null) {
      md.append("\n\nWaiting for approval of `")
          .append(p.step())
          .append("` (")
          .append(p.approvedBy().size())
          .append(" of ")
          .append(p.approvalsRequired())
          .append("), plan `")
          .append(PlanHash.shortForm(p.planHash()))
          .append("`: ")
          .append(p.plan().action())
          .append("\n\n`lifeline approve ")
          .append(s.workflowId())
          .append(" --as NAME --step ")
          .append(p.step())
          .append('`');
    }
    if (s.outcome() != null) {
      md.append("\n\n").append(s.outcome());
    }
    Workflow.setCurrentDetails(md.toString());
  }

  private long countSteps(StepOutcome outcome) {
    return board.steps().stream()
        .filter(s -> s.kind() == StepKind.ACTION && s.outcome() == outcome)
        .count();
  }

  private <T> T fromJournal(String id, Class<T> type) {
    try {
      return JOURNAL_MAPPER.readValue(journal.get(id), type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("journal entry for step " + id + " is unreadable", e);
    }
  }

  private static String toJournal(Object result) {
    try {
      return JOURNAL_MAPPER.writeValueAsString(result);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("step result cannot be journaled: " + e.getOriginalMessage(), e);
    }
  }

  /** A one-line description of a failure, from the innermost message that says something. */
  static String describe(Throwable failure) {
    Throwable t = failure;
    String best = failure.getMessage();
    while (t != null) {
      if (t instanceof ApplicationFailure af && af.getOriginalMessage() != null) {
        best = af.getOriginalMessage();
      } else if (!(t instanceof ActivityFailure) && !(t instanceof ChildWorkflowFailure)
          && t.getMessage() != null) {
        best = t instanceof TemporalFailure tf ? tf.getOriginalMessage() : t.getMessage();
      }
      t = t.getCause();
    }
    return best;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
