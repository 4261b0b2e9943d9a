package dev.lifeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.workflows.catalog.PlaybookCatalog;
import dev.lifeline.workflows.testing.FixedWorkerEnvironment;
import dev.lifeline.workflows.testing.GateRehearsalImpl;
import dev.lifeline.workflows.testing.RecordingNotifier;
import dev.lifeline.workflows.testing.RehearsalStore;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The CLI's commands against the Temporal test server, through the same code path as
 * {@code lifeline} on a terminal (only the connection is the in-process test server's).
 */
class CliTest {
  private static final RehearsalStore STORE = new RehearsalStore();

  @RegisterExtension
  static final TestWorkflowExtension TEMPORAL =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(GateRehearsalImpl.class)
          .setActivityImplementations(STORE, new RecordingNotifier(), new FixedWorkerEnvironment(false))
          .build();

  private WorkflowClient client;
  private String taskQueue;
  private String table;

  @BeforeEach
  void setUp(WorkflowClient client, Worker worker) {
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    this.table = "t" + UUID.randomUUID().toString().substring(0, 8);
    STORE.seed(table, 4);
  }

  /** Output and exit code of one command. */
  record Run(int exit, String out, String err) {}

  private Run lifeline(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    LifelineCommand root =
        new LifelineCommand(
            Map.of("USER", "alice"),
            settings -> Session.wrap(client, taskQueue),
            PlaybookCatalog.load());
    CommandLine cl = LifelineCommand.commandLine(root);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void startApproveAndWatchToCompletion() {
    String id = "cli-" + table;
    Run start = lifeline("start", "rehearsal", "--set", "target=" + table, "--id", id, "--incident", "INC-3");
    assertThat(start.exit()).as(start.err()).isZero();
    assertThat(start.out()).contains("Started GateRehearsal as " + id);

    Run watch = lifeline("watch", id, "--interval", "100ms");
    assertThat(watch.exit()).as(watch.err()).isZero();
    assertThat(watch.out())
        .contains("Awaiting approval of step 'apply' (0 of 1 approvals)")
        .contains("lifeline approve " + id + " --as NAME --step apply")
        .contains("- rewrite 4 rows");

    Run self = lifeline("approve", id, "--as", "alice");
    assertThat(self.exit()).isEqualTo(ExitCodes.REFUSED);
    assertThat(self.err()).contains("refused: separation of duties: alice started this playbook");

    Run stale = lifeline("approve", id, "--as", "bob", "--plan-hash", "abcdefabcdef");
    assertThat(stale.exit()).isEqualTo(ExitCodes.REFUSED);
    assertThat(stale.err()).contains("stale plan hash");

    Run ok = lifeline("approve", id, "--as", "bob", "--comment", "checked the snapshot");
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("Plan ").contains("step 'apply' approved (1 of 1)");

    lifeline("watch", id, "--interval", "100ms");
    Run second = lifeline("approve", id, "--as", "carol", "--step", "finalize");
    assertThat(second.exit()).as(second.err()).isZero();

    Run done = lifeline("watch", id, "--interval", "100ms", "--through-approvals");
    assertThat(done.exit()).isZero();
    assertThat(done.out()).contains("COMPLETED: Rewrote 4 rows of " + table + " and finalized it.");

    Run status = lifeline("status", id);
    assertThat(status.out())
        .contains("State: COMPLETED")
        .contains("incident INC-3")
        .contains("APPROVE apply by bob (update) — checked the snapshot");
    Run json = lifeline("status", id, "--json");
    assertThat(json.out()).contains("\"state\" : \"COMPLETED\"").contains("\"initiatedBy\" : \"alice\"");
  }

  @Test
  void startWaitPrintsTheResultAndAbortEndsWithExitFour() throws Exception {
    String id = "cli-abort-" + table;
    lifeline("start", "rehearsal", "--set", "target=" + table, "--id", id);
    lifeline("watch", id, "--interval", "100ms");
    Run abort = lifeline("abort", id, "--as", "bob", "--reason", "wrong table");
    assertThat(abort.exit()).as(abort.err()).isZero();
    assertThat(abort.out()).contains("abort accepted; nothing has been changed");
    Run watch = lifeline("watch", id, "--interval", "100ms");
    assertThat(watch.exit()).isEqualTo(ExitCodes.PLAYBOOK_STOPPED);
    assertThat(watch.out()).contains("ABORTED: Aborted by bob: wrong table.");

    Run again = lifeline("abort", id, "--as", "bob", "--reason", "twice");
    assertThat(again.exit()).isEqualTo(ExitCodes.REFUSED);
    assertThat(again.err()).contains("already finished (ABORTED)");

    String auto = "cli-auto-" + table;
    Run wait =
        lifeline("start", "rehearsal", "--set", "target=" + table, "--id", auto,
            "--set", "autoApprove=[\"*\"]", "--set", "separationOfDuties=false", "--wait");
    assertThat(wait.exit()).as(wait.err()).isZero();
    assertThat(wait.out()).contains("\"rowsRewritten\" : 4").contains("AUTO_APPROVED");
  }

  @Test
  void inputMistakesAreUsageErrorsAndNothingIsStarted(@TempDir Path dir) throws Exception {
    Run typo = lifeline("start", "rehearsal", "--set", "targt=x");
    assertThat(typo.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(typo.err()).contains("unknown field 'targt' (known: ").contains("approvalsRequired").contains("target");

    Run type = lifeline("start", "rehearsal", "--set", "target=x", "--set", "approvalsRequired=two");
    assertThat(type.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(type.err()).contains("approvalsRequired");

    Run unknown = lifeline("start", "rehersal");
    assertThat(unknown.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("unknown playbook 'rehersal'; known: ").contains("rehearsal").contains("backup-d1");

    Path bad = dir.resolve("in.json");
    Files.writeString(bad, "{\"target\": ");
    Run json = lifeline("start", "rehearsal", "--input", bad.toString());
    assertThat(json.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(json.err()).contains("is not valid JSON");

    Path good = dir.resolve("good.json");
    Files.writeString(good, "{\"target\": \"from-file\", \"approvalsRequired\": 2}");
    Run dry = lifeline("start", "rehearsal", "--input", good.toString(), "--set", "incidentId=INC-1", "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("\"target\" : \"from-file\"").contains("\"approvalsRequired\" : 2")
        .contains("\"initiatedBy\" : \"alice\"").contains("\"incidentId\" : \"INC-1\"");

    Run missingArg = lifeline("approve", "some-id");
    assertThat(missingArg.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(missingArg.err()).contains("Missing required option: '--as=NAME'");
  }

  @Test
  void listFallsBackOnTheTestServerAndUnknownIdsAreClear() {
    String id = "cli-list-" + table;
    lifeline("start", "rehearsal", "--set", "target=" + table, "--id", id);
    lifeline("watch", id, "--interval", "100ms");

    Run list = lifeline("list", "--awaiting-approval");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).contains(id).contains("awaiting approval of 'apply'")
        .contains("(note: this server has no visibility queries");

    Run missing = lifeline("status", "no-such-run");
    assertThat(missing.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(missing.err()).contains("no workflow with id no-such-run");
    lifeline("abort", id, "--as", "bob", "--reason", "cleanup");
  }

  @Test
  void schedulesFallBackToCronWorkflowsWhereTheServerHasNoSchedules() {
    Run plain = lifeline("schedules", "apply", "--database", "monotask-production");
    assertThat(plain.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(plain.err()).contains("has no Schedules").contains("--cron-workflows");

    Run dry = lifeline("schedules", "apply", "--dry-run", "--json", "--database", "monotask-production");
    assertThat(dry.exit()).isZero();
    assertThat(dry.out()).contains("\"cron\" : \"0 2 * * *\"").contains("\"workflowType\" : \"D1Backup\"")
        .contains("lifeline-backup-kv (no namespaces");

    Run cron = lifeline("schedules", "apply", "--cron-workflows", "--database", "monotask-production",
        "--kv-namespace", "SESSIONS", "--kv-namespace", "CACHE");
    assertThat(cron.exit()).as(cron.err()).isZero();
    assertThat(cron.out()).contains("lifeline-backup-d1").contains("lifeline-backup-kv")
        .contains("lifeline-replicate-r2").contains("lifeline-retention").contains("started cron workflow");
    Run again = lifeline("schedules", "apply", "--cron-workflows", "--database", "monotask-production",
        "--kv-namespace", "SESSIONS");
    assertThat(again.out()).contains("already running as a cron workflow");
    for (String id : new String[] {"lifeline-backup-d1", "lifeline-backup-kv", "lifeline-replicate-r2", "lifeline-retention"}) {
      client.newUntypedWorkflowStub(id).terminate("test over");
    }
  }

  @Test
  void everyCommandHasHelpAndPlaybooksAreListed() {
    for (String cmd : new String[] {"start", "status", "watch", "approve", "abort", "list", "playbooks", "schedules", "backups", "restore"}) {
      Run help = lifeline(cmd, "--help");
      assertThat(help.exit()).isZero();
      assertThat(help.out()).contains("Usage: lifeline " + cmd);
    }
    Run rekey = lifeline("backups", "rekey", "--help");
    assertThat(rekey.exit()).isZero();
    assertThat(rekey.out()).contains("Usage: lifeline backups rekey").contains("--dry-run").contains("--json")
        .contains("BACKUP_ENCRYPTION_KEY_PREVIOUS");
    assertThat(lifeline("backups", "rekey", "--no-such-option").exit()).isEqualTo(2);
    Run playbooks = lifeline("playbooks");
    assertThat(playbooks.out()).contains("rehearsal").contains("GateRehearsal").contains("input: ");
  }
}
