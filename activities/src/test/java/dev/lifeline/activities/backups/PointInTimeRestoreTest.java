package dev.lifeline.activities.backups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeline.activities.backup.DatabaseCensus;
import dev.lifeline.activities.cloudflare.D1Progress;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.env.SandboxBackends;
import dev.lifeline.sandbox.CloudflareSandbox;
import dev.lifeline.sandbox.CorruptionInjector;
import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.sandbox.SandboxAccount;
import dev.lifeline.sandbox.SandboxOptions;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.D1Backup;
import dev.lifeline.workflows.backup.D1BackupImpl;
import dev.lifeline.workflows.backup.D1BackupInput;
import dev.lifeline.workflows.backup.KvBackup;
import dev.lifeline.workflows.backup.KvBackupImpl;
import dev.lifeline.workflows.backup.KvBackupInput;
import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.pitr.PitrInput;
import dev.lifeline.workflows.pitr.PointInTimeRestore;
import dev.lifeline.workflows.pitr.PointInTimeRestoreImpl;
import dev.lifeline.workflows.pitr.RecoveryPoint;
import dev.lifeline.workflows.pitr.RecoveryWindow;
import dev.lifeline.workflows.pitr.RestoreReport;
import dev.lifeline.workflows.playbook.ApprovalPolicy;
import dev.lifeline.workflows.playbook.Decision;
import dev.lifeline.workflows.playbook.PlaybookState;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import dev.lifeline.workflows.testing.FixedWorkerEnvironment;
import dev.lifeline.workflows.testing.RecordingNotifier;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PointInTimeRestore end to end on the sandbox, with the real activities. */
class PointInTimeRestoreTest {
  private static final String DB = MonoTaskAccount.DATABASE;
  @TempDir Path dir;
  private CloudflareSandbox sandbox;
  private TestWorkflowEnvironment env;
  private Backends backends;
  private final AtomicBoolean failImportOnce = new AtomicBoolean();
  private final AtomicBoolean breakImportFile = new AtomicBoolean();

  @BeforeEach
  void start() {
    sandbox = CloudflareSandbox.start(SandboxOptions.builder().build());
    MonoTaskAccount.create(sandbox, MonoTaskAccount.Options.tiny(17));
    backends = new Backends(SandboxBackends.settings(sandbox, dir.resolve("work")));
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker("lifeline");
    worker.registerWorkflowImplementationTypes(PointInTimeRestoreImpl.class, D1BackupImpl.class, KvBackupImpl.class);
    RestoreActivitiesImpl.RestoreHooks hooks = new RestoreActivitiesImpl.RestoreHooks() {
      @Override
      public void beforeImport(Path importFile) {
        if (breakImportFile.get()) {
          try {
            // A statement that fails half way through the import: D1 must roll all of it back.
            Files.writeString(importFile, "INSERT INTO no_such_table VALUES(1);\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      }

      @Override
      public void duringImport(D1Progress progress) {
        if (failImportOnce.compareAndSet(true, false)) {
          throw new IllegalStateException("simulated worker crash while D1 runs the import");
        }
      }
    };
    worker.registerActivitiesImplementations(new BackupActivitiesImpl(backends), new KvBackupActivitiesImpl(backends),
        new RestoreActivitiesImpl(backends, java.time.Clock.systemUTC(), hooks), new RecordingNotifier(),
        new FixedWorkerEnvironment(false));
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
    backends.close();
    sandbox.close();
  }

  private WorkflowClient client() {
    return env.getWorkflowClient();
  }

  private BackupManifest backup() {
    return client().newWorkflowStub(D1Backup.class,
            WorkflowOptions.newBuilder().setTaskQueue("lifeline").setWorkflowId("b-" + UUID.randomUUID()).build())
        .run(D1BackupInput.of(DB), null);
  }

  private PointInTimeRestore pitr(String id) {
    return client().newWorkflowStub(PointInTimeRestore.class,
        WorkflowOptions.newBuilder().setTaskQueue("lifeline").setWorkflowId(id).build());
  }

  private static PitrInput input(Target t, String targetTime, String backupId, Boolean validateOnly, List<String> autoApprove) {
    return new PitrInput(t, targetTime, backupId, null, validateOnly, null, null, null, null, "INC-1", "alice",
        new ApprovalPolicy(null, null, null, null, autoApprove, null));
  }

  private Map<String, String> checksums() throws Exception {
    Path copy = dir.resolve("census-" + UUID.randomUUID() + ".sqlite");
    Files.copy(sandbox.account().d1DatabaseFile(DB), copy);
    Map<String, String> out = new TreeMap<>();
    DatabaseCensus.take(copy).tables().forEach(t -> out.put(t.name(), t.rowCount() + ":" + t.checksum()));
    return out;
  }

  private void corrupt() {
    CorruptionInjector inject = new CorruptionInjector(sandbox);
    inject.invalidTaskStates(5, 1);
    inject.truncateTaskDescriptions(2, 100, 2);
  }

  @Test
  void restoringABackupGivesExactlyItsRows() throws Exception {
    BackupManifest b = backup();
    Map<String, String> atBackup = checksums();
    corrupt();
    assertThat(checksums()).isNotEqualTo(atBackup);

    RestoreReport r = pitr("pitr-backup").run(input(Target.d1(DB), null, b.backupId(), null, List.of("restore")), null);

    assertThat(checksums()).isEqualTo(atBackup);
    assertThat(r.recoveryPoint().method()).isEqualTo(RecoveryPoint.BACKUP);
    assertThat(r.check().passed()).isTrue();
    assertThat(r.safetyBackupId()).startsWith("d1-monotask-production-");
    assertThat(r.safetyBookmark()).isNotBlank();
    assertThat(r.restore().method()).isEqualTo("d1-import");
    assertThat(r.rtoSeconds()).isNotNull().isNotNegative();
    assertThat(r.markdown()).contains("# Point-in-time restore of `d1:monotask-production`").contains("RTO")
        .contains("Data loss window").contains("## Restorable window").contains("| `" + b.backupId() + "` | ");
    assertThat(r.window().backups()).extracting(RecoveryWindow.BackupPoint::backupId).contains(b.backupId());
    assertThat(client().newWorkflowStub(PointInTimeRestore.class, "pitr-backup").status().facts())
        .hasEntrySatisfying("verifiedBackups", v -> assertThat(v).contains(b.backupId()));
    PlaybookStatus s = client().newWorkflowStub(PointInTimeRestore.class, "pitr-backup").status();
    assertThat(s.decisions()).singleElement().satisfies(d -> assertThat(d.via()).isEqualTo(PlaybookStatus.Via.POLICY));
  }

  @Test
  void timeTravelRestoresTheStateAtTheChosenMoment() throws Exception {
    Map<String, String> before = checksums();
    Thread.sleep(1200);
    Instant good = Instant.now();
    Thread.sleep(1200);
    // The activities' own client: the damage goes through the REST API so Time Travel records it.
    var client = backends.cloudflare();
    String uuid = client.d1().get(DB).uuid();
    client.d1().execute(uuid, "UPDATE tasks SET state = 'INVALID' WHERE rowid IN (SELECT rowid FROM tasks LIMIT 7)");
    assertThat(checksums()).isNotEqualTo(before);

    RestoreReport r = pitr("pitr-tt").run(input(Target.d1(DB), good.toString(), null, null, List.of("restore")), null);

    assertThat(r.recoveryPoint().method()).isEqualTo(RecoveryPoint.TIME_TRAVEL);
    assertThat(r.restore().previousBookmark()).isNotBlank();
    assertThat(checksums()).isEqualTo(before);
  }

  @Test
  void validateOnlyChangesNothing() throws Exception {
    BackupManifest b = backup();
    corrupt();
    Map<String, String> corrupted = checksums();
    RestoreReport r = pitr("pitr-validate").run(input(Target.d1(DB), null, b.backupId(), true, null), null);
    assertThat(r.validateOnly()).isTrue();
    assertThat(r.validation().status()).isEqualTo(dev.lifeline.workflows.backup.Verification.Status.PASSED);
    assertThat(r.restore()).isNull();
    assertThat(checksums()).isEqualTo(corrupted);
    assertThat(client().newWorkflowStub(PointInTimeRestore.class, "pitr-validate").status().steps()).extracting(PlaybookStatus.StepRecord::id)
        .doesNotContain("safety-backup", "restore");
  }

  @Test
  void anAbortAtTheApprovalChangesNothing() throws Exception {
    BackupManifest b = backup();
    corrupt();
    Map<String, String> corrupted = checksums();
    PointInTimeRestore wf = pitr("pitr-abort");
    WorkflowClient.start(wf::run, input(Target.d1(DB), null, b.backupId(), null, null), null);
    long deadline = System.currentTimeMillis() + 60_000;
    while (wf.status().pendingApproval() == null && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    PlaybookStatus waiting = wf.status();
    assertThat(waiting.pendingApproval().plan().estimatedDataLoss()).startsWith("writes after " + b.createdAt());
    assertThat(waiting.pendingApproval().plan().undo()).contains("Time Travel back to bookmark");
    wf.decide(Decision.abort("bob", "wrong incident"));
    assertThatThrownBy(() -> WorkflowStub.fromTyped(wf).getResult(RestoreReport.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(ApplicationFailure.class)
        .satisfies(e -> assertThat(((ApplicationFailure) e.getCause()).getOriginalMessage())
            .contains("Nothing had been changed"));
    assertThat(checksums()).isEqualTo(corrupted);
  }

  @Test
  void aFailureMidImportRollsBackToTheSafetyPointAndSaysSo() throws Exception {
    BackupManifest b = backup();
    corrupt();
    Map<String, String> corrupted = checksums();
    breakImportFile.set(true);
    PointInTimeRestore wf = pitr("pitr-fail");
    assertThatThrownBy(() -> wf.run(input(Target.d1(DB), null, b.backupId(), null, List.of("restore")), null))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> assertThat(((ApplicationFailure) e.getCause()).getOriginalMessage())
            .startsWith("Failed:")
            .contains("no such table")
            .contains("Undone: restored monotask-production to bookmark"));
    assertThat(checksums()).isEqualTo(corrupted);
    assertThat(wf.status().state()).isEqualTo(PlaybookState.FAILED);
    assertThat(wf.status().undo()).singleElement()
        .satisfies(u -> assertThat(u.outcome()).isEqualTo(PlaybookStatus.UndoOutcome.UNDONE));
  }

  @Test
  void aWorkerKilledMidImportResumesWithTheSameResult() throws Exception {
    BackupManifest b = backup();
    Map<String, String> atBackup = checksums();
    corrupt();
    failImportOnce.set(true);
    RestoreReport r = pitr("pitr-resume").run(input(Target.d1(DB), null, b.backupId(), null, List.of("restore")), null);
    assertThat(failImportOnce.get()).as("the crash happened").isFalse();
    assertThat(checksums()).isEqualTo(atBackup);
    assertThat(r.check().passed()).isTrue();
  }

  @Test
  void noRecoveryPointIsAClearRefusal() {
    assertThatThrownBy(() -> pitr("pitr-none").run(input(Target.d1(DB), null, null, null, List.of("restore")), null))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> {
          StringBuilder m = new StringBuilder();
          for (Throwable t = e; t != null; t = t.getCause()) {
            m.append(t.getMessage()).append('\n');
          }
          assertThat(m.toString()).contains("there is no verified backup of d1:monotask-production")
              .contains("Time Travel reaches back to");
        });
    assertThatThrownBy(() -> pitr("pitr-before").run(input(Target.d1(DB), "2020-01-01T00:00:00Z", null, null,
        List.of("restore")), null))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> {
          StringBuilder m = new StringBuilder();
          for (Throwable t = e; t != null; t = t.getCause()) {
            m.append(t.getMessage()).append('\n');
          }
          assertThat(m.toString()).contains("no recovery point of d1:monotask-production at or before 2020-01-01");
        });
  }

  private Map<String, String> kvState() {
    Map<String, String> out = new TreeMap<>();
    for (SandboxAccount.KvEntry e : sandbox.account().kvEntries("CACHE")) {
      out.put(e.key(), new String(e.value(), StandardCharsets.UTF_8) + "|" + e.metadataJson());
    }
    return out;
  }

  @Test
  void kvRestoresInEachMode() {
    BackupManifest b = client().newWorkflowStub(KvBackup.class,
            WorkflowOptions.newBuilder().setTaskQueue("lifeline").setWorkflowId("kvb").build())
        .run(new KvBackupInput(List.of("CACHE"), "full", null, null, "ops", null, null), null).get(0);
    Map<String, String> atBackup = kvState();
    List<SandboxAccount.KvEntry> entries = sandbox.account().kvEntries("CACHE");
    String changed = entries.get(0).key();
    String deleted = entries.get(1).key();

    // replace: changed and deleted keys come back; a new key stays.
    sandbox.account().putKv("CACHE", changed, "garbage".getBytes(StandardCharsets.UTF_8), null, null);
    sandbox.account().deleteKv("CACHE", deleted);
    sandbox.account().putKv("CACHE", "extra", "x".getBytes(StandardCharsets.UTF_8), null, null);
    restoreKv("kv-replace", b, "replace", null);
    Map<String, String> afterReplace = kvState();
    assertThat(afterReplace).containsAllEntriesOf(atBackup).containsKey("extra");

    // skip-existing: a current value is left alone; a missing key comes back.
    sandbox.account().putKv("CACHE", changed, "mine".getBytes(StandardCharsets.UTF_8), null, null);
    sandbox.account().deleteKv("CACHE", deleted);
    restoreKv("kv-skip", b, "skip-existing", null);
    assertThat(kvState().get(changed)).startsWith("mine|");
    assertThat(kvState()).containsEntry(deleted, atBackup.get(deleted));

    // keys: only the named key is restored.
    sandbox.account().putKv("CACHE", deleted, "other".getBytes(StandardCharsets.UTF_8), null, null);
    restoreKv("kv-keys", b, "replace", List.of(changed));
    assertThat(kvState()).containsEntry(changed, atBackup.get(changed));
    assertThat(kvState().get(deleted)).startsWith("other|");

    // clear: exactly the backup's state.
    restoreKv("kv-clear", b, "clear", null);
    assertThat(kvState()).isEqualTo(atBackup);
  }

  private void restoreKv(String id, BackupManifest b, String mode, List<String> keys) {
    pitr(id).run(new PitrInput(Target.kv("CACHE"), null, b.backupId(), null, null, mode, keys, false, null, null,
        "alice", new ApprovalPolicy(null, null, null, null, List.of("restore"), null)), null);
  }
}
