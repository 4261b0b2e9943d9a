package dev.lifeline.cli;

import dev.lifeline.workflows.playbook.Decision;
import dev.lifeline.workflows.playbook.DecisionReceipt;
import dev.lifeline.workflows.playbook.PlaybookControl;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import dev.lifeline.workflows.playbook.PlaybookStatus.PendingApproval;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lifeline approve}: shows the pending plan and its hash, then sends the {@code decide}
 * update carrying that hash, so the approval can only apply to the plan that was shown.
 */
@Command(
    name = "approve",
    mixinStandardHelpOptions = true,
    description = {
      "Approve the pending step: shows the plan and approves exactly that plan.",
      "Shows the plan and its hash, then approves exactly that",
      "plan (a plan that changed in the meantime is refused). Exit 3 with the reason if refused."
    })
final class ApproveCommand implements Callable<Integer> {
  @ParentCommand LifelineCommand root;

  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Option(names = "--as", required = true, paramLabel = "NAME", description = "Who approves.")
  String as;

  @Option(names = "--step", paramLabel = "STEP", description = "The step approved (default: the pending one).")
  String step;

  @Option(names = "--comment", paramLabel = "TEXT", description = "Kept with the decision.")
  String comment;

  @Option(names = "--plan-hash", paramLabel = "HASH", description = "Approve only if the pending plan has this hash (full or 12+ characters).")
  String planHash;

  @Option(names = "--json", description = "Print the receipt as JSON.")
  boolean json;

  @Override
  public Integer call() {
    var out = root.spec.commandLine().getOut();
    try (Session session = root.session()) {
      PlaybookStatus status = session.status(workflowId);
      PendingApproval pending = status.pendingApproval();
      String chosenStep = step != null ? step : pending == null ? null : pending.step();
      String hash = planHash;
      if (pending != null && pending.step().equals(chosenStep)) {
        if (!json) {
          out.print(StatusRenderer.pending(pending, workflowId));
          out.println();
        }
        if (hash == null) {
          hash = pending.planHash();
        }
      }
      if (chosenStep == null) {
        throw new CliException(
            ExitCodes.REFUSED,
            workflowId + " is not waiting for an approval (" + status.state() + " — "
                + status.phase() + ")");
      }
      Decision decision = Decision.approve(chosenStep, as, hash, comment);
      DecisionReceipt receipt = Decisions.send(session, workflowId, decision);
      out.println(json ? Json.pretty(receipt) : receipt.message());
      return ExitCodes.OK;
    }
  }
}
