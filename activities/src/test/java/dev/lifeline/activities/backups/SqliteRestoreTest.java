package dev.lifeline.activities.backups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeline.activities.backup.DatabaseCensus;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.env.SandboxBackends;
import dev.lifeline.sandbox.CloudflareSandbox;
import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.sandbox.SandboxOptions;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.D1Backup;
import dev.lifeline.workflows.backup.D1BackupImpl;
import dev.lifeline.workflows.backup.D1BackupInput;
import dev.lifeline.workflows.backup.KvBackupImpl;
import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.pitr.PitrInput;
import dev.lifeline.workflows.pitr.PointInTimeRestore;
import dev.lifeline.workflows.pitr.PointInTimeRestoreImpl;
import dev.lifeline.workflows.pitr.RestoreOutcome;
import dev.lifeline.workflows.pitr.RestoreReport;
import dev.lifeline.workflows.pitr.RestoreRequest;
import dev.lifeline.workflows.playbook.ApprovalPolicy;
import dev.lifeline.workflows.testing.FixedWorkerEnvironment;
import dev.lifeline.workflows.testing.RecordingNotifier;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point-in-time restore of a plain SQLite file: the restored copy replaces the file in one atomic
 * rename, the original is kept (checkpointed, so nothing committed is left behind in a WAL) for the
 * undo, and a file another process still has open is refused untouched.
 */
class SqliteRestoreTest {
  @TempDir Path dir;
  private CloudflareSandbox sandbox;
  private TestWorkflowEnvironment env;
  private Backends backends;
  private RestoreActivitiesImpl restores;
  private Path app;

  @BeforeEach
  void start() throws Exception {
    sandbox = CloudflareSandbox.start(SandboxOptions.builder().build());
    MonoTaskAccount.create(sandbox, MonoTaskAccount.Options.tiny(3)); // the backup bucket
    backends = new Backends(SandboxBackends.settings(sandbox, dir.resolve("work")));
    restores = new RestoreActivitiesImpl(backends, Clock.systemUTC(), new RestoreActivitiesImpl.RestoreHooks() {});
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker("lifeline");
    worker.registerWorkflowImplementationTypes(PointInTimeRestoreImpl.class, D1BackupImpl.class, KvBackupImpl.class);
    worker.registerActivitiesImplementations(new BackupActivitiesImpl(backends), new KvBackupActivitiesImpl(backends),
        restores, new RecordingNotifier(), new FixedWorkerEnvironment(false));
    env.start();

    app = dir.resolve("app.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + app); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode=WAL");
      st.execute("CREATE TABLE orders(id INTEGER PRIMARY KEY, customer TEXT NOT NULL, total REAL)");
      for (int i = 1; i <= 400; i++) {
        st.executeUpdate("INSERT INTO orders(customer, total) VALUES('c" + (i % 37) + "', " + (i * 1.25) + ")");
      }
    }
  }

  @AfterEach
  void stop() {
    env.close();
    backends.close();
    sandbox.close();
  }

  @Test
  void theFileIsReplacedByOneRenameAndTheOriginalIsKeptForTheUndo() throws Exception {
    BackupManifest b = backUp();
    Map<String, String> atBackup = census(app);
    damage();
    Map<String, String> damaged = census(app);
    assertThat(damaged).isNotEqualTo(atBackup);

    RestoreReport r = pitr().run(new PitrInput(Target.sqlite(app.toString()), null, b.backupId(), null, null, null,
        null, null, null, "INC-7", "alice", new ApprovalPolicy(null, null, null, null, List.of("restore"), null)), null);

    assertThat(r.restore().method()).isEqualTo("sqlite-swap");
    assertThat(r.restore().detail()).contains("atomic rename");
    assertThat(census(app)).isEqualTo(atBackup);
    Path preserved = Path.of(r.restore().preservedOriginal());
    assertThat(census(preserved)).as("the original, with every committed write").isEqualTo(damaged);
    assertThat(Files.isSameFile(preserved, app)).isFalse();
    assertThat(siblings()).as("no restoring copy, WAL or journal is left beside the target")
        .noneMatch(n -> n.contains(".restoring-") || n.endsWith("-wal") || n.endsWith("-journal"));

    RestoreOutcome undo = restores.swapBack(Target.sqlite(app.toString()), preserved.toString());
    assertThat(undo.detail()).contains("atomic rename");
    assertThat(census(app)).isEqualTo(damaged);
    assertThat(preserved).doesNotExist();
    assertThat(restores.swapBack(Target.sqlite(app.toString()), preserved.toString()).detail())
        .contains("nothing to put back");
  }

  @Test
  void aFileStillOpenInAnotherProcessIsRefusedAndLeftAsItWas() throws Exception {
    BackupManifest b = backUp();
    try (Connection live = DriverManager.getConnection("jdbc:sqlite:" + app); Statement st = live.createStatement()) {
      st.execute("PRAGMA wal_autocheckpoint=0");
      st.executeUpdate("DELETE FROM orders WHERE id <= 10");
      assertThat(app.resolveSibling("app.db-wal")).exists();

      RestoreRequest request = new RestoreRequest("r-" + UUID.randomUUID(), Target.sqlite(app.toString()), List.of(b),
          null, null);
      assertThatThrownBy(() -> restores.restore(request))
          .isInstanceOf(ApplicationFailure.class)
          .satisfies(e -> assertThat(((ApplicationFailure) e).getType()).isEqualTo("TargetInUse"))
          .hasMessageContaining("still open in another process")
          .hasMessageContaining("nothing was changed");

      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
        assertThat(rs.getLong(1)).as("the live connection still sees its own file").isEqualTo(390);
      }
    }
    assertThat(census(app).get("orders")).startsWith("390:");
    assertThat(siblings()).noneMatch(n -> n.contains(".pre-restore-") || n.contains(".restoring-"));
  }

  private BackupManifest backUp() {
    return env.getWorkflowClient().newWorkflowStub(D1Backup.class,
            WorkflowOptions.newBuilder().setTaskQueue("lifeline").setWorkflowId("b-" + UUID.randomUUID()).build())
        .run(new D1BackupInput(null, Target.sqlite(app.toString()), "daily", null, "ops", null, null), null);
  }

  private PointInTimeRestore pitr() {
    return env.getWorkflowClient().newWorkflowStub(PointInTimeRestore.class,
        WorkflowOptions.newBuilder().setTaskQueue("lifeline").setWorkflowId("pitr-" + UUID.randomUUID()).build());
  }

  private void damage() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + app); Statement st = c.createStatement()) {
      st.executeUpdate("DELETE FROM orders WHERE id % 5 = 0");
      st.executeUpdate("UPDATE orders SET total = -1 WHERE id % 7 = 0");
    }
  }

  private Map<String, String> census(Path db) throws Exception {
    Path copy = dir.resolve("census-" + UUID.randomUUID() + ".sqlite");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("VACUUM INTO '" + copy + "'");
    }
    Map<String, String> out = new TreeMap<>();
    DatabaseCensus.take(copy).tables().forEach(t -> out.put(t.name(), t.rowCount() + ":" + t.checksum()));
    return out;
  }

  private List<String> siblings() throws Exception {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("app.db")).toList();
    }
  }
}
