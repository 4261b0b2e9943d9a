package dev.lifeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeline.workflows.catalog.PlaybookDescriptor;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code lifeline start}: starts a playbook with a checked input. */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = {
      "Start a playbook with a JSON input checked against its fields.",
      "The input comes from --input FILE, then --set KEY=VALUE",
      "pairs (dotted keys nest: --set target.d1=monotask-production; values that parse as JSON",
      "are JSON: --set approvalsRequired=2 --set 'autoApprove=[\"restore\"]'). It is checked",
      "against the playbook's input fields before anything is sent."
    })
final class StartCommand implements Callable<Integer> {
  @ParentCommand LifelineCommand root;

  @Parameters(index = "0", paramLabel = "PLAYBOOK", description = "Playbook name (see `lifeline playbooks`).")
  String playbook;

  @Option(names = "--input", paramLabel = "FILE", description = "JSON file with the input.")
  Path input;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set an input field (repeatable).")
  List<String> sets;

  @Option(names = "--id", paramLabel = "ID", description = "Workflow id (default: <playbook>-<incident or time>-<random>).")
  String id;

  @Option(names = "--as", paramLabel = "NAME", description = "Who starts it (initiatedBy; default: $LIFELINE_USER or $USER).")
  String as;

  @Option(names = "--incident", paramLabel = "ID", description = "Incident id (incidentId).")
  String incident;

  @Option(names = "--wait", description = "Follow the playbook until it finishes (through approvals) and print its result.")
  boolean await;

  @Option(names = "--dry-run", description = "Check and print the input; start nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    var out = root.spec.commandLine().getOut();
    PlaybookDescriptor p =
        root.catalog()
            .find(playbook)
            .orElseThrow(
                () ->
                    CliException.usage(
                        "unknown playbook '" + playbook + "'; known: "
                            + (root.catalog().all().isEmpty()
                                ? "(none in this build)"
                                : String.join(", ", root.catalog().all().stream().map(PlaybookDescriptor::name).toList()))));
    ObjectNode in = PlaybookInputs.build(input, sets);
    if (incident != null) {
      in.put("incidentId", incident);
    }
    if (as != null) {
      in.put("initiatedBy", as);
    } else if (!in.hasNonNull("initiatedBy")) {
      String who = root.env().getOrDefault("LIFELINE_USER", root.env().get("USER"));
      if (who != null && !who.isBlank()) {
        in.put("initiatedBy", who);
      }
    }
    PlaybookInputs.check(in, p.inputType());
    if (dryRun) {
      out.println(Json.pretty(in));
      return ExitCodes.OK;
    }
    String workflowId = id != null ? id : defaultId(p, in);
    try (Session session = root.session()) {
      WorkflowStub stub =
          session.client()
              .newUntypedWorkflowStub(
                  p.workflowType(),
                  WorkflowOptions.newBuilder()
                      .setWorkflowId(workflowId)
                      .setTaskQueue(session.settings().taskQueue())
                      .setWorkflowIdConflictPolicy(
                          WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
                      .setStaticSummary(summary(p, in))
                      .setStaticDetails("```json\n" + Json.pretty(in) + "\n```")
                      .build());
      try {
        session.call(workflowId, () -> stub.start(in));
      } catch (CliException e) {
        throw e;
      } catch (WorkflowExecutionAlreadyStarted e) {
        throw new CliException(
            ExitCodes.FAILED,
            "a playbook with id " + workflowId + " is already running; follow it with `lifeline"
                + " watch " + workflowId + "` or pick another --id");
      }
      if (!await) {
        if (json) {
          out.println(Json.pretty(java.util.Map.of("workflowId", workflowId, "playbook", p.workflowType())));
        } else {
          out.println("Started " + p.workflowType() + " as " + workflowId);
          out.println("  follow:  lifeline watch " + workflowId);
          out.println("  status:  lifeline status " + workflowId);
        }
        return ExitCodes.OK;
      }
      if (!json) {
        out.println("Started " + p.workflowType() + " as " + workflowId + "; following it (Ctrl-C stops following, not the playbook).");
      }
      PlaybookStatus last =
          new Watcher(session, workflowId, out, json, Duration.ofMillis(500)).follow(false);
      return printResult(session, workflowId, last, out);
    }
  }

  private int printResult(Session session, String workflowId, PlaybookStatus last, java.io.PrintWriter out) {
    try {
      JsonNode result = session.call(workflowId, () -> session.stub(workflowId).getResult(JsonNode.class));
      out.println();
      if (!json && result != null && result.hasNonNull("markdown")) {
        out.println(result.get("markdown").asText());
      } else {
        out.println(Json.pretty(result));
      }
      return ExitCodes.OK;
    } catch (WorkflowFailedException e) {
      if (!json) {
        root.spec.commandLine().getErr().println("lifeline: " + workflowId + " " + last.state() + ": " + Session.rootMessage(e));
      } else {
        out.println(Json.pretty(last));
      }
      return ExitCodes.PLAYBOOK_STOPPED;
    }
  }

  private static String defaultId(PlaybookDescriptor p, ObjectNode in) {
    String middle =
        in.hasNonNull("incidentId")
            ? in.get("incidentId").asText().replaceAll("[^A-Za-z0-9_-]", "-")
            : ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    return p.name().toLowerCase(Locale.ROOT) + "-" + middle + "-"
        + UUID.randomUUID().toString().substring(0, 6);
  }

  private static String summary(PlaybookDescriptor p, ObjectNode in) {
    StringBuilder b = new StringBuilder(p.workflowType());
    JsonNode target = in.get("target");
    if (target != null) {
      b.append(" of ").append(target.isObject() && target.size() == 1
          ? target.fieldNames().next() + ":" + target.elements().next().asText()
          : target.toString());
    }
    if (in.hasNonNull("incidentId")) {
      b.append(" (incident ").append(in.get("incidentId").asText()).append(')');
    }
    if (in.hasNonNull("initiatedBy")) {
      b.append(", started by ").append(in.get("initiatedBy").asText());
    }
    return b.toString();
  }
}
