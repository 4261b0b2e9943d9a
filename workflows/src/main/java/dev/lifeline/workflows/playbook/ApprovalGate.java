package dev.lifeline.workflows.playbook;

import dev.lifeline.workflows.playbook.Decision.Action;
import dev.lifeline.workflows.playbook.PlaybookStatus.DecisionRecord;
import dev.lifeline.workflows.playbook.PlaybookStatus.Escalation;
import dev.lifeline.workflows.playbook.PlaybookStatus.PendingApproval;
import dev.lifeline.workflows.playbook.PlaybookStatus.RefusedDecision;
import dev.lifeline.workflows.playbook.PlaybookStatus.StepOutcome;
import dev.lifeline.workflows.playbook.PlaybookStatus.StepRecord;
import dev.lifeline.workflows.playbook.PlaybookStatus.Via;
import dev.lifeline.workflows.notify.Notification;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The approval gate every playbook passes before every destructive step. It publishes the pending
 * approval (step, summary, exact plan, plan hash), judges each decision that arrives (signal or
 * update), counts distinct approvers up to the quorum, escalates or aborts when nobody answers in
 * time, and lets the playbook continue as new while it waits so the history stays short.
 *
 * <p>Judging is pure: {@link #refusal(Decision)} reads state only, so the update validator can
 * call it. Accepting a decision mutates state and is done from handlers on the workflow thread.
 */
public final class ApprovalGate {
  /** Who is named as the decider of policy and timeout decisions. */
  static final String POLICY_ACTOR = "policy:autoApprove";

  static final String TIMEOUT_ACTOR = "lifeline:approvalTimeout";

  private static final int MIN_HASH_PREFIX = 12;

  private final PlaybookRuntime runtime;
  private final StatusBoard board;
  private final ApprovalPolicy policy;
  private final String initiator;
  private DecisionRecord abort;

  ApprovalGate(PlaybookRuntime runtime, StatusBoard board, ApprovalPolicy policy, String initiator) {
    this.runtime = runtime;
    this.board = board;
    this.policy = policy;
    this.initiator = initiator;
  }

  /** The accepted abort, if any. */
  DecisionRecord abortRequest() {
    return abort;
  }

  /** Records an abort decided by Lifeline itself (approval timeout, workflow cancellation). */
  void abortBySystem(String by, String reason, Via via) {
    if (abort == null) {
      abort =
          new DecisionRecord(currentStep(), Action.ABORT, by, runtime.now(), null, reason, null, via);
      board.decision(abort);
    }
  }

  /**
   * Why {@code decision} would be refused, or empty if it would be accepted. Reads state only.
   */
  Optional<String> refusal(Decision decision) {
    if (decision == null) {
      return Optional.of("a decision is required: {\"action\": \"approve\"|\"abort\", ...}");
    }
    Action action = decision.parsedAction();
    if (action == null) {
      return Optional.of(
          "action must be \"approve\" or \"abort\" (got "
              + (decision.action() == null ? "nothing" : "\"" + decision.action() + "\"")
              + ")");
    }
    PlaybookState state = board.state();
    if (state.isFinal()) {
      return Optional.of("the playbook has already finished (" + state + ")");
    }
    if (blank(decision.by())) {
      return Optional.of(
          action == Action.APPROVE
              ? "approver is required: say who approves"
              : "by is required: say who aborts");
    }
    if (action == Action.ABORT) {
      if (blank(decision.reason())) {
        return Optional.of("reason is required to abort");
      }
      if (abort != null) {
        return Optional.of(
            "already aborted by " + abort.by() + " at " + abort.at() + " (" + abort.reason() + ")");
      }
      if (state == PlaybookState.COMPENSATING) {
        return Optional.of("the playbook is already undoing its changes after a failure");
      }
      return Optional.empty();
    }
    return approvalRefusal(decision);
  }

  private Optional<String> approvalRefusal(Decision decision) {
    if (abort != null) {
      return Optional.of(
          "the playbook is being aborted (by " + abort.by() + ": " + abort.reason() + ")");
    }
    PendingApproval pending = board.pending();
    String step = decision.step() == null ? null : decision.step().trim();
    if (blank(step)) {
      return Optional.of(
          pending == null
              ? "step is required (nothing is awaiting approval right now)"
              : "step is required (the pending approval is for step '" + pending.step() + "')");
    }
    if (pending == null || !pending.step().equals(step)) {
      Optional<StepRecord> past = decidedGate(step);
      if (past.isPresent()) {
        return Optional.of(
            "the playbook is already past step '"
                + step
                + "' ("
                + past.get().outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                + (past.get().detail() == null ? "" : ": " + past.get().detail())
                + ")");
      }
      if (pending == null) {
        return Optional.of(
            "nothing is awaiting approval right now (phase: "
                + board.phase()
                + "); step '"
                + step
                + "' has not been reached");
      }
      return Optional.of(
          "wrong step '" + step + "': the pending approval is for step '" + pending.step() + "'");
    }
    String hash = decision.planHash() == null ? "" : decision.planHash().trim().toLowerCase(Locale.ROOT);
    if (!hash.isEmpty()) {
      boolean matches =
          hash.equals(pending.planHash())
              || (hash.length() >= MIN_HASH_PREFIX && pending.planHash().startsWith(hash));
      if (!matches) {
        return Optional.of(
            "stale plan hash: you reviewed plan "
                + PlanHash.shortForm(hash)
                + " but the pending plan for step '"
                + step
                + "' is "
                + PlanHash.shortForm(pending.planHash())
                + "; review the plan again (lifeline status) before approving");
      }
    }
    String by = decision.by().trim();
    if (policy.initiatorBarred() && initiator != null && initiator.trim().equalsIgnoreCase(by)) {
      return Optional.of(
          "separation of duties: "
              + by
              + " started this playbook and cannot approve its steps; another person must approve");
    }
    for (String approver : pending.approvedBy()) {
      if (approver.equalsIgnoreCase(by)) {
        return Optional.of(
            "duplicate approver: "
                + by
                + " has already approved step '"
                + step
                + "' ("
                + pending.approvedBy().size()
                + " of "
                + pending.approvalsRequired()
                + " approvals; another person must approve)");
      }
    }
    return Optional.empty();
  }

  /**
   * Accepts {@code decision}, which must have passed {@link #refusal(Decision)}.
   *
   * @return what happens next
   */
  DecisionReceipt accept(Decision decision, Via via) {
    Instant now = runtime.now();
    String by = decision.by().trim();
    if (decision.parsedAction() == Action.ABORT) {
      abort =
          new DecisionRecord(
              currentStep(), Action.ABORT, by, now, decision.comment(), decision.reason(), null, via);
      board.decision(abort);
      runtime.onAbortAccepted();
      long toUndo = runtime.registeredUndoCount();
      String next =
          toUndo == 0
              ? "abort accepted; nothing has been changed, so the playbook stops with nothing to undo"
              : "abort accepted; the playbook will undo " + toUndo + " change(s) and stop";
      return new DecisionReceipt("abort", currentStep(), by, 0, policy.quorum(), next);
    }
    PendingApproval p = board.pending();
    List<String> approvers = new ArrayList<>(p.approvedBy());
    approvers.add(by);
    board.pending(
        new PendingApproval(
            p.step(),
            p.summary(),
            p.plan(),
            p.planHash(),
            p.requestedAt(),
            p.escalatesAt(),
            p.approvalsRequired(),
            List.copyOf(approvers),
            p.escalationLevel()),
        now);
    board.decision(
        new DecisionRecord(
            p.step(), Action.APPROVE, by, now, decision.comment(), null, p.planHash(), via));
    int missing = p.approvalsRequired() - approvers.size();
    String next =
        missing <= 0
            ? "step '" + p.step() + "' approved (" + approvers.size() + " of "
                + p.approvalsRequired() + "); the playbook continues"
            : "approval " + approvers.size() + " of " + p.approvalsRequired()
                + " recorded; waiting for " + missing + " more approver(s)";
    runtime.refreshDetails();
    return new DecisionReceipt(
        "approve", p.step(), by, approvers.size(), p.approvalsRequired(), next);
  }

  /** Records a refused signal in the status; it is never acted on. */
  void refuse(Decision decision, String reason, Via via) {
    board.refused(
        new RefusedDecision(
            runtime.now(),
            via,
            decision == null ? null : decision.action(),
            decision == null ? null : decision.step(),
            decision == null ? null : decision.by(),
            reason));
  }

  /**
   * Blocks the playbook until {@code step} is approved by the quorum (or by policy).
   *
   * @throws PlaybookAbortedException when an abort is accepted while waiting, or the approval
   *     times out with {@code onApprovalTimeout: abort}
   */
  void await(String step, String summary, ApprovalPlan plan) {
    String hash = PlanHash.of(plan);
    Instant now = runtime.now();
    if (policy.autoApproves(step)) {
      board.stepWaiting(step, summary, now);
      board.decision(
          new DecisionRecord(
              step, Action.APPROVE, POLICY_ACTOR, now, "approved by the recorded policy autoApprove",
              null, hash, Via.POLICY));
      board.stepEnded(
          step, StepOutcome.AUTO_APPROVED, "auto-approved by policy (plan " + PlanHash.shortForm(hash) + ")", now);
      return;
    }
    PendingApproval p = board.pending();
    boolean resumed = p != null && p.step().equals(step) && p.planHash().equals(hash);
    if (!resumed) {
      Instant escalatesAt = policy.timeout().map(now::plus).orElse(null);
      p = new PendingApproval(
          step, summary, plan, hash, now, escalatesAt, policy.quorum(), List.of(), 0);
      board.pending(p, now);
      board.stepWaiting(step, summary, now);
    }
    board.state(PlaybookState.AWAITING_APPROVAL, now);
    runtime.awaitingApproval(true);
    if (!resumed) {
      runtime.notifyPeople(
          Notification.Kind.APPROVAL_REQUESTED,
          "Approval needed: " + step,
          summary + "\n\nPlan " + PlanHash.shortForm(hash) + ": " + plan.action()
              + "\n\nApprove with `lifeline approve " + runtime.workflowId() + " --as NAME --step "
              + step + "`",
          null);
    }
    while (true) {
      if (abort != null) {
        board.stepEnded(step, StepOutcome.ABORTED, "aborted by " + abort.by() + ": " + abort.reason(), runtime.now());
        board.pending(null, runtime.now());
        runtime.awaitingApproval(false);
        throw new PlaybookAbortedException("aborted at approval of step '" + step + "'");
      }
      if (quorumMet()) {
        break;
      }
      if (runtime.shouldContinueAsNew() && Workflow.isEveryHandlerFinished()) {
        runtime.continueAsNew();
      }
      Instant deadline = board.pending().escalatesAt();
      boolean woke;
      if (deadline == null) {
        Workflow.await(this::shouldWake);
        woke = true;
      } else {
        Duration wait = Duration.between(runtime.now(), deadline);
        woke = !wait.isNegative() && !wait.isZero() && Workflow.await(wait, this::shouldWake);
      }
      if (!woke) {
        onTimeout(step);
      }
    }
    PendingApproval done = board.pending();
    Instant end = runtime.now();
    board.stepEnded(step, StepOutcome.APPROVED, "approved by " + String.join(", ", done.approvedBy()), end);
    board.pending(null, end);
    board.state(PlaybookState.RUNNING, end);
    runtime.awaitingApproval(false);
  }

  private boolean shouldWake() {
    return abort != null
        || quorumMet()
        || (runtime.shouldContinueAsNew() && Workflow.isEveryHandlerFinished());
  }

  private boolean quorumMet() {
    PendingApproval p = board.pending();
    return p != null && p.approvedBy().size() >= p.approvalsRequired();
  }

  private void onTimeout(String step) {
    PendingApproval p = board.pending();
    Duration timeout = policy.timeout().orElseThrow();
    Instant now = runtime.now();
    if (policy.timeoutAction() == ApprovalPolicy.TimeoutAction.ABORT) {
      abortBySystem(
          TIMEOUT_ACTOR,
          "nobody approved step '" + step + "' within " + policy.approvalTimeout()
              + " and the policy says abort",
          Via.TIMEOUT);
      return;
    }
    List<String> path = policy.escalationPath();
    int level = Math.min(p.escalationLevel() + 1, path.size());
    String to = path.get(level - 1);
    String reason =
        "no decision on step '" + step + "' for " + Duration.between(p.requestedAt(), now).toMinutes()
            + " minutes (" + p.approvedBy().size() + " of " + p.approvalsRequired() + " approvals)";
    board.escalation(new Escalation(now, step, level, to, reason));
    board.pending(
        new PendingApproval(
            p.step(), p.summary(), p.plan(), p.planHash(), p.requestedAt(), now.plus(timeout),
            p.approvalsRequired(), p.approvedBy(), level),
        now);
    board.warn("approval of step '" + step + "' escalated to " + to + " (level " + level + ")", now);
    runtime.notifyPeople(
        Notification.Kind.ESCALATION,
        "Escalation: approval of '" + step + "' is waiting",
        reason + ". Escalated to " + to + ".\n\nPlan " + PlanHash.shortForm(p.planHash()) + ": "
            + p.plan().action(),
        to);
    runtime.refreshDetails();
  }

  private Optional<StepRecord> decidedGate(String step) {
    for (int i = board.steps().size() - 1; i >= 0; i--) {
      StepRecord s = board.steps().get(i);
      if (s.id().equals(step)
          && s.kind() == PlaybookStatus.StepKind.APPROVAL
          && s.endedAt() != null) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  private String currentStep() {
    PendingApproval p = board.pending();
    if (p != null) {
      return p.step();
    }
    List<StepRecord> steps = board.steps();
    return steps.isEmpty() ? null : steps.get(steps.size() - 1).id();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
