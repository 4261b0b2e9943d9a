package dev.lifeline.activities.backups;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.activities.assess.AssessmentActivitiesImpl;
import dev.lifeline.activities.backup.DatabaseCensus;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.env.SandboxBackends;
import dev.lifeline.sandbox.CloudflareSandbox;
import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.sandbox.SandboxOptions;
import dev.lifeline.workflows.assess.CorruptionAssessmentImpl;
import dev.lifeline.workflows.backup.D1BackupImpl;
import dev.lifeline.workflows.backup.KvBackupImpl;
import dev.lifeline.workflows.drill.DrillInput;
import dev.lifeline.workflows.drill.DrillReport;
import dev.lifeline.workflows.drill.RecoveryDrill;
import dev.lifeline.workflows.drill.RecoveryDrillImpl;
import dev.lifeline.workflows.pitr.PointInTimeRestoreImpl;
import dev.lifeline.workflows.playbook.ApprovalPolicy;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import dev.lifeline.workflows.testing.FixedWorkerEnvironment;
import dev.lifeline.workflows.testing.RecordingNotifier;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recovery drill end to end on the sandbox, with every real playbook and activity. */
class RecoveryDrillTest {
  private static final String DB = MonoTaskAccount.DATABASE;
  private static final String NS = "SESSIONS";
  @TempDir Path dir;
  private CloudflareSandbox sandbox;
  private TestWorkflowEnvironment env;
  private Backends backends;

  @BeforeEach
  void start() {
    sandbox = CloudflareSandbox.start(SandboxOptions.builder().build());
    MonoTaskAccount.create(sandbox, MonoTaskAccount.Options.tiny(23));
    backends = new Backends(SandboxBackends.settings(sandbox, dir.resolve("work")));
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker("lifeline");
    worker.registerWorkflowImplementationTypes(RecoveryDrillImpl.class, CorruptionAssessmentImpl.class,
        PointInTimeRestoreImpl.class, D1BackupImpl.class, KvBackupImpl.class);
    worker.registerActivitiesImplementations(new BackupActivitiesImpl(backends), new KvBackupActivitiesImpl(backends),
        new RestoreActivitiesImpl(backends), new DrillActivitiesImpl(backends), new AssessmentActivitiesImpl(backends),
        new RecordingNotifier(), new FixedWorkerEnvironment(false));
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
    backends.close();
    sandbox.close();
  }

  private DrillReport drill(DrillInput input) {
    return env.getWorkflowClient().newWorkflowStub(RecoveryDrill.class,
            WorkflowOptions.newBuilder().setTaskQueue("lifeline").setWorkflowId("drill-" + UUID.randomUUID()).build())
        .run(input, null);
  }

  private static DrillInput input(List<String> components, String database, String namespace) {
    return new DrillInput(components, database, namespace, null, null, 7L, "monotask", null, "test",
        new ApprovalPolicy(null, false, null, null, List.of("*"), null));
  }

  private Map<String, String> census(String database) throws Exception {
    Path copy = dir.resolve("census-" + UUID.randomUUID() + ".sqlite");
    Files.copy(sandbox.account().d1DatabaseFile(database), copy);
    Map<String, String> out = new TreeMap<>();
    DatabaseCensus.take(copy).tables().forEach(t -> out.put(t.name(), t.rowCount() + ":" + t.checksum()));
    return out;
  }

  private Map<String, String> kv(String title) {
    Map<String, String> out = new TreeMap<>();
    var api = backends.cloudflare().kv();
    String id = api.findNamespaceByTitle(title).orElseThrow().id();
    api.listKeys(id, null).forEach(k -> out.put(k.name(), api.getValue(id, k.name()).orElseThrow().asString()
        + " " + k.metadata() + " " + k.expiration()));
    return out;
  }

  @Test
  void aDrillRestoresTheDamagedCopiesAndNeverWritesTheSources() throws Exception {
    Map<String, String> sourceBefore = census(DB);
    Map<String, String> kvBefore = kv(NS);

    DrillReport r = drill(input(null, DB, NS));

    assertThat(r.passed()).as(r.markdown()).isTrue();
    assertThat(r.steps()).allSatisfy(s -> assertThat(s.verdict()).as(s.component() + " " + s.step() + ": " + s.detail())
        .isEqualTo(DrillReport.Verdict.PASSED));
    assertThat(r.steps()).extracting(s -> s.component() + ":" + s.step()).containsSubsequence(
        "d1:backup", "d1:copy", "d1:recovery-point", "d1:damage", "d1:assess", "d1:recommendation", "d1:restore",
        "d1:compare");
    assertThat(r.steps()).extracting(s -> s.component() + ":" + s.step()).contains(
        "kv:backup", "kv:copy", "kv:damage", "kv:recommendation", "kv:restore", "kv:compare");
    assertThat(r.components()).hasSize(2).allSatisfy(c -> {
      assertThat(c.passed()).isTrue();
      assertThat(c.dataEqual()).isTrue();
      assertThat(c.rtoSeconds()).isNotNull().isLessThanOrEqualTo(c.rtoTargetSeconds());
      assertThat(c.rpoSeconds()).isNotNull().isLessThanOrEqualTo(c.rpoTargetSeconds());
      // A fresh account had no backups before the drill: the report says so instead of inventing an age.
      assertThat(c.exposureSeconds()).isNull();
    });
    assertThat(r.components().get(0).copy()).isEqualTo("d1:monotask-recovery-test");
    assertThat(r.components().get(1).copy()).isEqualTo("kv:SESSIONS-recovery-test");
    assertThat(r.recommendations()).anyMatch(x -> x.startsWith("D1: RTO ") && x.contains("against a 1 h target"))
        .anyMatch(x -> x.contains("no verified backup of d1:" + DB + " existed before this drill"));
    assertThat(r.policy()).contains("auto-approve *");
    assertThat(r.markdown()).contains("# Recovery drill: PASSED").contains("| d1 |").contains("## Decisions");

    // The sources were only read; the copies hold the sources' data again.
    assertThat(census(DB)).isEqualTo(sourceBefore);
    assertThat(kv(NS)).isEqualTo(kvBefore);
    assertThat(census("monotask-recovery-test")).isEqualTo(sourceBefore);
    assertThat(kv("SESSIONS-recovery-test")).isEqualTo(kvBefore);

    // The child restores ran under the recorded auto-approval, and said so.
    PlaybookStatus restore = env.getWorkflowClient()
        .newUntypedWorkflowStub(r.steps().stream().filter(s -> s.step().equals("restore") && s.component().equals("d1"))
            .findFirst().orElseThrow().workflowId())
        .query("status", PlaybookStatus.class);
    assertThat(restore.decisions()).anySatisfy(d -> assertThat(d.via()).isEqualTo(PlaybookStatus.Via.POLICY));

    // A second drill reuses the copies and passes again, now knowing how old the last backup is.
    DrillReport again = drill(input(List.of("d1"), DB, null));
    assertThat(again.passed()).as(again.markdown()).isTrue();
    assertThat(again.components()).singleElement().satisfies(c -> assertThat(c.exposureSeconds()).isNotNull());
    assertThat(again.steps()).anySatisfy(s -> assertThat(s.detail()).startsWith("overwrote d1:monotask-recovery-test"));
  }

  @Test
  void aDrillThatCannotBackUpFailsThatStepAndSkipsTheRest() {
    DrillReport r = drill(input(List.of("kv"), null, "NO_SUCH_NAMESPACE"));

    assertThat(r.passed()).isFalse();
    assertThat(r.steps()).anySatisfy(s -> {
      assertThat(s.step()).isEqualTo("backup");
      assertThat(s.verdict()).isEqualTo(DrillReport.Verdict.FAILED);
      assertThat(s.detail()).contains("NO_SUCH_NAMESPACE");
    });
    assertThat(r.steps()).filteredOn(s -> s.step().equals("restore") || s.step().equals("compare"))
        .allSatisfy(s -> assertThat(s.verdict()).isEqualTo(DrillReport.Verdict.SKIPPED));
    assertThat(r.components()).singleElement().satisfies(c -> {
      assertThat(c.passed()).isFalse();
      assertThat(c.rtoSeconds()).isNull();
    });
    assertThat(r.recommendations()).anyMatch(x -> x.contains("stopped at step 'backup'"));
    assertThat(r.markdown()).contains("# Recovery drill: FAILED").contains("**FAILED**");
    assertThat(backends.cloudflare().kv().findNamespaceByTitle("NO_SUCH_NAMESPACE-recovery-test")).isEmpty();
  }
}
