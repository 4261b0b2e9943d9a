package dev.lifeline.activities.assess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.activities.backups.BackupActivitiesImpl;
import dev.lifeline.activities.backups.KvBackupActivitiesImpl;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.env.SandboxBackends;
import dev.lifeline.activities.replication.R2ReplicationActivitiesImpl;
import dev.lifeline.sandbox.CloudflareSandbox;
import dev.lifeline.sandbox.CorruptionInjector;
import dev.lifeline.sandbox.CorruptionInjector.InjectionReport;
import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.sandbox.SandboxOptions;
import dev.lifeline.workflows.assess.AssessmentFinding;
import dev.lifeline.workflows.assess.AssessmentInput;
import dev.lifeline.workflows.assess.AssessmentReport;
import dev.lifeline.workflows.assess.CorruptionAssessment;
import dev.lifeline.workflows.assess.CorruptionAssessmentImpl;
import dev.lifeline.workflows.assess.MergePlan;
import dev.lifeline.workflows.assess.RepairPlan;
import dev.lifeline.workflows.backup.BackupIds;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.CaptureRequest;
import dev.lifeline.workflows.backup.KvCaptureRequest;
import dev.lifeline.workflows.backup.R2Replication;
import dev.lifeline.workflows.backup.R2ReplicationImpl;
import dev.lifeline.workflows.backup.R2ReplicationInput;
import dev.lifeline.workflows.backup.Verification;
import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.playbook.PlaybookState;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import dev.lifeline.workflows.testing.FixedWorkerEnvironment;
import dev.lifeline.workflows.testing.RecordedHistories;
import dev.lifeline.workflows.testing.RecordingNotifier;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CorruptionAssessment end to end: the workflow on the test server, the real activities, the
 * sandbox account (REST emulator over SQLite files, S3 server for R2), a verified baseline taken
 * with the backup activities, then the corruption injector's damage. Every injected class must be
 * found with its exact count and keys, a clean account must report nothing, and the recommendation
 * must be the playbook the pattern calls for.
 */
class CorruptionAssessmentEndToEndTest {
  static final String DB = MonoTaskAccount.DATABASE;
  static final String RECORDED = "corruption-assessment-injected";

  @TempDir Path dir;
  private CloudflareSandbox sandbox;
  private TestWorkflowEnvironment env;
  private Backends backends;
  private CorruptionInjector injector;

  @BeforeEach
  void start() {
    sandbox = CloudflareSandbox.start(SandboxOptions.builder().build());
    MonoTaskAccount.create(sandbox, MonoTaskAccount.Options.tiny(11));
    injector = new CorruptionInjector(sandbox);
    backends = new Backends(SandboxBackends.settings(sandbox, dir.resolve("work")));
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker("lifeline");
    worker.registerWorkflowImplementationTypes(CorruptionAssessmentImpl.class, R2ReplicationImpl.class);
    worker.registerActivitiesImplementations(new AssessmentActivitiesImpl(backends), new BackupActivitiesImpl(backends),
        new R2ReplicationActivitiesImpl(backends), new RecordingNotifier(), new FixedWorkerEnvironment(false));
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
    backends.close();
    sandbox.close();
  }

  // ------------------------------------------------------------------ baselines

  /** A verified backup of the database, taken with the backup activities as D1Backup does. */
  private BackupManifest backUpDatabase() {
    BackupActivitiesImpl backups = new BackupActivitiesImpl(backends);
    Instant at = Instant.now();
    String id = BackupIds.newId(Target.d1(DB), at, UUID.randomUUID().toString());
    BackupManifest draft = backups.capture(new CaptureRequest(id, Target.d1(DB), "daily", null, at, Map.of()));
    Verification v = backups.verify(draft);
    assertThat(v.status()).isEqualTo(Verification.Status.PASSED);
    return backups.saveManifest(draft.withVerification(v));
  }

  /** A verified full backup of a KV namespace, as KvBackup takes it. */
  private BackupManifest backUpKv(String namespace) {
    KvBackupActivitiesImpl kv = new KvBackupActivitiesImpl(backends);
    Instant at = Instant.now();
    String id = BackupIds.newId(Target.kv(namespace), at, UUID.randomUUID().toString());
    BackupManifest draft = kv.capture(new KvCaptureRequest(id, namespace, null, "daily", at, Map.of()));
    Verification v = kv.verify(List.of(draft));
    assertThat(v.status()).isEqualTo(Verification.Status.PASSED);
    return new BackupActivitiesImpl(backends).saveManifest(draft.withVerification(v));
  }

  /** The data buckets copied to the secondary bucket by the R2Replication workflow. */
  private void replicateR2() {
    env.getWorkflowClient()
        .newWorkflowStub(R2Replication.class,
            WorkflowOptions.newBuilder().setTaskQueue("lifeline").setWorkflowId("replicate-" + UUID.randomUUID()).build())
        .run(new R2ReplicationInput(null, null, null, "none", null, "ops", null), null);
  }

  private void baselineEverything() {
    backUpDatabase();
    for (String ns : MonoTaskAccount.KV_NAMESPACES) {
      backUpKv(ns);
    }
    replicateR2();
  }

  private static AssessmentInput everything(String suspectedSince) {
    return new AssessmentInput(Target.d1(DB), MonoTaskAccount.KV_NAMESPACES, MonoTaskAccount.DATA_BUCKETS,
        suspectedSince, null, "monotask", null, "all", null, 5, null, List.of(MonoTaskAccount.WORKER), null, "INC-7",
        "alice");
  }

  private AssessmentReport assess(String id, AssessmentInput input) {
    return env.getWorkflowClient()
        .newWorkflowStub(CorruptionAssessment.class,
            WorkflowOptions.newBuilder().setTaskQueue("lifeline").setWorkflowId(id).build())
        .run(input, null);
  }

  private PlaybookStatus status(String id) {
    return env.getWorkflowClient().newWorkflowStub(CorruptionAssessment.class, id).status();
  }

  private static AssessmentFinding finding(AssessmentReport r, String id) {
    AssessmentFinding f = r.finding(id);
    assertThat(f).as("finding " + id + " in " + r.findings().stream().map(AssessmentFinding::id).toList()).isNotNull();
    return f;
  }

  /** The first {@code n} keys in the order the report lists them (SQLite's: numbers numerically). */
  private static List<String> firstSorted(List<String> keys, int n) {
    List<String> sorted = new ArrayList<>(keys);
    sorted.sort((a, b) -> a.matches("\\d+") && b.matches("\\d+") ? Long.compare(Long.parseLong(a), Long.parseLong(b))
        : a.compareTo(b));
    return sorted.subList(0, Math.min(n, sorted.size()));
  }

  // ------------------------------------------------------------------ tests

  @Test
  void aCleanAccountReportsNothing() {
    baselineEverything();

    AssessmentReport r = assess("assess-clean", everything(null));

    assertThat(r.findings()).as(r.markdown()).isEmpty();
    assertThat(r.severity()).isEqualTo("None");
    assertThat(r.scope()).isEqualTo("none");
    assertThat(r.recommendation().playbook()).isEqualTo("none");
    assertThat(r.schemaDrift().changes()).isEmpty();
    assertThat(r.rowCounts()).allSatisfy(c -> assertThat(c.change()).as(c.table()).isEqualTo("unchanged"));
    assertThat(r.sources().stagingCopy().method()).isEqualTo("d1-export");
    assertThat(r.sources().baselineBackupId()).startsWith("d1-monotask-production-");
    assertThat(r.sources().kvBaselines()).hasSize(MonoTaskAccount.KV_NAMESPACES.size())
        .allSatisfy((ns, id) -> assertThat(id).startsWith("kv-"));
    assertThat(r.checks()).anySatisfy(c -> assertThat(c).startsWith("PRAGMA quick_check (always): ok"))
        .anySatisfy(c -> assertThat(c).isEqualTo("PRAGMA foreign_key_check: no violations"))
        .anySatisfy(c -> assertThat(c).startsWith("rule tasks.state-domain (monotask): ok"))
        .anySatisfy(c -> assertThat(c).contains("R2 screenshots:").contains("0 checksum mismatch(es)"));
    assertThat(r.markdown()).contains("**Severity: None**").contains("Nothing found");

    PlaybookStatus s = status("assess-clean");
    assertThat(s.state()).isEqualTo(PlaybookState.COMPLETED);
    assertThat(s.findings()).isEmpty();
    assertThat(s.facts()).containsEntry("severity", "None").containsEntry("recommendedPlaybook", "none");
    assertThat(s.steps()).extracting(PlaybookStatus.StepRecord::id)
        .contains("backups", "database", "kv-sessions", "r2-screenshots", "deployments");
  }

  @Test
  void everyInjectedClassIsFoundWithItsCountAndKeys() throws Exception {
    baselineEverything();
    sandbox.account().addWorkerVersion(MonoTaskAccount.WORKER, "Batch task updates", "v1.3.0");
    String newVersion = sandbox.account().workerVersions(MonoTaskAccount.WORKER).get(3).id();
    sandbox.account().deployWorker(MonoTaskAccount.WORKER, newVersion, "Batch task updates");

    // Deletions first, so the rows the other classes pick still exist; each class its own seed.
    InjectionReport deleted = injector.deleteTasks(2, 21);
    InjectionReport states = injector.invalidTaskStates(4, 22);
    InjectionReport orphanEvents = injector.orphanTaskEvents(3, 23);
    InjectionReport orphanTasks = injector.orphanTasks(2, 24);
    InjectionReport duplicates = injector.duplicateTaskEvents(3, 25);
    InjectionReport truncated = injector.truncateTaskDescriptions(3, 255, 26);
    InjectionReport mojibake = injector.mojibakeUserNames(2, 27);
    InjectionReport badUtf8 = injector.invalidUtf8TaskTitles(2, 28);
    InjectionReport index = injector.dropIndex("idx_tasks_state");
    InjectionReport malformed = injector.malformKvJson("CACHE", 3, 29);
    InjectionReport kvDeleted = injector.deleteKvKeys("SESSIONS", 2, 30);
    InjectionReport flipped = injector.flipR2Bytes("screenshots", 2, 31);
    String goneObject = sandbox.account().r2ObjectKeys("agent-artifacts").get(0);
    sandbox.account().deleteR2Object("agent-artifacts", goneObject);
    // Events of deleted tasks are orphans whose parents the backup still holds.
    List<String> orphansOfDeleted = new ArrayList<>();
    deleted.details().values().forEach(d -> {
      String ids = d.substring("orphaned task_events: ".length());
      if (!ids.isEmpty()) {
        orphansOfDeleted.addAll(List.of(ids.split(",")));
      }
    });
    assertThat(orphansOfDeleted).isNotEmpty();

    AssessmentReport r = assess("assess-injected", everything(null));
    if (RecordedHistories.recording()) {
      RecordedHistories.save(env.getWorkflowClient(), "assess-injected", RECORDED);
    }
    // The fresh history replays too: the analysis is deterministic.
    WorkflowReplayer.replayWorkflowExecution(env.getWorkflowClient().fetchHistory("assess-injected"),
        CorruptionAssessmentImpl.class);

    AssessmentFinding f = finding(r, "rule:tasks.state-domain");
    assertThat(f.kind()).isEqualTo("INVALID_VALUE");
    assertThat(f.records()).isEqualTo(states.count());
    assertThat(f.sampleKeys()).isEqualTo(firstSorted(states.affectedKeys(), 5));
    assertThat(f.firstAffectedAt()).isNotNull();

    f = finding(r, "fk:task_events.task_id:new-orphans");
    assertThat(f.records()).isEqualTo(orphanEvents.count());
    assertThat(f.sampleKeys()).isEqualTo(firstSorted(orphanEvents.affectedKeys(), 5));
    assertThat(f.remedy()).isEqualTo("repair");

    f = finding(r, "fk:task_events.task_id:deleted-parents");
    assertThat(f.records()).isEqualTo(orphansOfDeleted.size());
    assertThat(f.sampleKeys()).isEqualTo(firstSorted(orphansOfDeleted, 5));
    assertThat(f.remedy()).isEqualTo("merge");

    f = finding(r, "fk:tasks.project_id:changed");
    assertThat(f.records()).isEqualTo(orphanTasks.count());
    assertThat(f.sampleKeys()).isEqualTo(firstSorted(orphanTasks.affectedKeys(), 5));

    f = finding(r, "rule:task_events-no-duplicate-rows");
    assertThat(f.kind()).isEqualTo("DUPLICATE_ROWS");
    assertThat(f.records()).isEqualTo(duplicates.count());
    assertThat(f.sampleKeys()).isEqualTo(firstSorted(duplicates.affectedKeys(), 5));

    f = finding(r, "rule:tasks.description-not-truncated");
    assertThat(f.kind()).isEqualTo("TRUNCATED_TEXT");
    assertThat(f.records()).isEqualTo(truncated.count());
    assertThat(f.sampleKeys()).isEqualTo(firstSorted(truncated.affectedKeys(), 5));
    assertThat(f.severity()).isEqualTo("high");

    f = finding(r, "rule:users.display_name-utf8");
    assertThat(f.kind()).isEqualTo("MIS_ENCODED_TEXT");
    assertThat(f.records()).isEqualTo(mojibake.count());
    assertThat(f.sampleKeys()).isEqualTo(firstSorted(mojibake.affectedKeys(), 5));

    f = finding(r, "rule:tasks.title-utf8");
    assertThat(f.records()).isEqualTo(badUtf8.count());
    assertThat(f.sampleKeys()).isEqualTo(firstSorted(badUtf8.affectedKeys(), 5));

    f = finding(r, "deleted:tasks");
    assertThat(f.kind()).isEqualTo("DELETED_ROWS");
    assertThat(f.records()).isEqualTo(deleted.count());
    assertThat(f.sampleKeys()).isEqualTo(firstSorted(deleted.affectedKeys(), 5));

    f = finding(r, "schema:index:tasks.idx_tasks_state:removed");
    assertThat(f.kind()).isEqualTo("SCHEMA_DRIFT");
    assertThat(f.sampleKeys()).containsExactlyElementsOf(index.affectedKeys());
    assertThat(r.schemaDrift().changes()).singleElement()
        .satisfies(c -> assertThat(c.before()).isEqualTo(index.details().get("idx_tasks_state")));

    f = finding(r, "kv:CACHE:malformed");
    assertThat(f.kind()).isEqualTo("KV_MALFORMED_VALUES");
    assertThat(f.records()).isEqualTo(malformed.count());
    assertThat(f.sampleKeys()).isEqualTo(firstSorted(malformed.affectedKeys(), 5));

    f = finding(r, "kv:SESSIONS:missing");
    assertThat(f.kind()).isEqualTo("KV_MISSING_KEYS");
    assertThat(f.records()).isEqualTo(kvDeleted.count());
    assertThat(f.sampleKeys()).isEqualTo(firstSorted(kvDeleted.affectedKeys(), 5));

    f = finding(r, "r2:screenshots:checksum");
    assertThat(f.kind()).isEqualTo("R2_CHECKSUM_MISMATCH");
    assertThat(f.records()).isEqualTo(flipped.count());
    assertThat(f.sampleKeys()).isEqualTo(firstSorted(flipped.affectedKeys(), 5));

    f = finding(r, "r2:agent-artifacts:missing");
    assertThat(f.records()).isEqualTo(1);
    assertThat(f.sampleKeys()).containsExactly(goneObject);

    // Nothing else: every finding is one of the injected classes.
    assertThat(r.findings()).extracting(AssessmentFinding::id).containsExactlyInAnyOrder(
        "rule:tasks.state-domain", "fk:task_events.task_id:new-orphans", "fk:task_events.task_id:deleted-parents",
        "fk:tasks.project_id:changed", "rule:task_events-no-duplicate-rows", "rule:tasks.description-not-truncated",
        "rule:users.display_name-utf8", "rule:tasks.title-utf8", "deleted:tasks",
        "schema:index:tasks.idx_tasks_state:removed", "kv:CACHE:malformed", "kv:SESSIONS:missing",
        "r2:screenshots:checksum", "r2:agent-artifacts:missing");
    assertThat(r.severity()).isEqualTo("High");
    assertThat(r.scope()).isEqualTo("isolated");

    // Root cause: the deployment after the last good backup.
    assertThat(r.rootCauseHints()).anySatisfy(h -> {
      assertThat(h.kind()).isEqualTo("deployment");
      assertThat(h.what()).contains("Batch task updates");
    });

    // Merge what the backup holds intact, then repair the patterns; KV keys and R2 objects come back.
    assertThat(r.recommendation().playbook()).isEqualTo("merge");
    MergePlan merge = r.recommendation().actions().get(0).merge();
    Set<String> tasks = new HashSet<>(deleted.affectedKeys());
    tasks.addAll(orphanTasks.affectedKeys());
    tasks.addAll(truncated.affectedKeys());
    tasks.addAll(badUtf8.affectedKeys());
    assertThat(merge.records()).filteredOn(s -> s.table().equals("tasks")).singleElement()
        .satisfies(s -> assertThat(s.keys()).containsExactlyInAnyOrderElementsOf(tasks));
    assertThat(merge.records()).filteredOn(s -> s.table().equals("users")).singleElement()
        .satisfies(s -> assertThat(s.keys()).containsExactlyInAnyOrderElementsOf(mojibake.affectedKeys()));
    assertThat(r.recommendation().actions()).extracting(AssessmentReport.Action::playbook, AssessmentReport.Action::component)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("merge", "d1:" + DB),
            org.assertj.core.groups.Tuple.tuple("repair", "d1:" + DB),
            org.assertj.core.groups.Tuple.tuple("merge", "kv:SESSIONS"),
            org.assertj.core.groups.Tuple.tuple("merge", "kv:CACHE"),
            org.assertj.core.groups.Tuple.tuple("merge", "r2:screenshots"),
            org.assertj.core.groups.Tuple.tuple("merge", "r2:agent-artifacts"));
    AssessmentReport.Action sessions = r.recommendation().actions().get(2);
    assertThat(sessions.pitr().keys()).containsExactlyInAnyOrderElementsOf(kvDeleted.affectedKeys());

    PlaybookStatus s = status("assess-injected");
    assertThat(s.findings()).hasSize(r.findings().size());
    assertThat(s.facts()).containsEntry("severity", "High").containsEntry("recommendedPlaybook", "merge");
    assertThat(r.markdown()).contains("## 1. Scope").contains("## 2. Impact").contains("## 3. Root cause")
        .contains("## 4. Recommendation").contains("Batch task updates");
  }

  @Test
  void deletedTasksAreIsolatedAndRecommendAMergeOfExactlyThoseRows() {
    backUpDatabase();
    InjectionReport deleted = injector.deleteTasks(3, 41);

    // A namespace that does not exist is reported as not checked; the rest of the assessment stands.
    AssessmentReport r = assess("assess-deleted", new AssessmentInput(Target.d1(DB), List.of("NO_SUCH_NAMESPACE"), null,
        null, null, null, null, null, null, null, null, null, null, null, "alice"));
    assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("not checked: KV NO_SUCH_NAMESPACE: "));
    assertThat(status("assess-deleted").state()).isEqualTo(PlaybookState.COMPLETED);

    assertThat(r.recommendation().playbook()).isEqualTo("merge");
    MergePlan merge = r.recommendation().actions().get(0).merge();
    assertThat(merge.backupId()).isEqualTo(r.sources().baselineBackupId());
    assertThat(merge.records()).singleElement().satisfies(s -> {
      assertThat(s.table()).isEqualTo("tasks");
      assertThat(s.keyColumn()).isEqualTo("id");
      assertThat(s.keys()).containsExactlyInAnyOrderElementsOf(deleted.affectedKeys());
      assertThat(s.complete()).isTrue();
    });
    assertThat(r.recommendation().dataLoss()).contains("3 restored record(s)");
    assertThat(r.findings()).extracting(AssessmentFinding::scope).containsOnly("isolated");
    assertThat(r.recommendation().alternatives()).extracting(AssessmentReport.Alternative::playbook)
        .containsExactly("pitr", "merge", "repair");
  }

  @Test
  void invalidStatesAreRepairedWithSqlThatFixesExactlyThem() throws Exception {
    backUpDatabase();
    InjectionReport states = injector.invalidTaskStates(5, 51);

    AssessmentReport r = assess("assess-states", new AssessmentInput(Target.d1(DB), null, null, null, null, "monotask",
        null, null, null, null, null, null, null, "INC-8", "alice"));

    assertThat(r.recommendation().playbook()).isEqualTo("repair");
    RepairPlan repair = r.recommendation().actions().get(0).repair();
    assertThat(repair.statements()).extracting(RepairPlan.RepairStatement::finding).containsOnly("rule:tasks.state-domain");
    assertThat(repair.statements().stream().mapToLong(RepairPlan.RepairStatement::expectedRows).sum())
        .isEqualTo(states.count());
    assertThat(r.markdown()).contains("```sql").contains("UPDATE \"tasks\" SET \"state\"");

    // The SQL does what it says on a copy of the damaged database: every state valid again, and
    // exactly the injected rows changed.
    Path copy = dir.resolve("repair-check.sqlite");
    Files.copy(sandbox.account().d1DatabaseFile(DB), copy);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy); Statement st = c.createStatement()) {
      long changed = 0;
      for (RepairPlan.RepairStatement stmt : repair.statements()) {
        changed += st.executeUpdate(stmt.sql());
      }
      assertThat(changed).isEqualTo(states.count());
      try (ResultSet rs = st.executeQuery(
          "SELECT count(*) FROM tasks WHERE state NOT IN ('PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED')")) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
    }
  }

  @Test
  void systemicDamageRecommendsARestoreToTheBestPointBeforeIt() {
    BackupManifest baseline = backUpDatabase();
    String since = Instant.now().toString();
    InjectionReport deleted = injector.deleteTasks(40, 61);

    AssessmentReport r = assess("assess-systemic", AssessmentInput.of(Target.d1(DB)));

    assertThat(r.scope()).isEqualTo("systemic");
    assertThat(r.severity()).isEqualTo("Critical");
    assertThat(finding(r, "deleted:tasks").records()).isEqualTo(deleted.count());
    assertThat(r.recommendation().playbook()).isEqualTo("pitr");
    AssessmentReport.Action restore = r.recommendation().actions().get(0);
    assertThat(restore.pitr().backupId()).isEqualTo(baseline.backupId());
    assertThat(restore.pitr().target()).isEqualTo(Target.d1(DB));
    assertThat(r.recommendation().recoveryPoint().backupId()).isEqualTo(baseline.backupId());
    assertThat(r.recommendation().dataLoss()).contains("every write to d1:" + DB + " after " + baseline.createdAt());

    // With a suspected start inside D1's Time Travel window, restore to just before it.
    AssessmentReport timed = assess("assess-systemic-since", new AssessmentInput(Target.d1(DB), null, null, since,
        null, null, null, null, null, null, null, null, null, null, "alice"));
    assertThat(timed.recommendation().playbook()).isEqualTo("pitr");
    assertThat(timed.recommendation().actions().get(0).pitr().targetTime()).isEqualTo(Instant.parse(since).toString());
  }
}
