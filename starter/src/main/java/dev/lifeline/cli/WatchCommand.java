package dev.lifeline.cli;

import dev.lifeline.workflows.playbook.PlaybookState;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code lifeline watch}: live phase and progress until done or waiting for a person. */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description = {
      "Follow a playbook live until it finishes or waits for an approval.",
      "Shows phase, steps, progress, approvals, escalations. Stops when it",
      "finishes or waits for an approval (exit 0; 4 if it was aborted or failed)."
    })
final class WatchCommand implements Callable<Integer> {
  @ParentCommand LifelineCommand root;

  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Option(names = "--through-approvals", description = "Keep following while it waits for approvals, until it finishes.")
  boolean throughApprovals;

  @Option(names = "--interval", paramLabel = "DURATION", description = "Poll interval (default 1s).", defaultValue = "1s")
  String interval;

  @Option(names = "--json", description = "Print each changed status as one JSON line.")
  boolean json;

  @Override
  public Integer call() {
    Duration every;
    try {
      every = dev.lifeline.workflows.playbook.Durations.parse(interval);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--interval " + e.getMessage());
    }
    try (Session session = root.session()) {
      PlaybookStatus last =
          new Watcher(session, workflowId, root.spec.commandLine().getOut(), json, every)
              .follow(!throughApprovals);
      if (last.state() == PlaybookState.ABORTED || last.state() == PlaybookState.FAILED) {
        return ExitCodes.PLAYBOOK_STOPPED;
      }
      return ExitCodes.OK;
    }
  }
}
