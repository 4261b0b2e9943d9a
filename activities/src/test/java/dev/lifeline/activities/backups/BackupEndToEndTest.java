package dev.lifeline.activities.backups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeline.activities.backup.DatabaseCensus;
import dev.lifeline.activities.backup.SourceFingerprint;
import dev.lifeline.activities.env.BackendSettings;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.env.SandboxBackends;
import dev.lifeline.activities.secrets.Secret;
import dev.lifeline.sandbox.CloudflareSandbox;
import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.sandbox.SandboxOptions;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.D1Backup;
import dev.lifeline.workflows.backup.D1BackupImpl;
import dev.lifeline.workflows.backup.D1BackupInput;
import dev.lifeline.workflows.backup.Verification;
import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.testing.FixedWorkerEnvironment;
import dev.lifeline.workflows.testing.RecordingNotifier;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * D1 and SQLite backups end to end: the D1Backup workflow on the test server, the real
 * activities, the sandbox account (REST emulator over SQLite, S3 server for R2).
 */
class BackupEndToEndTest {
  @TempDir Path dir;
  private CloudflareSandbox sandbox;
  private TestWorkflowEnvironment env;
  private Backends backends;
  private BackupActivitiesImpl activities;

  @BeforeEach
  void start() {
    sandbox = CloudflareSandbox.start(SandboxOptions.builder().build());
    MonoTaskAccount.create(sandbox, MonoTaskAccount.Options.small(11));
    backends = new Backends(SandboxBackends.settings(sandbox, dir.resolve("work")));
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker("lifeline");
    worker.registerWorkflowImplementationTypes(D1BackupImpl.class);
    activities = new BackupActivitiesImpl(backends);
    worker.registerActivitiesImplementations(activities, new RecordingNotifier(),
        new FixedWorkerEnvironment(false));
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
    backends.close();
    sandbox.close();
  }

  private BackupManifest backUp(D1BackupInput input) {
    return env.getWorkflowClient()
        .newWorkflowStub(D1Backup.class,
            WorkflowOptions.newBuilder().setTaskQueue("lifeline").setWorkflowId("backup-" + UUID.randomUUID()).build())
        .run(input, null);
  }

  /** Census of the sandbox's database file, as the source of truth. */
  private DatabaseCensus sourceCensus(String database) throws Exception {
    Path copy = dir.resolve("source-" + UUID.randomUUID() + ".sqlite");
    Files.copy(sandbox.account().d1DatabaseFile(database), copy);
    return DatabaseCensus.take(copy);
  }

  /** Restores {@code m} into a fresh local SQLite file through the same code verification uses. */
  private DatabaseCensus restoredCensus(BackupManifest m) throws Exception {
    Path work = Files.createDirectories(dir.resolve("restore-" + UUID.randomUUID()));
    Path db = work.resolve("restored.sqlite");
    new BackupActivitiesImpl(backends).restoreLocally(m, db, new Heartbeats());
    return DatabaseCensus.take(db);
  }

  @Test
  void backsUpVerifiesAndRestoresEveryRowExactly() throws Exception {
    BackupManifest m = backUp(D1BackupInput.of(MonoTaskAccount.DATABASE));

    assertThat(m.usable()).isTrue();
    assertThat(m.verification().status()).isEqualTo(Verification.Status.PASSED);
    assertThat(m.verification().integrityCheck()).isEqualTo("ok");
    assertThat(m.exportMethod()).isEqualTo("d1-export");
    assertThat(m.timeTravelBookmark()).isNotBlank();
    assertThat(m.data().storedSha256()).hasSize(64);
    assertThat(m.data().encryption().keyId()).isNotBlank();
    assertThat(m.data().encryption().wrappedKey()).doesNotContain(SandboxBackends.TEST_KEY);
    assertThat(m.lossy()).isEmpty();
    assertThat(m.labels()).doesNotContainKeys("unfingerprinted", "lossyUnchecked");
    assertThat(m.tables()).allSatisfy(t -> assertThat(t.checksum()).as(t.name()).startsWith(SourceFingerprint.SCHEME));
    assertThat(m.mac()).isNotBlank();
    assertThat(m.tables()).extracting(BackupManifest.TableManifest::name)
        .contains("users", "projects", "tasks", "task_events", "d1_migrations");
    assertThat(m.tables()).filteredOn(t -> t.name().equals("tasks")).singleElement()
        .satisfies(t -> assertThat(t.indexes()).anySatisfy(i -> assertThat(i).contains("idx_tasks_state")));

    DatabaseCensus source = sourceCensus(MonoTaskAccount.DATABASE);
    DatabaseCensus restored = restoredCensus(m);
    assertThat(restored.differencesFrom(source)).isEmpty();
    for (DatabaseCensus.TableCensus t : source.tables()) {
      assertThat(restored.table(t.name()).checksum()).as(t.name()).isEqualTo(t.checksum());
      if (t.name().startsWith("sqlite_")) {
        continue;
      }
      assertThat(m.tables()).filteredOn(x -> x.name().equals(t.name())).singleElement()
          .satisfies(x -> assertThat(x.rows()).isEqualTo(t.rowCount()));
    }
    var listed = new BackupActivitiesImpl(backends).manifests()
        .list(new dev.lifeline.workflows.backup.BackupQuery("d1", MonoTaskAccount.DATABASE, true, null));
    assertThat(listed).extracting(BackupManifest::backupId).containsExactly(m.backupId());
  }

  @Test
  void aFlippedByteInTheStoredObjectFailsVerificationNamingTheReason() throws Exception {
    BackupManifest m = backUp(D1BackupInput.of(MonoTaskAccount.DATABASE));
    byte[] stored = sandbox.account().getR2Object("monotask-backups", m.data().key()).orElseThrow().data();
    stored[stored.length / 2] ^= 0x01;
    sandbox.account().putR2Object("monotask-backups", m.data().key(), stored, java.util.Map.of());

    Verification v = new BackupActivitiesImpl(backends).verify(m);
    assertThat(v.status()).isEqualTo(Verification.Status.FAILED);
    assertThat(String.join(" ", v.reasons())).contains("SHA-256").contains(m.data().key());
  }

  @Test
  void aWrongBackupKeyIsAClearErrorNamingKeyIds() {
    BackupManifest m = backUp(D1BackupInput.of(MonoTaskAccount.DATABASE));
    BackendSettings s = SandboxBackends.settings(sandbox, dir.resolve("other"));
    BackendSettings wrongKey = new BackendSettings(s.cloudflareApiBaseUrl(), s.accountId(), s.apiToken(),
        s.s3Endpoint(), s.s3Region(), s.s3AccessKeyId(), s.s3SecretAccessKey(), s.backupBucket(),
        s.secondaryBucket(), Secret.of("7a".repeat(32)), s.workDir());
    try (Backends other = new Backends(wrongKey)) {
      BackupActivitiesImpl impl = new BackupActivitiesImpl(other);
      // The manifest's MAC is keyed by the backup key too: the catalogue refuses it first.
      assertThatThrownBy(() -> impl.manifests().get(m.backupId()))
          .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
            assertThat(f.getType()).isEqualTo(ManifestStore.TAMPERED);
            assertThat(f.getOriginalMessage()).contains("another BACKUP_ENCRYPTION_KEY");
          });
      Verification v = impl.verify(m);
      assertThat(v.status()).isEqualTo(Verification.Status.FAILED);
      assertThat(String.join(" ", v.reasons())).contains(m.data().encryption().keyId());
    }
  }

  @Test
  void theExportersLossesAreDetectedCapturedAndUndone() throws Exception {
    sandbox.account().createD1Database("lossy");
    String source = Files.readString(Path.of(getClass().getResource("/fixtures/d1-export-source.sql").toURI()),
        StandardCharsets.UTF_8);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sandbox.account().d1DatabaseFile("lossy"));
        Statement st = c.createStatement()) {
      st.executeUpdate(source);
    }
    BackupManifest m = backUp(D1BackupInput.of("lossy"));

    assertThat(m.usable()).isTrue();
    assertThat(m.lossy()).extracting(BackupManifest.LossyColumn::table, BackupManifest.LossyColumn::column)
        .contains(org.assertj.core.groups.Tuple.tuple("counters", "value"),
            org.assertj.core.groups.Tuple.tuple("tasks", "title"));
    assertThat(m.lossy()).allSatisfy(l -> assertThat(l.captured()).isTrue());
    assertThat(m.lossyPatches()).isNotNull();
    assertThat(m.tables()).allSatisfy(t -> assertThat(t.checksum()).startsWith(SourceFingerprint.SCHEME));
    DatabaseCensus restored = restoredCensus(m);
    assertThat(restored.differencesFrom(sourceCensus("lossy"))).isEmpty();

    // Without the captured exact values the restore holds what the exporter wrote (a 2^63-1 read
    // back as a REAL, a mangled newline): the source fingerprints name the tables that changed.
    BackupManifest unpatched = new BackupManifest(m.formatVersion(), m.backupId(), m.kind(), m.source(),
        m.databaseId(), m.databaseName(), m.createdAt(), m.completedAt(), m.tier(), m.timeTravelBookmark(),
        m.exportMethod(), m.plaintextFormat(), m.tables(), m.skippedVirtualTables(), m.data(), null, m.index(),
        m.lossy(), null, null, null, null, m.labels(), null);
    Verification v = new BackupActivitiesImpl(backends).verify(unpatched);
    assertThat(v.status()).isEqualTo(Verification.Status.FAILED);
    assertThat(v.reasons()).anySatisfy(r -> assertThat(r).startsWith("table counters restores with a different"
        + " fingerprint than the source had"));
    assertThat(v.reasons()).anySatisfy(r -> assertThat(r).startsWith("table tasks restores with a different"
        + " fingerprint"));
  }

  @Test
  void aTableWrittenToDuringTheExportIsNotFingerprintedAndSaysSo() throws Exception {
    // The export stalls until a row has landed in tasks behind the API's back, as a write between
    // the first fingerprint and the export's snapshot would.
    sandbox.faults().countRequests(true).stallExports(1);
    Thread writer = new Thread(() -> {
      try {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (sandbox.faults().requestCount("POST /accounts/*/d1/database/*/export") == 0) {
          if (System.nanoTime() > deadline) {
            sandbox.faults().clear();
            return; // no export was started: the assertions below fail and say why
          }
          Thread.sleep(20);
        }
        try (Connection c = DriverManager.getConnection(
                "jdbc:sqlite:" + sandbox.account().d1DatabaseFile(MonoTaskAccount.DATABASE));
            Statement st = c.createStatement()) {
          st.executeUpdate("INSERT INTO tasks SELECT 'written-during-export', project_id, assignee_id, title,"
              + " description, state, priority, created_at, updated_at FROM tasks ORDER BY rowid LIMIT 1");
        }
        sandbox.faults().clear();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    writer.start();
    BackupManifest m = backUp(D1BackupInput.of(MonoTaskAccount.DATABASE));
    writer.join();

    assertThat(m.usable()).isTrue();
    assertThat(m.labels()).containsEntry("unfingerprinted",
        "written to during the export, so verified against the export only: tasks");
    assertThat(m.tables()).filteredOn(t -> t.name().equals("tasks")).singleElement()
        .satisfies(t -> assertThat(t.checksum()).isNull());
    assertThat(m.tables()).filteredOn(t -> t.name().equals("projects")).singleElement()
        .satisfies(t -> assertThat(t.checksum()).startsWith(SourceFingerprint.SCHEME));
  }

  @Test
  void aDatabaseWithTooManyLossyValuesIsReadThroughTheQueryApiInstead() throws Exception {
    sandbox.account().createD1Database("lossy");
    String source = Files.readString(Path.of(getClass().getResource("/fixtures/d1-export-source.sql").toURI()),
        StandardCharsets.UTF_8);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sandbox.account().d1DatabaseFile("lossy"));
        Statement st = c.createStatement()) {
      st.executeUpdate(source);
    }
    activities.maxLossyPatches = 1;

    BackupManifest m = backUp(D1BackupInput.of("lossy"));

    assertThat(m.exportMethod()).isEqualTo("d1-query");
    assertThat(m.labels()).containsEntry("exportMethodReason",
        "more than 1 values D1's export would lose: read through the query API, losslessly");
    assertThat(m.lossyPatches()).isNull();
    assertThat(m.usable()).isTrue();
    assertThat(restoredCensus(m).differencesFrom(sourceCensus("lossy"))).isEmpty();
  }

  @Test
  void aDatabaseWithAVirtualTableIsReadThroughTheQueryApiLosslessly() throws Exception {
    sandbox.account().createD1Database("searchable");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sandbox.account().d1DatabaseFile("searchable"));
        Statement st = c.createStatement()) {
      st.executeUpdate("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT, big INTEGER, score REAL, raw BLOB)");
      st.executeUpdate("INSERT INTO notes VALUES(1, 'line one' || char(10) || 'C:\\new', 9223372036854775807, 1.0, X'00ff')");
      st.executeUpdate("INSERT INTO notes VALUES(2, 'it''s', -9007199254740993, 2.5, NULL)");
      st.executeUpdate("CREATE VIRTUAL TABLE notes_fts USING fts5(body, content='notes', content_rowid='id')");
      st.executeUpdate("CREATE INDEX idx_notes_score ON notes(score)");
      st.executeUpdate("CREATE VIRTUAL TABLE tags USING fts5(tag)");
      st.executeUpdate("INSERT INTO tags VALUES('urgent')");
    }
    BackupManifest m = backUp(D1BackupInput.of("searchable"));

    assertThat(m.exportMethod()).isEqualTo("d1-query");
    assertThat(m.usable()).isTrue();
    assertThat(m.skippedVirtualTables()).extracting(BackupManifest.TableManifest::name)
        .containsExactly("notes_fts", "tags");
    // The external-content index is rebuilt from notes; an FTS5 table keeping its own text is not.
    assertThat(m.labels()).containsEntry("virtualTablesRestoredEmpty", "tags: the backup holds their definition,"
        + " not their rows (only external-content FTS5 indexes are rebuilt on restore)");
    DatabaseCensus restored = restoredCensus(m);
    DatabaseCensus src = sourceCensus("searchable");
    assertThat(restored.table("notes").checksum()).isEqualTo(src.table("notes").checksum());
    assertThat(restored.table("notes").rowCount()).isEqualTo(2);
  }

  @Test
  void aPlainSqliteFileGoesThroughTheSamePipeline() throws Exception {
    Path app = dir.resolve("app.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + app); Statement st = c.createStatement()) {
      st.executeUpdate("CREATE TABLE t(id INTEGER PRIMARY KEY, v)");
      for (int i = 0; i < 500; i++) {
        st.executeUpdate("INSERT INTO t(v) VALUES(" + (i % 3 == 0 ? "'x" + i + "'" : i % 3 == 1 ? i + ".0" : Integer.toString(i)) + ")");
      }
    }
    BackupManifest m = backUp(new D1BackupInput(null, Target.sqlite(app.toString()), "daily", null, "ops", null, null));
    assertThat(m.kind()).isEqualTo("sqlite");
    assertThat(m.plaintextFormat()).isEqualTo("sqlite-file");
    assertThat(m.usable()).isTrue();
    assertThat(m.tables()).singleElement().satisfies(t -> {
      assertThat(t.rows()).isEqualTo(500);
      assertThat(t.checksum()).startsWith("sha256:");
    });
    assertThat(restoredCensus(m).table("t").checksum()).isEqualTo(DatabaseCensus.take(app).table("t").checksum());
  }

  @Test
  void aMissingDatabaseFailsAtOnceWithoutRetrying() {
    assertThatThrownBy(() -> backUp(D1BackupInput.of("no-such-db")))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> {
          StringBuilder messages = new StringBuilder();
          for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
          }
          assertThat(messages.toString()).contains("no-such-db").contains("PlaybookFailed");
        });
  }
}
