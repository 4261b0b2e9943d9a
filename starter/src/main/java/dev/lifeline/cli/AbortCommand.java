package dev.lifeline.cli;

import dev.lifeline.workflows.playbook.Decision;
import dev.lifeline.workflows.playbook.DecisionReceipt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code lifeline abort}: stops a playbook; after a destructive step it undoes what was done. */
@Command(
    name = "abort",
    mixinStandardHelpOptions = true,
    description = {
      "Abort a playbook, undoing any destructive step already done.",
      "Before a destructive step it stops with nothing changed; after one it",
      "runs the registered undo actions and reports what was undone. Exit 3 if refused."
    })
final class AbortCommand implements Callable<Integer> {
  @ParentCommand LifelineCommand root;

  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Option(names = "--as", required = true, paramLabel = "NAME", description = "Who aborts.")
  String as;

  @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why.")
  String reason;

  @Option(names = "--json", description = "Print the receipt as JSON.")
  boolean json;

  @Override
  public Integer call() {
    try (Session session = root.session()) {
      DecisionReceipt receipt = Decisions.send(session, workflowId, Decision.abort(as, reason));
      var out = root.spec.commandLine().getOut();
      out.println(json ? Json.pretty(receipt) : receipt.message());
      if (!json) {
        out.println("Follow the undo with: lifeline watch " + workflowId);
      }
      return ExitCodes.OK;
    }
  }
}
