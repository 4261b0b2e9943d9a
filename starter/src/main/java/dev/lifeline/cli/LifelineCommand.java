package dev.lifeline.cli;

import dev.lifeline.workflows.catalog.PlaybookCatalog;
import dev.lifeline.workflows.client.TemporalSettings;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code lifeline}: start recovery playbooks, follow them, approve or abort their destructive
 * steps. Exit codes: 0 done, 1 failed, 2 usage, 3 refused by the workflow, 4 playbook aborted or
 * failed.
 */
@Command(
    name = "lifeline",
    mixinStandardHelpOptions = true,
    versionProvider = LifelineCommand.Version.class,
    description = {
      "Durable, human-approved recovery playbooks for Cloudflare D1, KV, R2 and SQLite, on Temporal.",
      ""
    },
    footer = {
      "",
      "Exit codes: 0 done, 1 failed, 2 usage, 3 refused by the workflow, 4 playbook aborted or failed.",
      "Connection: --address/--namespace/--task-queue or TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,"
          + " LIFELINE_TASK_QUEUE, TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA, TEMPORAL_API_KEY."
    },
    subcommands = {
      PlaybooksCommand.class,
      StartCommand.class,
      StatusCommand.class,
      WatchCommand.class,
      ApproveCommand.class,
      AbortCommand.class,
      ListCommand.class,
      SchedulesCommand.class,
      BackupsCommand.class,
      RestoreCommand.class,
      CommandLine.HelpCommand.class
    })
public class LifelineCommand implements Runnable {
  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  private final Map<String, String> env;
  private final Function<TemporalSettings, Session> sessions;
  private final PlaybookCatalog catalog;

  /** The command as people use it: process environment, real connections, class-path catalog. */
  public LifelineCommand() {
    this(System.getenv(), Session::open, PlaybookCatalog.load());
  }

  /**
   * A command with its collaborators given (tests, the distribution).
   *
   * @param env settings (normally the process environment)
   * @param sessions opens a session for the resolved settings
   * @param catalog the playbooks that can be started
   */
  public LifelineCommand(
      Map<String, String> env, Function<TemporalSettings, Session> sessions, PlaybookCatalog catalog) {
    this.env = env;
    this.sessions = sessions;
    this.catalog = catalog;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Opens a session with the resolved connection settings. */
  Session session() {
    return sessions.apply(settings());
  }

  /** The resolved connection settings. */
  TemporalSettings settings() {
    return connection.settings(env);
  }

  /** The settings environment. */
  Map<String, String> env() {
    return env;
  }

  /** The startable playbooks. */
  PlaybookCatalog catalog() {
    return catalog;
  }

  /**
   * A {@link CommandLine} for {@code root} with Lifeline's error handling: {@link CliException}s
   * print one message and exit with their code; other failures print their message and exit 1.
   */
  public static CommandLine commandLine(Object root) {
    CommandLine cl = new CommandLine(root);
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof CliException ce) {
            commandLine.getErr().println("lifeline: " + ce.getMessage());
            commandLine.getErr().flush();
            return ce.exitCode();
          }
          commandLine.getErr().println("lifeline: " + Session.rootMessage(ex));
          if (System.getenv("LIFELINE_DEBUG") != null) {
            ex.printStackTrace(commandLine.getErr());
          } else {
            commandLine.getErr().println("(set LIFELINE_DEBUG=1 for the stack trace)");
          }
          commandLine.getErr().flush();
          return ExitCodes.FAILED;
        });
    if (root instanceof LifelineCommand) {
      // Client-only: the drill runs on a running stack (the distribution adds an embedded one).
      cl.addSubcommand("drill", new DrillCommand());
    }
    // picocli's default exit code for invalid input is 2, which is ExitCodes.USAGE.
    return cl;
  }

  /** Runs the client-only CLI. */
  public static void main(String[] args) {
    System.exit(commandLine(new LifelineCommand()).execute(args));
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = LifelineCommand.class.getPackage().getImplementationVersion();
      return new String[] {"lifeline " + (v == null ? "(development build)" : v)};
    }
  }
}
