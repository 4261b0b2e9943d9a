package dev.lifeline.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.cli.ExitCodes;
import dev.lifeline.cli.LifelineCommand;
import dev.lifeline.cli.Session;
import dev.lifeline.worker.LifelineWorker;
import dev.lifeline.worker.dev.DevStack;
import dev.lifeline.worker.dev.DevStackOptions;
import dev.lifeline.workflows.catalog.PlaybookCatalog;
import dev.lifeline.workflows.testing.GateRehearsalImpl;
import dev.lifeline.workflows.testing.RehearsalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The embedded dev stack in this JVM on an ephemeral port, driven by the real {@code lifeline}
 * command line over a real gRPC connection: start a playbook, approve it, see it complete.
 */
class DevModeTest {
  private static final RehearsalStore STORE = new RehearsalStore();
  private static DevStack stack;

  @BeforeAll
  static void startStack() {
    STORE.seed("orders", 3);
    stack =
        DevStack.start(
            DevStackOptions.forTests(
                new LifelineWorker.Extras(List.of(GateRehearsalImpl.class), List.of(STORE))));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  private static CliRun lifeline(String... args) {
    return CliRun.onStack(stack, "alice", args);
  }

  @Test
  void aPlaybookStartedAndApprovedWithTheCliCompletes() {
    assertThat(stack.temporalAddress()).startsWith("127.0.0.1:").doesNotEndWith(":7233");
    assertThat(stack.connectionHelp())
        .contains("export TEMPORAL_ADDRESS='" + stack.temporalAddress() + "'")
        .contains("export CLOUDFLARE_API_BASE_URL='" + stack.sandbox().apiBaseUrl() + "'")
        .contains("export CLOUDFLARE_ACCOUNT_ID='" + stack.sandbox().accountId() + "'")
        .contains("export R2_ENDPOINT='")
        .doesNotContain(stack.environment().get("BACKUP_ENCRYPTION_KEY"));
    assertThat(stack.environment().get("BACKUP_ENCRYPTION_KEY")).matches("[0-9a-f]{64}");
    assertThat(stack.sandbox().account().findD1Database("monotask-production")).isPresent();
    assertThat(stack.config().cloudflareApiBaseUrl()).isEqualTo(stack.sandbox().apiBaseUrl());

    CliRun start = lifeline("start", "rehearsal", "--set", "target=orders", "--id", "dev-orders",
        "--set", "autoApprove=[\"finalize\"]");
    assertThat(start.exit()).as(start.err()).isZero();

    CliRun watch = lifeline("watch", "dev-orders", "--interval", "100ms");
    assertThat(watch.exit()).as(watch.err()).isZero();
    assertThat(watch.out()).contains("Awaiting approval of step 'apply'");

    CliRun list = lifeline("list", "--awaiting-approval");
    assertThat(list.out()).contains("dev-orders").contains("no visibility queries");

    CliRun approve = lifeline("approve", "dev-orders", "--as", "bob");
    assertThat(approve.exit()).as(approve.err()).isZero();
    assertThat(approve.out()).contains("step 'apply' approved");

    CliRun done = lifeline("watch", "dev-orders", "--interval", "100ms", "--through-approvals");
    assertThat(done.exit()).as(done.err()).isEqualTo(ExitCodes.OK);
    assertThat(done.out()).contains("COMPLETED: Rewrote 3 rows of orders and finalized it.");
    assertThat(STORE.table("orders")).containsEntry(0, "rewritten-0").containsEntry(-1, "finalized");
  }

  @Test
  void backupsRunListVerifyAndImportThroughTheCli() throws Exception {
    CliRun run = lifeline("backups", "run", "d1", "--database", "monotask-production", "--as", "ops");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("\"status\" : \"PASSED\"");

    CliRun list = lifeline("backups", "list", "monotask-production");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).contains("d1-monotask-production-").contains("PASSED");
    String id = list.out().lines().filter(l -> l.startsWith("d1-monotask-production-")).findFirst().orElseThrow()
        .split("\\s+")[0];

    CliRun verify = lifeline("backups", "verify", id);
    assertThat(verify.exit()).as(verify.err()).isZero();
    assertThat(verify.out()).contains("Backup " + id + ": PASSED").contains("tasks");

    java.nio.file.Path dump = java.nio.file.Files.createTempFile("wrangler", ".sql");
    java.nio.file.Files.copy(getClass().getResourceAsStream("/fixtures/d1-export-wrangler-4.164.sql"), dump,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ImportCommand importer = new ImportCommand();
    importer.env = stack.environment();
    CommandLine cl = new CommandLine(importer);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    assertThat(cl.execute(dump.toString(), "--database", "monotask-fixture", "--taken-at", "2026-11-01T02:00:00Z"))
        .as(err.toString()).isZero();
    assertThat(out.toString()).contains("(PASSED)").contains("warning:").contains("counters.value");
    CliRun imported = lifeline("backups", "list", "monotask-fixture");
    assertThat(imported.out()).contains("imported").contains("lossy column(s), NOT captured");
  }

  @Test
  void unreachableServerIsOneClearLine() {
    StringWriter err = new StringWriter();
    CommandLine cl =
        Lifeline.commandLine(
            new LifelineCommand(Map.of("TEMPORAL_ADDRESS", "127.0.0.1:1"), Session::open, PlaybookCatalog.load()));
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    int code = cl.execute("status", "anything");
    assertThat(code).isEqualTo(ExitCodes.FAILED);
    assertThat(err.toString()).startsWith("lifeline: cannot reach Temporal at 127.0.0.1:1");
  }

  @Test
  void workerCheckReportsEveryBadSettingOnOneLineEach() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    WorkerCommand worker = new WorkerCommand();
    worker.env =
        Map.of(
            "BACKUP_ENCRYPTION_KEY", "abc123",
            "CLOUDFLARE_ACCOUNT_ID", "not-an-account",
            "TEMPORAL_ADDRESS", "nohost");
    CommandLine cl = new CommandLine(worker);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute("--check");
    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString().lines().toList())
        .containsExactlyInAnyOrder(
            "lifeline: configuration: TEMPORAL_ADDRESS must be host:port, for example 127.0.0.1:7233"
                + " or my-ns.a1b2c.tmprl.cloud:7233 (got \"nohost\")",
            "lifeline: configuration: CLOUDFLARE_ACCOUNT_ID must be the 32-character lowercase hex"
                + " account id from the Cloudflare dashboard (got \"not-an-account\")",
            "lifeline: configuration: CLOUDFLARE_API_TOKEN is not set: create an API token with D1,"
                + " Workers KV, Workers Scripts and R2 permissions and set it",
            "lifeline: configuration: BACKUP_R2_BUCKET is not set; it must be a bucket name: 3-63"
                + " lowercase letters, digits and hyphens",
            "lifeline: configuration: BACKUP_ENCRYPTION_KEY must be 64 hexadecimal characters"
                + " (openssl rand -hex 32); got 6 characters");
    assertThat(err.toString()).doesNotContain("abc123").doesNotContain("Exception");
  }
}
