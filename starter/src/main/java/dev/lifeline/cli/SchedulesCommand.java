package dev.lifeline.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleUpdate;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lifeline schedules}: the recurring backup, replication, retention and drill jobs. */
@Command(
    name = "schedules",
    mixinStandardHelpOptions = true,
    description = "Create or update the recurring jobs as Temporal Schedules (or cron workflows).",
    subcommands = {SchedulesCommand.Apply.class})
final class SchedulesCommand implements Runnable {
  @ParentCommand LifelineCommand root;

  @Override
  public void run() {
    root.spec.commandLine().getSubcommands().get("schedules").usage(root.spec.commandLine().getOut());
  }

  /** {@code lifeline schedules apply}. */
  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      description = {
        "Create or update the recurring jobs: D1 backup daily 02:00 UTC, KV backup hourly, R2",
        "replication every 15 minutes, retention daily 03:00 UTC, recovery drill monthly on the 1st.",
        "Uses Temporal Schedules; a server without Schedules (the Java test server of `lifeline dev`)",
        "is told so, and --cron-workflows starts the same jobs as cron workflows instead."
      })
  static final class Apply implements Callable<Integer> {
    @ParentCommand SchedulesCommand parent;

    @Option(names = "--database", paramLabel = "NAME", description = "D1 database to back up (env D1_DATABASE_NAME).")
    String database;

    @Option(names = "--kv-namespace", paramLabel = "NS", description = "KV namespace to back up (repeatable; env LIFELINE_KV_NAMESPACES, comma-separated).")
    List<String> kvNamespaces;

    @Option(names = "--r2-bucket", paramLabel = "BUCKET", description = "R2 bucket to replicate (repeatable; default: all but the backup buckets).")
    List<String> r2Buckets;

    @Option(names = "--cron-workflows", description = "Start cron workflows instead of Schedules (for servers without Schedules).")
    boolean cron;

    @Option(names = "--dry-run", description = "Print what would be created; change nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      LifelineCommand root = parent.root;
      var out = root.spec.commandLine().getOut();
      String db = database != null ? database : root.env().get("D1_DATABASE_NAME");
      List<String> ns = kvNamespaces;
      if ((ns == null || ns.isEmpty()) && root.env().get("LIFELINE_KV_NAMESPACES") != null) {
        ns = Arrays.stream(root.env().get("LIFELINE_KV_NAMESPACES").split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).toList();
      }
      List<String> skipped = new ArrayList<>();
      List<LifelineSchedules.Definition> defs =
          LifelineSchedules.definitions(db, ns, r2Buckets, root.catalog(), skipped);
      List<Map<String, Object>> results = new ArrayList<>();
      if (dryRun) {
        for (LifelineSchedules.Definition d : defs) {
          results.add(row(d, "would apply"));
        }
        return print(out, results, skipped);
      }
      try (Session session = root.session()) {
        if (cron) {
          for (LifelineSchedules.Definition d : defs) {
            results.add(row(d, startCron(session, d)));
          }
        } else {
          ScheduleClient schedules =
              ScheduleClient.newInstance(
                  session.client().getWorkflowServiceStubs(),
                  ScheduleClientOptions.newBuilder().setNamespace(session.settings().namespace()).build());
          for (LifelineSchedules.Definition d : defs) {
            try {
              results.add(row(d, applySchedule(schedules, session, d)));
            } catch (RuntimeException failure) {
              StatusRuntimeException e = Session.grpcCause(failure);
              if (e == null) {
                throw failure;
              }
              if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                throw new CliException(ExitCodes.FAILED,
                    "this Temporal server has no Schedules (the Java test server used by `lifeline dev`"
                        + " lacks them). Run `lifeline schedules apply --cron-workflows` to start the same"
                        + " jobs as cron workflows instead.");
              }
              throw session.grpcProblem(null, e);
            }
          }
        }
      }
      return print(out, results, skipped);
    }

    private static String applySchedule(ScheduleClient schedules, Session session, LifelineSchedules.Definition d) {
      Schedule schedule =
          Schedule.newBuilder()
              .setAction(
                  ScheduleActionStartWorkflow.newBuilder()
                      .setWorkflowType(d.workflowType())
                      .setArguments(d.input())
                      .setOptions(
                          WorkflowOptions.newBuilder()
                              .setWorkflowId(d.id())
                              .setTaskQueue(session.settings().taskQueue())
                              .setStaticSummary(d.description())
                              .build())
                      .build())
              .setSpec(ScheduleSpec.newBuilder().setCronExpressions(List.of(d.cron())).build())
              .setPolicy(
                  SchedulePolicy.newBuilder()
                      .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
                      .setCatchupWindow(Duration.ofHours(1))
                      .build())
              .build();
      try {
        schedules.createSchedule(d.id(), schedule, ScheduleOptions.newBuilder().build());
        return "created schedule";
      } catch (ScheduleAlreadyRunningException e) {
        schedules.getHandle(d.id()).update(input -> new ScheduleUpdate(schedule));
        return "updated schedule";
      }
    }

    private static String startCron(Session session, LifelineSchedules.Definition d) {
      var stub =
          session.client().newUntypedWorkflowStub(
              d.workflowType(),
              WorkflowOptions.newBuilder()
                  .setWorkflowId(d.id())
                  .setTaskQueue(session.settings().taskQueue())
                  .setCronSchedule(d.cron())
                  .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
                  .setStaticSummary(d.description())
                  .build());
      try {
        session.call(d.id(), () -> stub.start(d.input()));
        return "started cron workflow";
      } catch (WorkflowExecutionAlreadyStarted e) {
        return "already running as a cron workflow (terminate " + d.id() + " to change it)";
      }
    }

    private static Map<String, Object> row(LifelineSchedules.Definition d, String result) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", d.id());
      m.put("workflowType", d.workflowType());
      m.put("cron", d.cron());
      m.put("description", d.description());
      m.put("input", d.input());
      m.put("result", result);
      return m;
    }

    private int print(java.io.PrintWriter out, List<Map<String, Object>> results, List<String> skipped) {
      if (json) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schedules", results);
        doc.put("skipped", skipped);
        out.println(Json.pretty(doc));
        return ExitCodes.OK;
      }
      for (Map<String, Object> r : results) {
        out.printf("%-26s %-14s %-16s %s%n", r.get("id"), r.get("cron"), r.get("result"), r.get("description"));
      }
      for (String s : skipped) {
        out.println("skipped: " + s);
      }
      return ExitCodes.OK;
    }
  }
}
