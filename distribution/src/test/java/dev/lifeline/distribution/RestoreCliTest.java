package dev.lifeline.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.cli.ExitCodes;
import dev.lifeline.sandbox.CorruptionInjector;
import dev.lifeline.worker.LifelineWorker;
import dev.lifeline.worker.dev.DevStack;
import dev.lifeline.worker.dev.DevStackOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lifeline restore}, the runbook's {@code recovery:d1 <backup-id> [--validate-only]}, through
 * the real command line against its own embedded dev stack: validate only changes nothing; a
 * restore stops for someone else's approval and then puts the backup's rows back.
 */
class RestoreCliTest {
  private static final String DB = "monotask-production";
  private static DevStack stack;

  @BeforeAll
  static void startStack() {
    stack = DevStack.start(DevStackOptions.forTests(new LifelineWorker.Extras(List.of(), List.of())));
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

  private static long invalidStates() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + stack.sandbox().account().d1DatabaseFile(DB));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT count(*) FROM tasks WHERE state NOT IN ('PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED')")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void validateOnlyThenARestoreApprovedBySomeoneElse() throws Exception {
    CliRun backup = lifeline("backups", "run", "d1", "--database", DB, "--as", "ops");
    assertThat(backup.exit()).as(backup.err()).isZero();
    String id = lifeline("backups", "list", DB).out().lines().filter(l -> l.startsWith("d1-" + DB + "-")).findFirst()
        .orElseThrow().split("\\s+")[0];
    new CorruptionInjector(stack.sandbox()).invalidTaskStates(4, 9);
    assertThat(invalidStates()).isEqualTo(4);

    CliRun validate = lifeline("restore", "d1", DB, "--backup", id, "--validate-only");
    assertThat(validate.exit()).as(validate.err()).isZero();
    assertThat(validate.out()).contains("**Validate only**").contains("Verdict: **PASSED**");
    assertThat(invalidStates()).isEqualTo(4);

    CliRun start = lifeline("restore", "d1", DB, "--backup", id, "--detach", "--id", "restore-cli", "--incident", "INC-7");
    assertThat(start.exit()).as(start.err()).isZero();
    assertThat(start.out()).contains("Started PointInTimeRestore as restore-cli");
    CliRun waiting = lifeline("watch", "restore-cli", "--interval", "100ms");
    assertThat(waiting.out()).contains("Awaiting approval of step 'restore'");
    assertThat(invalidStates()).isEqualTo(4);

    CliRun selfApproval = lifeline("approve", "restore-cli", "--as", "alice");
    assertThat(selfApproval.exit()).isNotZero();
    CliRun approve = lifeline("approve", "restore-cli", "--as", "bob", "--comment", "backup checked");
    assertThat(approve.exit()).as(approve.err()).isZero();
    CliRun done = lifeline("watch", "restore-cli", "--interval", "100ms", "--through-approvals");
    assertThat(done.exit()).as(done.out() + done.err()).isEqualTo(ExitCodes.OK);
    assertThat(invalidStates()).isZero();
  }

  @Test
  void mistakesAreUsageErrorsAndNothingStarts() {
    assertThat(lifeline("restore", "d1", DB).exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(lifeline("restore", "d1", DB).err()).contains("--backup ID or --to TIME");
    assertThat(lifeline("restore", "postgres", DB, "--backup", "x").err()).contains("KIND must be d1, kv or sqlite");
    assertThat(lifeline("restore", "d1", DB, "--backup", "x", "--clear").err()).contains("for kv restores");
    assertThat(lifeline("restore", "kv", "SESSIONS", "--backup", "x", "--clear", "--skip").err())
        .contains("contradict");
    assertThat(lifeline("restore", "kv", "SESSIONS", "--backup", "x", "--keys", "a", "--clear").err())
        .contains("kvMode clear cannot be combined with keys");
    CliRun dry = lifeline("restore", "kv", "SESSIONS", "--backup", "kv-x", "--keys", "a,b", "--skip", "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("\"kv\" : \"SESSIONS\"").contains("\"kvMode\" : \"skip-existing\"")
        .contains("\"keys\" : [ \"a\", \"b\" ]").contains("\"backupId\" : \"kv-x\"");
  }
}
