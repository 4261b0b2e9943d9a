package dev.lifeline.cli;

import dev.lifeline.workflows.playbook.PlaybookState;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lifeline list}: running playbooks, found with a visibility query on the Lifeline search
 * attributes. The Java test server (the dev stack) has no visibility queries: there it lists open
 * workflows with the older list API and asks each Lifeline playbook for its status, and says so.
 */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = {
      "List playbook runs (running ones by default).",
      "On a real Temporal server this is a",
      "visibility query on the Lifeline search attributes; on the dev server, which has none,",
      "it lists open workflows and asks each playbook for its status (noted in the output)."
    })
final class ListCommand implements Callable<Integer> {
  @ParentCommand LifelineCommand root;

  @Option(names = "--awaiting-approval", description = "Only runs waiting for an approval.")
  boolean awaitingApproval;

  @Option(names = "--all", description = "Include finished runs.")
  boolean all;

  @Option(names = "--limit", defaultValue = "100", description = "At most this many (default 100).")
  int limit;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  /** One row of the listing. */
  record Row(
      String workflowId,
      String playbook,
      String state,
      String detail,
      String incident,
      String target,
      Instant started) {}

  @Override
  public Integer call() {
    var out = root.spec.commandLine().getOut();
    try (Session session = root.session()) {
      String note = null;
      List<Row> rows;
      try {
        rows = visibility(session);
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code != Status.Code.UNIMPLEMENTED && code != Status.Code.INVALID_ARGUMENT) {
          throw session.grpcProblem(null, e);
        }
        note =
            code == Status.Code.UNIMPLEMENTED
                ? "this server has no visibility queries (the dev server): listed open workflows"
                    + " and asked each playbook for its status"
                : "the Lifeline search attributes are not registered on this namespace: listed"
                    + " open workflows instead (" + e.getStatus().getDescription() + ")";
        rows = fallback(session);
      }
      if (json) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("runs", rows);
        if (note != null) {
          doc.put("note", note);
        }
        out.println(Json.pretty(doc));
        return ExitCodes.OK;
      }
      if (rows.isEmpty()) {
        out.println(awaitingApproval ? "No playbook is waiting for an approval." : "No playbook runs.");
      } else {
        out.printf("%-40s %-22s %-18s %-12s %s%n", "WORKFLOW ID", "PLAYBOOK", "STATE", "INCIDENT", "DETAIL");
        for (Row r : rows) {
          out.printf("%-40s %-22s %-18s %-12s %s%n", r.workflowId(), r.playbook(), r.state(),
              r.incident() == null ? "-" : r.incident(), r.detail() == null ? "" : r.detail());
        }
      }
      if (note != null) {
        out.println("(note: " + note + ")");
      }
      return ExitCodes.OK;
    }
  }

  private List<Row> visibility(Session session) {
    StringBuilder q = new StringBuilder("LifelinePlaybook IS NOT NULL");
    if (!all) {
      q.append(" AND ExecutionStatus = 'Running'");
    }
    if (awaitingApproval) {
      q.append(" AND LifelineAwaitingApproval = true");
    }
    ListWorkflowExecutionsResponse r =
        session.client().getWorkflowServiceStubs().blockingStub()
            .listWorkflowExecutions(
                ListWorkflowExecutionsRequest.newBuilder()
                    .setNamespace(session.settings().namespace())
                    .setQuery(q.toString())
                    .setPageSize(limit)
                    .build());
    List<Row> rows = new ArrayList<>();
    for (WorkflowExecutionInfo info : r.getExecutionsList()) {
      var sa = info.getSearchAttributes().getIndexedFieldsMap();
      rows.add(
          new Row(
              info.getExecution().getWorkflowId(),
              info.getType().getName(),
              info.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", ""),
              sa.containsKey("LifelineAwaitingApproval") && decode(sa.get("LifelineAwaitingApproval")).equals("true")
                  ? "awaiting approval" : null,
              sa.containsKey("LifelineIncident") ? decode(sa.get("LifelineIncident")) : null,
              sa.containsKey("LifelineTarget") ? decode(sa.get("LifelineTarget")) : null,
              Instant.ofEpochSecond(info.getStartTime().getSeconds())));
    }
    return rows;
  }

  private static String decode(io.temporal.api.common.v1.Payload p) {
    Object v = io.temporal.common.converter.DefaultDataConverter.STANDARD_INSTANCE
        .fromPayload(p, Object.class, Object.class);
    if (v instanceof List<?> list && !list.isEmpty()) {
      v = list.get(0);
    }
    return String.valueOf(v);
  }

  private List<Row> fallback(Session session) {
    var stub = session.client().getWorkflowServiceStubs().blockingStub();
    String ns = session.settings().namespace();
    List<WorkflowExecutionInfo> infos = new ArrayList<>(
        stub.listOpenWorkflowExecutions(
                ListOpenWorkflowExecutionsRequest.newBuilder().setNamespace(ns).setMaximumPageSize(limit).build())
            .getExecutionsList());
    if (all) {
      infos.addAll(
          stub.listClosedWorkflowExecutions(
                  ListClosedWorkflowExecutionsRequest.newBuilder().setNamespace(ns).setMaximumPageSize(limit).build())
              .getExecutionsList());
    }
    List<Row> rows = new ArrayList<>();
    for (WorkflowExecutionInfo info : infos) {
      if (!root.catalog().isPlaybookType(info.getType().getName())) {
        continue;
      }
      String id = info.getExecution().getWorkflowId();
      PlaybookStatus s;
      try {
        s = session.status(id);
      } catch (CliException e) {
        rows.add(new Row(id, info.getType().getName(), "UNKNOWN", e.getMessage(), null, null,
            Instant.ofEpochSecond(info.getStartTime().getSeconds())));
        continue;
      }
      if (awaitingApproval && s.state() != PlaybookState.AWAITING_APPROVAL) {
        continue;
      }
      String detail =
          s.pendingApproval() != null
              ? "awaiting approval of '" + s.pendingApproval().step() + "'"
              : s.phase();
      rows.add(new Row(id, s.playbook(), s.state().name(), detail, s.incidentId(), s.target(), s.startedAt()));
      if (rows.size() >= limit) {
        break;
      }
    }
    return rows;
  }
}
