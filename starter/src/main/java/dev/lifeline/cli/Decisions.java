package dev.lifeline.cli;

import dev.lifeline.workflows.playbook.Decision;
import dev.lifeline.workflows.playbook.DecisionReceipt;
import dev.lifeline.workflows.playbook.PlaybookControl;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowUpdateException;

/** Sends decisions with the {@code decide} update and turns refusals into exit code 3. */
final class Decisions {
  private Decisions() {}

  static DecisionReceipt send(Session session, String workflowId, Decision decision) {
    // A finished run cannot take decisions. Say so from its recorded state instead of sending an
    // update to a closed workflow (which the dev server would leave waiting).
    WorkflowExecutionStatus status =
        session.describe(workflowId).getWorkflowExecutionInfo().getStatus();
    if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      String state;
      try {
        state = session.status(workflowId).state().name();
      } catch (CliException e) {
        state = status.name().replace("WORKFLOW_EXECUTION_STATUS_", "");
      }
      throw new CliException(
          ExitCodes.REFUSED, "refused: the playbook has already finished (" + state + ")");
    }
    try {
      return session.call(
          workflowId,
          () -> session.stub(workflowId).update(PlaybookControl.DECIDE, DecisionReceipt.class, decision));
    } catch (WorkflowUpdateException e) {
      throw new CliException(ExitCodes.REFUSED, "refused: " + Session.rootMessage(e));
    }
  }
}
