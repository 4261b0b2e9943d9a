package dev.lifeline.activities.backups;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.env.SandboxBackends;
import dev.lifeline.sandbox.CloudflareSandbox;
import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.sandbox.SandboxAccount;
import dev.lifeline.sandbox.SandboxOptions;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.BackupQuery;
import dev.lifeline.workflows.backup.BackupRetention;
import dev.lifeline.workflows.backup.BackupRetentionImpl;
import dev.lifeline.workflows.backup.BackupRetentionInput;
import dev.lifeline.workflows.backup.KvBackup;
import dev.lifeline.workflows.backup.KvBackupImpl;
import dev.lifeline.workflows.backup.KvBackupInput;
import dev.lifeline.workflows.backup.RetentionPlan;
import dev.lifeline.workflows.backup.Verification;
import dev.lifeline.workflows.playbook.ApprovalPolicy;
import dev.lifeline.workflows.testing.FixedWorkerEnvironment;
import dev.lifeline.workflows.testing.RecordingNotifier;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** KV backups (full and incremental) and retention, end to end on the sandbox. */
class KvAndRetentionTest {
  @TempDir Path dir;
  private CloudflareSandbox sandbox;
  private TestWorkflowEnvironment env;
  private Backends backends;

  @BeforeEach
  void start() {
    sandbox = CloudflareSandbox.start(SandboxOptions.builder().build());
    MonoTaskAccount.create(sandbox, MonoTaskAccount.Options.tiny(5));
    backends = new Backends(SandboxBackends.settings(sandbox, dir.resolve("work")));
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker("lifeline");
    worker.registerWorkflowImplementationTypes(KvBackupImpl.class, BackupRetentionImpl.class);
    worker.registerActivitiesImplementations(new BackupActivitiesImpl(backends), new KvBackupActivitiesImpl(backends),
        new RecordingNotifier(), new FixedWorkerEnvironment(false));
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
    backends.close();
    sandbox.close();
  }

  private List<BackupManifest> kvBackup(String mode) {
    return env.getWorkflowClient().newWorkflowStub(KvBackup.class,
            WorkflowOptions.newBuilder().setTaskQueue("lifeline").setWorkflowId("kv-" + UUID.randomUUID()).build())
        .run(new KvBackupInput(List.of("SESSIONS"), mode, null, null, "ops", null, null), null);
  }

  /** The namespace as a map key → (value, metadata, expiration). */
  private Map<String, String> state() {
    Map<String, String> out = new TreeMap<>();
    for (SandboxAccount.KvEntry e : sandbox.account().kvEntries("SESSIONS")) {
      out.put(e.key(), java.util.HexFormat.of().formatHex(e.value()) + "|" + e.metadataJson() + "|" + e.expiration());
    }
    return out;
  }

  /** The state a chain replays to, read back from the replay. */
  private Map<String, String> replayed(List<BackupManifest> chain) throws SQLException {
    Map<String, String> out = new TreeMap<>();
    BackupActivitiesImpl impl = new BackupActivitiesImpl(backends);
    try (KvChainReplay replay = KvChainReplay.replay(chain, backends.backupStore(), impl.keys(), dir,
        dir.resolve("replay-" + UUID.randomUUID() + ".sqlite"), n -> {})) {
      replay.forEach(e -> out.put(e.key(), java.util.HexFormat.of().formatHex(e.value()) + "|"
          + (e.metadata() == null ? null : e.metadata().toString()) + "|" + e.expiration()));
    }
    return out;
  }

  @Test
  void aFullBackupAndTwoIncrementalsReplayToTheExactNamespaceState() throws Exception {
    BackupManifest full = kvBackup("full").get(0);
    assertThat(full.usable()).isTrue();
    assertThat(full.parentBackupId()).isNull();
    Map<String, String> atFull = state();
    assertThat(full.keyCount()).isEqualTo(atFull.size());

    // Change, add, delete, and a binary value.
    List<SandboxAccount.KvEntry> entries = sandbox.account().kvEntries("SESSIONS");
    sandbox.account().putKv("SESSIONS", entries.get(0).key(), "{\"changed\":true}".getBytes(StandardCharsets.UTF_8),
        "{\"v\":2}", null);
    sandbox.account().deleteKv("SESSIONS", entries.get(1).key());
    sandbox.account().putKv("SESSIONS", "session:new", new byte[] {0, (byte) 0xff, 7}, null,
        Instant.now().plus(Duration.ofDays(2)).getEpochSecond());
    BackupManifest first = kvBackup("incremental").get(0);
    assertThat(first.parentBackupId()).isEqualTo(full.backupId());
    assertThat(first.baseBackupId()).isEqualTo(full.backupId());
    assertThat(first.labels()).containsEntry("records", "3");
    Map<String, String> atFirst = state();

    sandbox.account().deleteKv("SESSIONS", entries.get(2).key());
    sandbox.account().putKv("SESSIONS", "session:newer", "x".getBytes(StandardCharsets.UTF_8), null, null);
    BackupManifest second = kvBackup("auto").get(0);
    assertThat(second.parentBackupId()).isEqualTo(first.backupId());
    assertThat(second.baseBackupId()).isEqualTo(full.backupId());
    assertThat(second.usable()).isTrue();
    Map<String, String> atSecond = state();

    assertThat(replayed(List.of(full))).isEqualTo(atFull);
    assertThat(replayed(List.of(full, first))).isEqualTo(atFirst);
    assertThat(replayed(List.of(full, first, second))).isEqualTo(atSecond);
    assertThat(atSecond).isNotEqualTo(atFull);
  }

  @Test
  void retentionMovesExactlyThePlannedSetToTheTrashAndKeepsTheRest() {
    BackupActivitiesImpl impl = new BackupActivitiesImpl(backends);
    ManifestStore store = impl.manifests();
    // A year of daily D1 backups (manifests only: retention works on the catalogue).
    Instant now = Instant.now();
    List<BackupManifest> made = new ArrayList<>();
    for (int d = 0; d < 120; d++) {
      Instant at = now.minus(Duration.ofDays(d)).minus(Duration.ofHours(1));
      String id = dev.lifeline.workflows.backup.BackupIds.newId(
          dev.lifeline.workflows.common.Target.d1("monotask-production"), at, UUID.randomUUID().toString());
      BackupManifest m = new BackupManifest(1, id, "d1", "d1:monotask-production", null, "monotask-production", at,
          at, "daily", null, "d1-export", "sql-dump", List.of(), List.of(), null, null, null, List.of(),
          new Verification(Verification.Status.PASSED, at, List.of(), "ok", 0, List.of()), null, null, null, null, null);
      made.add(store.save(m));
    }
    RetentionPlan expected = RetentionPlan.compute(made, now, 30, 90, 365);
    BackupRetention wf = env.getWorkflowClient().newWorkflowStub(BackupRetention.class,
        WorkflowOptions.newBuilder().setTaskQueue("lifeline").setWorkflowId("retention").build());
    RetentionPlan done = wf.run(new BackupRetentionInput("d1", null, null, null, null, null, null, "schedule", null,
        new ApprovalPolicy(null, false, null, null, List.of("delete"), null)), null);

    assertThat(done.delete().keySet()).isEqualTo(expected.delete().keySet());
    List<String> remaining = store.list(new BackupQuery("d1", null, false, null)).stream()
        .map(BackupManifest::backupId).toList();
    assertThat(remaining).containsExactlyInAnyOrderElementsOf(expected.keep().keySet());
    assertThat(sandbox.account().r2ObjectKeys("monotask-backups"))
        .filteredOn(k -> k.startsWith("trash/")).hasSize(expected.delete().size());
    assertThat(impl.untrash(expected.delete().keySet().iterator().next())).startsWith("restored");
    assertThat(store.list(new BackupQuery("d1", null, false, null))).hasSize(expected.keep().size() + 1);
  }
}
