package dev.lifeline.distribution;

import dev.lifeline.cli.DrillCommand;
import dev.lifeline.cli.LifelineCommand;
import dev.lifeline.worker.logging.LoggingSetup;
import java.util.Set;
import picocli.CommandLine;

/**
 * The {@code lifeline} executable of the distribution ({@code lifeline.jar}, run by the
 * {@code ./lifeline} launcher): the CLI's commands plus those that run the process side in this
 * JVM, {@code worker} and {@code dev}.
 */
public final class Lifeline {
  private static final Set<String> PROCESS_COMMANDS = Set.of("worker", "dev", "sandbox");

  private Lifeline() {}

  /** Builds the full command line (also used by tests). */
  public static CommandLine commandLine(LifelineCommand root) {
    CommandLine cl = LifelineCommand.commandLine(root);
    cl.addSubcommand("worker", new WorkerCommand());
    cl.addSubcommand("dev", new DevCommand());
    cl.addSubcommand("sandbox", new SandboxCommand());
    cl.getSubcommands().get("backups").addSubcommand("import", new ImportCommand());
    // The drill can start the whole stack in this JVM when no Temporal server is given.
    cl.getCommandSpec().removeSubcommand("drill");
    cl.addSubcommand("drill", new DrillCommand(new EmbeddedDrillStacks()));
    return cl;
  }

  /** Entry point. */
  public static void main(String[] args) {
    boolean process = args.length > 0 && PROCESS_COMMANDS.contains(args[0]);
    if (!process && System.getenv("LIFELINE_LOG_LEVEL") == null) {
      // Client commands print their own output; library chatter would only get in the way.
      LoggingSetup.rootLevel("WARN");
    }
    int code = commandLine(new LifelineCommand()).execute(args);
    if (!process || code != 0) {
      System.exit(code);
    }
  }
}
