package dev.lifeline.workflows.playbook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.workflows.testing.FixedWorkerEnvironment;
import dev.lifeline.workflows.testing.GateRehearsal;
import dev.lifeline.workflows.testing.GateRehearsalImpl;
import dev.lifeline.workflows.testing.RecordedHistories;
import dev.lifeline.workflows.testing.RecordingNotifier;
import dev.lifeline.workflows.testing.RehearsalInput;
import dev.lifeline.workflows.testing.RehearsalResult;
import dev.lifeline.workflows.testing.RehearsalStore;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replays recorded histories of the gate against today's code, so a change that would break
 * running playbooks (non-determinism) fails the build. The histories cover an approval by quorum
 * after an escalation timer, signals and updates, refused signals, and an abort with undo.
 */
class ApprovalGateReplayTest {
  private static final String APPROVED = "gate-rehearsal-approved";
  private static final String ABORTED = "gate-rehearsal-aborted-after-apply";

  @RegisterExtension
  static final TestWorkflowExtension TEMPORAL =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(GateRehearsalImpl.class)
          .setActivityImplementations(
              seeded(), new RecordingNotifier(), new FixedWorkerEnvironment(true))
          .registerSearchAttribute("LifelinePlaybook", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
          .registerSearchAttribute("LifelineIncident", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
          .registerSearchAttribute("LifelineTarget", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
          .registerSearchAttribute(
              "LifelineAwaitingApproval", IndexedValueType.INDEXED_VALUE_TYPE_BOOL)
          .setUseTimeskipping(true)
          .build();

  private static RehearsalStore seeded() {
    RehearsalStore store = new RehearsalStore();
    store.seed("orders", 3);
    store.seed("invoices", 3);
    return store;
  }

  @Test
  void recordedApprovalHistoryReplays() throws Exception {
    WorkflowExecutionHistory history = RecordedHistories.load(APPROVED);
    assertThat(eventTypes(history))
        .contains(
            EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
            EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
            EventType.EVENT_TYPE_TIMER_FIRED,
            EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
            EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    WorkflowReplayer.replayWorkflowExecution(history, GateRehearsalImpl.class);
  }

  @Test
  void recordedAbortHistoryReplays() throws Exception {
    WorkflowExecutionHistory history = RecordedHistories.load(ABORTED);
    assertThat(eventTypes(history)).contains(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
    assertThat(history.toJson(false)).contains("Undone: restored invoices");
    WorkflowReplayer.replayWorkflowExecution(history, GateRehearsalImpl.class);
  }

  @Test
  void aFreshHistoryReplays(WorkflowClient client, Worker worker, TestWorkflowEnvironment env)
      throws Exception {
    String id = runApproved(client, worker, env, "orders", "replay-fresh");
    WorkflowReplayer.replayWorkflowExecution(client.fetchHistory(id), GateRehearsalImpl.class);
  }

  @Test
  @EnabledIfSystemProperty(named = RecordedHistories.RECORD_PROPERTY, matches = "true")
  void record(WorkflowClient client, Worker worker, TestWorkflowEnvironment env) {
    String approved = runApproved(client, worker, env, "orders", "replay-approved");
    RecordedHistories.save(client, approved, APPROVED);

    GateRehearsal wf = start(client, worker, "invoices", "replay-aborted",
        RehearsalInput.of("invoices", "alice"));
    wf.decide(Decision.approve("apply", "bob", pending(wf, "apply"), null));
    pending(wf, "finalize");
    wf.abort(new AbortSignal("numbers look wrong", "carol"));
    try {
      WorkflowStub.fromTyped(wf).getResult(RehearsalResult.class);
      throw new AssertionError("expected the abort to fail the workflow");
    } catch (WorkflowFailedException expected) {
      RecordedHistories.save(client, "replay-aborted", ABORTED);
    }
  }

  private static String runApproved(
      WorkflowClient client, Worker worker, TestWorkflowEnvironment env, String table, String id) {
    GateRehearsal wf =
        start(client, worker, table, id,
            new RehearsalInput(table, "alice", "INC-1", null, null, null)
                .withPolicy(new ApprovalPolicy(2, null, "30m", null, List.of("finalize"), null)));
    String hash = pending(wf, "apply");
    wf.approve(new ApproveSignal("apply", "alice", hash, null)); // refused: initiator
    wf.decide(Decision.approve("apply", "bob", hash, "first"));
    env.sleep(Duration.ofMinutes(31)); // escalation timer fires
    wf.approve(new ApproveSignal("apply", "carol", hash, "second"));
    WorkflowStub.fromTyped(wf).getResult(RehearsalResult.class);
    return id;
  }

  private static GateRehearsal start(
      WorkflowClient client, Worker worker, String table, String id, RehearsalInput input) {
    GateRehearsal wf =
        client.newWorkflowStub(
            GateRehearsal.class,
            WorkflowOptions.newBuilder().setTaskQueue(worker.getTaskQueue()).setWorkflowId(id).build());
    WorkflowClient.start(wf::run, input, null);
    return wf;
  }

  private static String pending(GateRehearsal wf, String step) {
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      PlaybookStatus s = wf.status();
      if (s.pendingApproval() != null && s.pendingApproval().step().equals(step)) {
        return s.pendingApproval().planHash();
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("step " + step + " never became pending");
  }

  private static Set<EventType> eventTypes(WorkflowExecutionHistory history) {
    return history.getEvents().stream().map(HistoryEvent::getEventType).collect(Collectors.toSet());
  }
}
