package dev.lifeline.activities.assess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.workflows.assess.CorruptionAssessmentImpl;
import dev.lifeline.workflows.testing.RecordedHistories;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.api.Test;

/**
 * Replays a recorded history of CorruptionAssessment (every corruption class injected, the real
 * activities against the sandbox) against today's code, so a change that would break running
 * assessments (non-determinism) fails the build. Re-record with {@code
 * -Dlifeline.recordHistories=true} (the end-to-end test saves it) after an intended change, and
 * guard running executions with {@code Workflow.getVersion}.
 */
class CorruptionAssessmentReplayTest {
  @Test
  void recordedAssessmentReplays() throws Exception {
    WorkflowExecutionHistory history = RecordedHistories.load(CorruptionAssessmentEndToEndTest.RECORDED);
    assertThat(history.getEvents().stream().map(HistoryEvent::getEventType))
        .contains(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    assertThat(history.toJson(false)).contains("AssessDatabase").contains("AssessKvNamespace").contains("AssessR2Bucket")
        .contains("ListRecentDeployments");
    WorkflowReplayer.replayWorkflowExecution(history, CorruptionAssessmentImpl.class);
  }
}
