package dev.lifeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeline.workflows.drill.DrillInput;
import dev.lifeline.workflows.drill.RecoveryDrill;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lifeline drill}: runs the {@code RecoveryDrill} playbook and writes its report. With no
 * Temporal address given (no {@code --address}, no {@code TEMPORAL_ADDRESS}) and an embedded stack
 * available (the distribution's {@code lifeline}), it first starts the Java Temporal test server,
 * the sandbox Cloudflare account with sample data and a worker in this JVM, on free ports.
 */
@Command(
    name = "drill",
    mixinStandardHelpOptions = true,
    description = {
      "Run the recovery drill and write its JSON and Markdown report.",
      "Backs up the D1 database and the KV namespace (verified), restores those backups into",
      "drill copies (<database>-recovery-test, <namespace>-recovery-test), damages the copies,",
      "runs CorruptionAssessment and PointInTimeRestore as it recommends, and checks each copy",
      "holds exactly its recovery point's data. The sources are only read. Reports RTO and RPO",
      "per component against the runbook's targets (D1 1 h / 24 h, KV 30 min / 1 h).",
      "",
      "Without --address or TEMPORAL_ADDRESS, runs everything in this JVM: the Java Temporal test",
      "server, the sandbox Cloudflare account with the MonoTask sample data, and a worker.",
      "With them, starts the drill on that Temporal server (a worker must be running there).",
      "The drill's one gate is approved by a recorded policy (autoApprove *).",
      "Exit code 0 when the drill passed, 1 when it ran and failed, 4 when it stopped."
    })
public final class DrillCommand implements Callable<Integer> {
  /** A stack this command starts in its own JVM (the distribution provides it). */
  public interface EmbeddedStack extends AutoCloseable {
    /** A session on the stack's Temporal server. */
    Session session();

    /** The sample D1 database. */
    String database();

    /** The sample KV namespace. */
    String kvNamespace();

    /** The rule set that fits the sample data, or null. */
    String ruleSet();

    /** One line: what was started. */
    String summary();

    /** How to connect to the stack (for {@code --keep}). */
    String connectionHelp();

    @Override
    void close();
  }

  /** Starts an {@link EmbeddedStack}. */
  public interface EmbeddedStacks {
    /**
     * @param size sample data size ({@code tiny}, {@code small} or a number of tasks)
     * @param port Temporal port (0: a free one)
     */
    EmbeddedStack start(String size, int port);
  }

  @ParentCommand LifelineCommand root;

  private final EmbeddedStacks embedded;

  @Option(names = "--components", split = ",", paramLabel = "d1,kv", description = "What to drill (default d1,kv).")
  List<String> components;

  @Option(names = "--database", paramLabel = "NAME", description = "D1 database whose backups are drilled (default: the sample database, or D1_DATABASE_NAME).")
  String database;

  @Option(names = "--kv-namespace", paramLabel = "TITLE", description = "KV namespace whose backups are drilled (default: SESSIONS in the sandbox, or the first of LIFELINE_KV_NAMESPACES).")
  String kvNamespace;

  @Option(names = "--size", paramLabel = "SIZE", description = "Embedded stack only: sample data, tiny (default), small, or a number of tasks.")
  String size;

  @Option(names = "--port", defaultValue = "0", paramLabel = "PORT", description = "Embedded stack only: Temporal port (default: a free one).")
  int port;

  @Option(names = "--keep", description = "Embedded stack only: keep the stack running after the drill (for the CLI or tools) until Ctrl-C.")
  boolean keep;

  @Option(names = "--seed", paramLabel = "N", description = "Chooses which rows and keys are damaged (default 1).")
  Long seed;

  @Option(names = "--rule-set", paramLabel = "NAME", description = "Rule set the assessment also checks (default: monotask for the sample data).")
  String ruleSet;

  @Option(names = "--report-dir", defaultValue = "drill-reports", paramLabel = "DIR", description = "Where to write <id>.json and <id>.md (default ./drill-reports).")
  Path reportDir;

  @Option(names = "--id", paramLabel = "ID", description = "Workflow id (default drill-<time>-<random>).")
  String id;

  @Option(names = "--incident", paramLabel = "ID", description = "Incident or change id (incidentId).")
  String incident;

  @Option(names = "--json", description = "Print the status stream and the report as JSON.")
  boolean json;

  /** The client-only command: always uses a running stack. */
  public DrillCommand() {
    this(null);
  }

  /** @param embedded starts a stack in this JVM, or null when this build has none */
  public DrillCommand(EmbeddedStacks embedded) {
    this.embedded = embedded;
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = root.spec.commandLine().getOut();
    boolean pointed = root.connection.address != null || nonBlank(root.env().get("TEMPORAL_ADDRESS"));
    boolean useEmbedded = embedded != null && !pointed;
    if (!useEmbedded && (size != null || keep || port != 0)) {
      throw CliException.usage("--size, --port and --keep apply to the embedded stack only; this drill uses the"
          + " Temporal server at " + root.settings().address());
    }
    if (root.catalog().find(RecoveryDrill.TYPE).isEmpty()) {
      throw CliException.usage("this build has no RecoveryDrill playbook");
    }
    String sizeOrDefault = size == null ? "tiny" : size;
    EmbeddedStack stack = null;
    Session session;
    ObjectNode in;
    if (useEmbedded) {
      checkComponents();
      out.println("Starting the embedded stack (Java Temporal test server, sandbox Cloudflare account, worker)...");
      out.flush();
      stack = embedded.start(sizeOrDefault, port);
      in = input(database != null ? database : stack.database(), kvNamespace != null ? kvNamespace : stack.kvNamespace());
      if (ruleSet == null && stack.ruleSet() != null) {
        in.put("ruleSet", stack.ruleSet());
      }
      out.println(stack.summary());
      session = stack.session();
    } else {
      String namespaces = root.env().get("LIFELINE_KV_NAMESPACES");
      String firstNamespace = namespaces == null || namespaces.isBlank() ? null : namespaces.split(",")[0].trim();
      in = input(database != null ? database : root.env().get("D1_DATABASE_NAME"),
          kvNamespace != null ? kvNamespace : firstNamespace);
      session = root.session();
      out.println("Using the Temporal server at " + session.settings().address() + ", task queue "
          + session.settings().taskQueue() + " (a Lifeline worker must be polling it).");
    }
    try {
      PlaybookInputs.check(in, DrillInput.class);
      int code = run(session, in, out);
      if (stack != null && keep) {
        out.println();
        out.print(stack.connectionHelp());
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        EmbeddedStack s = stack;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          s.close();
          stopped.countDown();
        }, "lifeline-drill-shutdown"));
        stack = null; // closed by the hook
        stopped.await();
      }
      return code;
    } finally {
      if (stack != null) {
        stack.close();
      } else if (!useEmbedded) {
        session.close();
      }
    }
  }

  private int run(Session session, ObjectNode in, PrintWriter out) {
    String workflowId = id != null ? id : "drill-"
        + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
        + UUID.randomUUID().toString().substring(0, 6);
    WorkflowStub stub = session.client().newUntypedWorkflowStub(RecoveryDrill.TYPE,
        WorkflowOptions.newBuilder()
            .setWorkflowId(workflowId)
            .setTaskQueue(session.settings().taskQueue())
            .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
            .setStaticSummary("Recovery drill of " + describe(in) + ", started by " + in.get("initiatedBy").asText())
            .setStaticDetails("```json\n" + Json.pretty(in) + "\n```")
            .build());
    session.call(workflowId, () -> stub.start(in));
    if (!json) {
      out.println("Started RecoveryDrill as " + workflowId + " on " + describe(in) + ".");
      out.flush();
    }
    PlaybookStatus last = new Watcher(session, workflowId, out, json, Duration.ofMillis(500)).follow(false);
    JsonNode report;
    try {
      report = session.call(workflowId, () -> session.stub(workflowId).getResult(JsonNode.class));
    } catch (WorkflowFailedException e) {
      root.spec.commandLine().getErr().println("lifeline: drill " + workflowId + " " + last.state() + ": "
          + Session.rootMessage(e));
      return ExitCodes.PLAYBOOK_STOPPED;
    }
    List<Path> written = write(workflowId, report);
    out.println();
    if (json) {
      out.println(Json.pretty(report));
    } else {
      out.println(report.path("markdown").asText());
      for (Path p : written) {
        out.println("Report: " + p);
      }
    }
    out.flush();
    return report.path("passed").asBoolean(false) ? ExitCodes.OK : ExitCodes.FAILED;
  }

  private List<Path> write(String workflowId, JsonNode report) {
    List<Path> written = new ArrayList<>();
    try {
      Files.createDirectories(reportDir);
      Path jsonFile = reportDir.resolve(workflowId + ".json");
      Files.writeString(jsonFile, Json.pretty(report) + "\n", StandardCharsets.UTF_8);
      written.add(jsonFile);
      Path md = reportDir.resolve(workflowId + ".md");
      Files.writeString(md, report.path("markdown").asText(), StandardCharsets.UTF_8);
      written.add(md);
    } catch (IOException e) {
      // The report is still printed and kept in the workflow's result.
      root.spec.commandLine().getErr().println("lifeline: cannot write the report to " + reportDir + ": " + e.getMessage()
          + " (it is printed below and kept as the workflow's result)");
    }
    return written;
  }

  private ObjectNode input(String db, String kv) {
    ObjectNode in = Json.MAPPER.createObjectNode();
    if (components != null) {
      ArrayNode c = in.putArray("components");
      components.forEach(x -> c.add(x.trim().toLowerCase(Locale.ROOT)));
    }
    if (db != null && drills("d1")) {
      in.put("database", db);
    }
    if (kv != null && drills("kv")) {
      in.put("kvNamespace", kv);
    }
    if (seed != null) {
      in.put("seed", seed);
    }
    if (ruleSet != null) {
      in.put("ruleSet", ruleSet);
    }
    if (incident != null) {
      in.put("incidentId", incident);
    }
    String who = root.env().getOrDefault("LIFELINE_USER", root.env().get("USER"));
    in.put("initiatedBy", "lifeline drill" + (nonBlank(who) ? " (" + who + ")" : ""));
    // The recorded policy: the drill's one gate is approved without a person, and says so.
    in.put("separationOfDuties", false);
    in.putArray("autoApprove").add("*");
    return in;
  }

  private void checkComponents() {
    if (components == null) {
      return;
    }
    for (String c : components) {
      if (!DrillInput.KNOWN_COMPONENTS.contains(c.trim().toLowerCase(Locale.ROOT))) {
        throw CliException.usage("--components takes d1 and/or kv (got \"" + c + "\")");
      }
    }
  }

  private boolean drills(String component) {
    return components == null || components.stream().anyMatch(c -> c.trim().equalsIgnoreCase(component));
  }

  private static String describe(JsonNode in) {
    List<String> parts = new ArrayList<>();
    if (in.hasNonNull("database")) {
      parts.add("d1:" + in.get("database").asText());
    }
    if (in.hasNonNull("kvNamespace")) {
      parts.add("kv:" + in.get("kvNamespace").asText());
    }
    return parts.isEmpty() ? "nothing" : String.join(" and ", parts);
  }

  private static boolean nonBlank(String s) {
    return s != null && !s.isBlank();
  }
}
