package dev.lifeline.cli;

import dev.lifeline.workflows.playbook.PlaybookStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code lifeline status}: the whole picture of one playbook run. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show a playbook's state, steps, pending approval with its plan, decisions, findings and undo.")
final class StatusCommand implements Callable<Integer> {
  @ParentCommand LifelineCommand root;

  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Option(names = "--json", description = "Print the status query's JSON.")
  boolean json;

  @Override
  public Integer call() {
    try (Session session = root.session()) {
      PlaybookStatus s = session.status(workflowId);
      var out = root.spec.commandLine().getOut();
      out.print(json ? Json.pretty(s) + "\n" : StatusRenderer.render(s));
      out.flush();
      return ExitCodes.OK;
    }
  }
}
