package dev.lifeline.workflows.playbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeline.workflows.notify.Notification;
import dev.lifeline.workflows.playbook.PlaybookStatus.StepOutcome;
import dev.lifeline.workflows.playbook.PlaybookStatus.UndoOutcome;
import dev.lifeline.workflows.testing.FixedWorkerEnvironment;
import dev.lifeline.workflows.testing.GateRehearsal;
import dev.lifeline.workflows.testing.GateRehearsalImpl;
import dev.lifeline.workflows.testing.RecordingNotifier;
import dev.lifeline.workflows.testing.RehearsalInput;
import dev.lifeline.workflows.testing.RehearsalResult;
import dev.lifeline.workflows.testing.RehearsalStore;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The approval gate, end to end on the Temporal test server with time skipping, through the
 * test-only {@link GateRehearsal} playbook acting on an in-memory store.
 */
class ApprovalGateTest {
  private static final RehearsalStore STORE = new RehearsalStore();
  private static final RecordingNotifier NOTIFIER = new RecordingNotifier();

  @RegisterExtension
  static final TestWorkflowExtension TEMPORAL =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(GateRehearsalImpl.class)
          .setActivityImplementations(STORE, NOTIFIER, new FixedWorkerEnvironment(true))
          .registerSearchAttribute("LifelinePlaybook", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
          .registerSearchAttribute("LifelineIncident", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
          .registerSearchAttribute("LifelineTarget", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
          .registerSearchAttribute(
              "LifelineAwaitingApproval", IndexedValueType.INDEXED_VALUE_TYPE_BOOL)
          .setUseTimeskipping(true)
          .build();

  private String table;

  @BeforeEach
  void seed() {
    table = "t-" + UUID.randomUUID();
    STORE.seed(table, 5);
  }

  private GateRehearsal start(WorkflowClient client, Worker worker, RehearsalInput input) {
    GateRehearsal wf =
        client.newWorkflowStub(
            GateRehearsal.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(worker.getTaskQueue())
                .setWorkflowId("rehearsal-" + table)
                .build());
    WorkflowClient.start(wf::run, input, null);
    return wf;
  }

  private static PlaybookStatus awaitStatus(GateRehearsal wf, Predicate<PlaybookStatus> until) {
    long deadline = System.currentTimeMillis() + 15_000;
    PlaybookStatus s = wf.status();
    while (!until.test(s)) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("status never reached the expected state: " + s);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      s = wf.status();
    }
    return s;
  }

  private static PlaybookStatus awaitPending(GateRehearsal wf, String step) {
    return awaitStatus(
        wf, s -> s.pendingApproval() != null && s.pendingApproval().step().equals(step));
  }

  private static String pendingHash(GateRehearsal wf, String step) {
    return awaitPending(wf, step).pendingApproval().planHash();
  }

  private static String refusalOf(Runnable call) {
    try {
      call.run();
    } catch (WorkflowUpdateException e) {
      Throwable cause = e.getCause();
      assertThat(cause).isInstanceOf(ApplicationFailure.class);
      return ((ApplicationFailure) cause).getOriginalMessage();
    }
    throw new AssertionError("the decision was accepted, but a refusal was expected");
  }

  private static ApplicationFailure failureOf(GateRehearsal wf) {
    try {
      WorkflowStub.fromTyped(wf).getResult(RehearsalResult.class);
    } catch (WorkflowFailedException e) {
      Throwable cause = e.getCause();
      assertThat(cause).isInstanceOf(ApplicationFailure.class);
      return (ApplicationFailure) cause;
    }
    throw new AssertionError("the playbook completed, but a failure was expected");
  }

  @Test
  void approvedStepsRunAndTheStatusTellsTheWholeStory(
      WorkflowClient client, Worker worker, TestWorkflowEnvironment env) {
    GateRehearsal wf =
        start(client, worker, new RehearsalInput(table, "alice", "INC-7", null, null, null));

    PlaybookStatus waiting = awaitPending(wf, "apply");
    assertThat(waiting.state()).isEqualTo(PlaybookState.AWAITING_APPROVAL);
    assertThat(waiting.playbook()).isEqualTo(GateRehearsal.TYPE);
    assertThat(waiting.incidentId()).isEqualTo("INC-7");
    assertThat(waiting.target()).isEqualTo("memory:" + table);
    assertThat(waiting.initiatedBy()).isEqualTo("alice");
    assertThat(waiting.pendingApproval().plan().changes()).containsExactly("rewrite 5 rows");
    assertThat(waiting.pendingApproval().plan().undo()).isEqualTo("restore snapshot snap-" + table);
    assertThat(waiting.pendingApproval().planHash())
        .isEqualTo(PlanHash.of(waiting.pendingApproval().plan()))
        .hasSize(64);
    assertThat(waiting.facts()).containsEntry("safetySnapshot", "snap-" + table);
    assertThat(waiting.steps())
        .extracting(PlaybookStatus.StepRecord::id, PlaybookStatus.StepRecord::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("inspect", StepOutcome.SUCCEEDED),
            org.assertj.core.groups.Tuple.tuple("safety", StepOutcome.SUCCEEDED),
            org.assertj.core.groups.Tuple.tuple("apply", StepOutcome.WAITING));
    assertThat(waiting.steps().get(0).startedAt()).isNotNull();
    assertThat(waiting.steps().get(0).endedAt()).isNotNull();
    assertThat(STORE.table(table)).containsEntry(0, "original-0");
    assertThat(searchAttribute(client, wf, "LifelineAwaitingApproval")).isEqualTo(true);
    assertThat(searchAttribute(client, wf, "LifelinePlaybook")).isEqualTo(GateRehearsal.TYPE);
    assertThat(searchAttribute(client, wf, "LifelineIncident")).isEqualTo("INC-7");

    DecisionReceipt receipt =
        wf.decide(Decision.approve("apply", "bob", waiting.pendingApproval().planHash(), "lgtm"));
    assertThat(receipt.approvals()).isEqualTo(1);
    assertThat(receipt.message()).contains("approved");

    String finalizeHash = pendingHash(wf, "finalize");
    wf.approve(new ApproveSignal("finalize", "carol", finalizeHash, null));
    RehearsalResult result = WorkflowStub.fromTyped(wf).getResult(RehearsalResult.class);

    assertThat(result.rowsRewritten()).isEqualTo(5);
    assertThat(STORE.table(table)).containsEntry(0, "rewritten-0").containsEntry(-1, "finalized");
    PlaybookStatus done = wf.status();
    assertThat(done.state()).isEqualTo(PlaybookState.COMPLETED);
    assertThat(done.outcome()).isEqualTo("Rewrote 5 rows of " + table + " and finalized it.");
    assertThat(done.pendingApproval()).isNull();
    assertThat(done.decisions())
        .extracting(PlaybookStatus.DecisionRecord::step, PlaybookStatus.DecisionRecord::by,
            PlaybookStatus.DecisionRecord::via)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("apply", "bob", PlaybookStatus.Via.UPDATE),
            org.assertj.core.groups.Tuple.tuple("finalize", "carol", PlaybookStatus.Via.SIGNAL));
    assertThat(done.decisions().get(0).comment()).isEqualTo("lgtm");
    assertThat(done.undo()).singleElement()
        .satisfies(u -> assertThat(u.outcome()).isEqualTo(UndoOutcome.RELEASED));
    assertThat(done.endedAt()).isNotNull();
    assertThat(searchAttribute(client, wf, "LifelineAwaitingApproval")).isEqualTo(false);
    assertThat(NOTIFIER.sent())
        .filteredOn(n -> n.workflowId().equals("rehearsal-" + table))
        .extracting(Notification::kind)
        .containsExactly(
            Notification.Kind.APPROVAL_REQUESTED,
            Notification.Kind.APPROVAL_REQUESTED,
            Notification.Kind.COMPLETED);
  }

  private static Object searchAttribute(WorkflowClient client, GateRehearsal wf, String name) {
    var execution = WorkflowStub.fromTyped(wf).getExecution();
    var response =
        client
            .getWorkflowServiceStubs()
            .blockingStub()
            .describeWorkflowExecution(
                io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest.newBuilder()
                    .setNamespace(client.getOptions().getNamespace())
                    .setExecution(execution)
                    .build());
    var payload =
        response.getWorkflowExecutionInfo().getSearchAttributes().getIndexedFieldsMap().get(name);
    if (payload == null) {
      return null;
    }
    return io.temporal.common.converter.DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
        payload, Object.class, Object.class);
  }

  @Test
  void aQuorumOfTwoNeedsTwoDistinctPeople(WorkflowClient client, Worker worker) {
    GateRehearsal wf =
        start(
            client,
            worker,
            RehearsalInput.of(table, "alice")
                .withPolicy(new ApprovalPolicy(2, null, null, null, List.of("finalize"), null)));
    String hash = pendingHash(wf, "apply");

    DecisionReceipt first = wf.decide(Decision.approve("apply", "bob", hash, null));
    assertThat(first.approvals()).isEqualTo(1);
    assertThat(first.approvalsRequired()).isEqualTo(2);
    assertThat(first.message()).contains("waiting for 1 more");

    String duplicate = refusalOf(() -> wf.decide(Decision.approve("apply", "BOB", hash, null)));
    assertThat(duplicate).contains("duplicate approver").contains("1 of 2");
    PlaybookStatus stillWaiting = wf.status();
    assertThat(stillWaiting.state()).isEqualTo(PlaybookState.AWAITING_APPROVAL);
    assertThat(stillWaiting.pendingApproval().approvedBy()).containsExactly("bob");
    assertThat(STORE.table(table)).containsEntry(0, "original-0");

    wf.decide(Decision.approve("apply", "dave", hash, null));
    WorkflowStub.fromTyped(wf).getResult(RehearsalResult.class);

    PlaybookStatus done = wf.status();
    assertThat(done.state()).isEqualTo(PlaybookState.COMPLETED);
    assertThat(done.steps())
        .filteredOn(s -> s.id().equals("apply") && s.kind() == PlaybookStatus.StepKind.APPROVAL)
        .singleElement()
        .satisfies(s -> assertThat(s.detail()).isEqualTo("approved by bob, dave"));
    assertThat(done.steps())
        .filteredOn(s -> s.id().equals("finalize") && s.kind() == PlaybookStatus.StepKind.APPROVAL)
        .singleElement()
        .satisfies(s -> assertThat(s.outcome()).isEqualTo(StepOutcome.AUTO_APPROVED));
    assertThat(done.decisions())
        .filteredOn(d -> d.via() == PlaybookStatus.Via.POLICY)
        .singleElement()
        .satisfies(d -> assertThat(d.step()).isEqualTo("finalize"));
  }

  @Test
  void theInitiatorCannotApproveUnderSeparationOfDuties(WorkflowClient client, Worker worker) {
    GateRehearsal wf = start(client, worker, RehearsalInput.of(table, "alice"));
    String hash = pendingHash(wf, "apply");

    String refusal = refusalOf(() -> wf.decide(Decision.approve("apply", " Alice ", hash, null)));
    assertThat(refusal).startsWith("separation of duties: Alice started this playbook");

    wf.approve(new ApproveSignal("apply", "alice", hash, null));
    PlaybookStatus s = awaitStatus(wf, st -> !st.refused().isEmpty());
    assertThat(s.refused()).singleElement().satisfies(r -> {
      assertThat(r.via()).isEqualTo(PlaybookStatus.Via.SIGNAL);
      assertThat(r.by()).isEqualTo("alice");
      assertThat(r.reason()).contains("separation of duties");
    });
    assertThat(s.state()).isEqualTo(PlaybookState.AWAITING_APPROVAL);
    assertThat(s.decisions()).isEmpty();
    assertThat(STORE.calls(table, "apply")).isZero();
    wf.abort(new AbortSignal("test over", "bob"));
    assertThat(failureOf(wf).getType()).isEqualTo(PlaybookRuntime.ABORTED_FAILURE);
  }

  @Test
  void separationOfDutiesCanBeTurnedOffAndThenNeedsNoInitiator(WorkflowClient client, Worker worker) {
    GateRehearsal wf =
        start(
            client,
            worker,
            RehearsalInput.of(table, null)
                .withPolicy(new ApprovalPolicy(null, false, null, null, List.of("finalize"), null)));
    String hash = pendingHash(wf, "apply");
    wf.decide(Decision.approve("apply", "alice", hash, null));
    assertThat(WorkflowStub.fromTyped(wf).getResult(RehearsalResult.class).rowsRewritten())
        .isEqualTo(5);
  }

  @Test
  void aStalePlanHashIsRefused(WorkflowClient client, Worker worker) {
    GateRehearsal wf = start(client, worker, RehearsalInput.of(table, "alice"));
    String hash = pendingHash(wf, "apply");
    String stale = "0".repeat(64);

    String refusal = refusalOf(() -> wf.decide(Decision.approve("apply", "bob", stale, null)));
    assertThat(refusal)
        .startsWith("stale plan hash: you reviewed plan 000000000000")
        .contains("is " + hash.substring(0, 12));

    // A prefix of at least 12 characters of the right hash is accepted (people read short forms).
    DecisionReceipt ok = wf.decide(Decision.approve("apply", "bob", hash.substring(0, 12), null));
    assertThat(ok.approvals()).isEqualTo(1);
    // Let the run reach its next gate before aborting: on the Java test server a signal sent
    // straight after an update is sometimes never delivered (the run then waits forever).
    awaitPending(wf, "finalize");
    wf.abort(new AbortSignal("done testing", "bob"));
    failureOf(wf);
  }

  @Test
  void wrongStepUnknownActionAndAlreadyPastStepAreRefused(WorkflowClient client, Worker worker) {
    GateRehearsal wf = start(client, worker, RehearsalInput.of(table, "alice"));
    String hash = pendingHash(wf, "apply");

    assertThat(refusalOf(() -> wf.decide(Decision.approve("finalize", "bob", null, null))))
        .isEqualTo("wrong step 'finalize': the pending approval is for step 'apply'");
    assertThat(refusalOf(() -> wf.decide(new Decision("maybe", "apply", "bob", null, null, null))))
        .isEqualTo("action must be \"approve\" or \"abort\" (got \"maybe\")");
    assertThat(refusalOf(() -> wf.decide(Decision.approve("apply", "", null, null))))
        .isEqualTo("approver is required: say who approves");
    assertThat(refusalOf(() -> wf.decide(Decision.abort("bob", " "))))
        .isEqualTo("reason is required to abort");

    wf.decide(Decision.approve("apply", "bob", hash, null));
    awaitPending(wf, "finalize");
    assertThat(refusalOf(() -> wf.decide(Decision.approve("apply", "carol", hash, null))))
        .startsWith("the playbook is already past step 'apply' (approved: approved by bob)");
    wf.abort(new AbortSignal("done testing", "bob"));
    failureOf(wf);
  }

  @Test
  void aRefusedSignalLeavesTheWorkflowUnchanged(WorkflowClient client, Worker worker) {
    GateRehearsal wf = start(client, worker, RehearsalInput.of(table, "alice"));
    PlaybookStatus before = awaitPending(wf, "apply");

    wf.approve(new ApproveSignal("finalize", "bob", null, "too early"));
    wf.approve(new ApproveSignal("apply", "bob", "f".repeat(64), null));
    wf.abort(new AbortSignal(null, "bob"));
    PlaybookStatus after = awaitStatus(wf, s -> s.refused().size() == 3);

    assertThat(after.refused())
        .extracting(PlaybookStatus.RefusedDecision::reason)
        .containsExactly(
            "wrong step 'finalize': the pending approval is for step 'apply'",
            after.refused().get(1).reason(),
            "reason is required to abort");
    assertThat(after.refused().get(1).reason()).startsWith("stale plan hash");
    assertThat(after.state()).isEqualTo(before.state());
    assertThat(after.pendingApproval()).isEqualTo(before.pendingApproval());
    assertThat(after.decisions()).isEqualTo(before.decisions());
    assertThat(after.steps()).isEqualTo(before.steps());
    assertThat(STORE.table(table)).containsEntry(0, "original-0");
    wf.abort(new AbortSignal("done testing", "bob"));
    failureOf(wf);
  }

  @Test
  void abortBeforeTheDestructiveStepChangesNothing(WorkflowClient client, Worker worker) {
    GateRehearsal wf = start(client, worker, RehearsalInput.of(table, "alice"));
    awaitPending(wf, "apply");

    DecisionReceipt receipt = wf.decide(Decision.abort("carol", "wrong backup"));
    assertThat(receipt.message()).contains("nothing has been changed");

    ApplicationFailure failure = failureOf(wf);
    assertThat(failure.getType()).isEqualTo(PlaybookRuntime.ABORTED_FAILURE);
    assertThat(failure.getOriginalMessage())
        .isEqualTo("Aborted by carol: wrong backup. Nothing had been changed, so nothing was undone.");
    assertThat(STORE.table(table)).containsEntry(0, "original-0").doesNotContainKey(-1);
    assertThat(STORE.calls(table, "apply")).isZero();
    assertThat(STORE.calls(table, "restore")).isZero();
    PlaybookStatus s = wf.status();
    assertThat(s.state()).isEqualTo(PlaybookState.ABORTED);
    assertThat(s.steps()).filteredOn(st -> st.id().equals("apply")).singleElement()
        .satisfies(st -> assertThat(st.outcome()).isEqualTo(StepOutcome.ABORTED));
  }

  @Test
  void abortAfterADestructiveStepRunsTheUndo(WorkflowClient client, Worker worker) {
    GateRehearsal wf = start(client, worker, RehearsalInput.of(table, "alice"));
    wf.decide(Decision.approve("apply", "bob", pendingHash(wf, "apply"), null));
    awaitPending(wf, "finalize");
    assertThat(STORE.table(table)).containsEntry(0, "rewritten-0");

    wf.abort(new AbortSignal("numbers look wrong", "carol"));

    ApplicationFailure failure = failureOf(wf);
    assertThat(failure.getType()).isEqualTo(PlaybookRuntime.ABORTED_FAILURE);
    assertThat(failure.getOriginalMessage())
        .isEqualTo(
            "Aborted by carol: numbers look wrong. Undone: restored "
                + table + " from snap-" + table + " (5 rows).");
    assertThat(STORE.table(table)).isEqualTo(originalTable(5));
    PlaybookStatus s = wf.status();
    assertThat(s.state()).isEqualTo(PlaybookState.ABORTED);
    assertThat(s.undo()).singleElement().satisfies(u -> {
      assertThat(u.outcome()).isEqualTo(UndoOutcome.UNDONE);
      assertThat(u.beforeStep()).isEqualTo("apply");
    });
    assertThat(s.steps()).filteredOn(st -> st.kind() == PlaybookStatus.StepKind.UNDO)
        .singleElement()
        .satisfies(st -> assertThat(st.outcome()).isEqualTo(StepOutcome.SUCCEEDED));
  }

  @Test
  void aFailureAfterADestructiveStepRunsTheUndo(WorkflowClient client, Worker worker) {
    GateRehearsal wf =
        start(client, worker, new RehearsalInput(table, "alice", null, null, true, null));
    wf.decide(Decision.approve("apply", "bob", pendingHash(wf, "apply"), null));

    ApplicationFailure failure = failureOf(wf);
    assertThat(failure.getType()).isEqualTo(PlaybookRuntime.FAILED_FAILURE);
    assertThat(failure.getOriginalMessage())
        .startsWith("Failed: verification found 3 rows that do not match. Undone: restored");
    assertThat(STORE.table(table)).isEqualTo(originalTable(5));
    assertThat(wf.status().steps()).filteredOn(st -> st.id().equals("verify")).singleElement()
        .satisfies(st -> assertThat(st.outcome()).isEqualTo(StepOutcome.FAILED));
  }

  @Test
  void anAbortInterruptsANonDestructiveStep(WorkflowClient client, Worker worker) {
    GateRehearsal wf =
        start(client, worker, new RehearsalInput(table, "alice", null, null, null, 60_000L));
    awaitStatus(wf, s -> "Inspect " .concat(table).equals(s.phase()));

    wf.decide(Decision.abort("carol", "false alarm"));

    ApplicationFailure failure = failureOf(wf);
    assertThat(failure.getOriginalMessage()).startsWith("Aborted by carol: false alarm. Nothing");
    assertThat(wf.status().steps()).singleElement()
        .satisfies(st -> assertThat(st.outcome()).isEqualTo(StepOutcome.CANCELLED));
  }

  @Test
  void aTimeoutEscalatesAndKeepsWaiting(
      WorkflowClient client, Worker worker, TestWorkflowEnvironment env) {
    GateRehearsal wf =
        start(
            client,
            worker,
            new RehearsalInput(table, "alice", "INC-9", null, null, null)
                .withPolicy(new ApprovalPolicy(null, null, "45m", null, List.of("finalize"), null)));
    String hash = pendingHash(wf, "apply");

    env.sleep(Duration.ofMinutes(50));
    PlaybookStatus once = awaitStatus(wf, s -> s.escalations().size() == 1);
    assertThat(once.escalations().get(0).to()).isEqualTo("Database Administrator");
    assertThat(once.state()).isEqualTo(PlaybookState.AWAITING_APPROVAL);
    env.sleep(Duration.ofMinutes(45));
    PlaybookStatus twice = awaitStatus(wf, s -> s.escalations().size() == 2);
    assertThat(twice.escalations().get(1).to()).isEqualTo("Senior Engineer");
    assertThat(twice.escalations().get(1).level()).isEqualTo(2);
    assertThat(twice.pendingApproval().escalationLevel()).isEqualTo(2);
    assertThat(NOTIFIER.sent())
        .filteredOn(n -> n.kind() == Notification.Kind.ESCALATION && "INC-9".equals(n.incidentId()))
        .extracting(Notification::escalateTo)
        .containsExactly("Database Administrator", "Senior Engineer");

    wf.decide(Decision.approve("apply", "bob", hash, null));
    assertThat(WorkflowStub.fromTyped(wf).getResult(RehearsalResult.class).rowsRewritten())
        .isEqualTo(5);
  }

  @Test
  void aTimeoutCanAbortInstead(WorkflowClient client, Worker worker) {
    GateRehearsal wf =
        start(
            client,
            worker,
            RehearsalInput.of(table, "alice")
                .withPolicy(new ApprovalPolicy(null, null, "PT1H", "abort", null, null)));
    awaitPending(wf, "apply");

    ApplicationFailure failure = failureOf(wf);
    assertThat(failure.getType()).isEqualTo(PlaybookRuntime.ABORTED_FAILURE);
    assertThat(failure.getOriginalMessage())
        .isEqualTo(
            "Aborted by lifeline:approvalTimeout: nobody approved step 'apply' within PT1H and the"
                + " policy says abort. Nothing had been changed, so nothing was undone.");
    assertThat(STORE.calls(table, "apply")).isZero();
  }

  @Test
  void autoApprovalIsRecordedAsSuch(WorkflowClient client, Worker worker) {
    GateRehearsal wf =
        start(client, worker, RehearsalInput.of(table, "drill").withPolicy(ApprovalPolicy.autoApproveAll()));
    RehearsalResult r = WorkflowStub.fromTyped(wf).getResult(RehearsalResult.class);
    assertThat(r.rowsRewritten()).isEqualTo(5);
    PlaybookStatus s = wf.status();
    assertThat(s.steps())
        .filteredOn(st -> st.kind() == PlaybookStatus.StepKind.APPROVAL)
        .extracting(PlaybookStatus.StepRecord::outcome)
        .containsExactly(StepOutcome.AUTO_APPROVED, StepOutcome.AUTO_APPROVED);
    assertThat(s.decisions()).allSatisfy(d -> {
      assertThat(d.via()).isEqualTo(PlaybookStatus.Via.POLICY);
      assertThat(d.by()).isEqualTo("policy:autoApprove");
    });
  }

  @Test
  void invalidInputFailsAtOnceNamingEveryField(WorkflowClient client, Worker worker) {
    GateRehearsal wf =
        start(
            client,
            worker,
            new RehearsalInput(null, null, null,
                new ApprovalPolicy(0, null, "soon", "panic", null, null), null, null));
    ApplicationFailure failure = failureOf(wf);
    assertThat(failure.getType()).isEqualTo(InputProblems.FAILURE_TYPE);
    assertThat(failure.getOriginalMessage())
        .startsWith("Invalid input for GateRehearsal: ")
        .contains("initiatedBy is required while separationOfDuties is true")
        .contains("approvalsRequired must be at least 1 (got 0)")
        .contains("approvalTimeout \"soon\" is not a duration")
        .contains("onApprovalTimeout must be \"escalate\" or \"abort\" (got \"panic\")")
        .contains("target is required");
    assertThat(wf.status().state()).isEqualTo(PlaybookState.FAILED);
  }

  @Test
  void cancellingTheWorkflowUndoesWhatWasDone(WorkflowClient client, Worker worker) {
    GateRehearsal wf = start(client, worker, RehearsalInput.of(table, "alice"));
    wf.decide(Decision.approve("apply", "bob", pendingHash(wf, "apply"), null));
    awaitPending(wf, "finalize");

    WorkflowStub.fromTyped(wf).cancel();
    assertThatThrownBy(() -> WorkflowStub.fromTyped(wf).getResult(RehearsalResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(io.temporal.failure.CanceledFailure.class);
    assertThat(STORE.table(table)).isEqualTo(originalTable(5));
  }

  @Test
  void aLongWaitContinuesAsNewKeepingDecisionsAndSteps(WorkflowClient client, Worker worker) {
    GateRehearsal wf =
        client.newWorkflowStub(
            GateRehearsal.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(worker.getTaskQueue())
                .setWorkflowId("rehearsal-" + table)
                .build());
    WorkflowClient.start(
        wf::run,
        RehearsalInput.of(table, "alice").withPolicy(new ApprovalPolicy(2, null, "none", null, null, null)),
        PlaybookCheckpoint.withHistoryEventLimit(40));
    String hash = pendingHash(wf, "apply");
    wf.decide(Decision.approve("apply", "bob", hash, "first"));
    for (int i = 0; i < 12; i++) {
      wf.approve(new ApproveSignal("nope", "mallory", null, null));
    }
    PlaybookStatus continued = awaitStatus(wf, s -> s.runs() >= 2);
    assertThat(continued.pendingApproval().approvedBy()).containsExactly("bob");
    assertThat(continued.decisions()).singleElement()
        .satisfies(d -> assertThat(d.comment()).isEqualTo("first"));
    assertThat(continued.steps()).extracting(PlaybookStatus.StepRecord::id)
        .containsExactly("inspect", "safety", "apply");

    wf.decide(Decision.approve("apply", "carol", hash, null));
    String finalizeHash = pendingHash(wf, "finalize");
    wf.decide(Decision.approve("finalize", "bob", finalizeHash, null));
    wf.decide(Decision.approve("finalize", "carol", finalizeHash, null));
    RehearsalResult r = WorkflowStub.fromTyped(wf).getResult(RehearsalResult.class);

    assertThat(r.rowsRewritten()).isEqualTo(5);
    assertThat(STORE.calls(table, "inspect")).as("steps finished before continue-as-new do not re-run")
        .isEqualTo(1);
    PlaybookStatus done = wf.status();
    assertThat(done.runs()).isGreaterThanOrEqualTo(2);
    assertThat(done.steps()).filteredOn(s -> s.id().equals("inspect")).hasSize(1);
    assertThat(done.refused()).hasSize(12);
  }

  private static Map<Integer, String> originalTable(int rows) {
    Map<Integer, String> t = new java.util.TreeMap<>();
    for (int i = 0; i < rows; i++) {
      t.put(i, "original-" + i);
    }
    return t;
  }
}
