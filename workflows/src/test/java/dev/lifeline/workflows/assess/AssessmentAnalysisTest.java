package dev.lifeline.workflows.assess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.workflows.assess.AssessmentReport.SchemaChange;
import dev.lifeline.workflows.assess.DatabaseFacts.BaselineComparison;
import dev.lifeline.workflows.assess.DatabaseFacts.DeletedRows;
import dev.lifeline.workflows.assess.DatabaseFacts.IntegrityRun;
import dev.lifeline.workflows.assess.DatabaseFacts.Migration;
import dev.lifeline.workflows.assess.DatabaseFacts.RecordOrigin;
import dev.lifeline.workflows.assess.DatabaseFacts.StagingCopy;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.BackupManifest.TableManifest;
import dev.lifeline.workflows.backup.Verification;
import dev.lifeline.workflows.common.Target;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure analysis: drift, row counts, impact, severity, root cause and recommendation. */
class AssessmentAnalysisTest {
  static final Instant NOW = Instant.parse("2026-11-22T06:00:00Z");
  static final Instant BACKUP_AT = Instant.parse("2026-11-22T02:00:00Z");
  static final Instant OLDER_AT = Instant.parse("2026-11-21T02:00:00Z");
  static final Target D1 = Target.d1("monotask-production");
  static final String TASKS_SQL = "CREATE TABLE tasks(id TEXT PRIMARY KEY, state TEXT NOT NULL, title TEXT)";
  static final String INDEX = "CREATE INDEX idx_tasks_state ON tasks(state)";

  static TableManifest tasks(long rows, List<String> indexes) {
    return new TableManifest("tasks", rows, TASKS_SQL, List.of("id TEXT", "state TEXT", "title TEXT"), indexes, null);
  }

  static BackupManifest backup(String id, Instant at, List<TableManifest> tables) {
    return new BackupManifest(1, id, "d1", D1.label(), "uuid", "monotask-production", at, at, "daily", null,
        "d1-export", "sql-dump", tables, List.of(), null, null, null, List.of(),
        new Verification(Verification.Status.PASSED, at, List.of(), "ok", 0, List.of()), null, null, null, Map.of(), null);
  }

  static DatabaseFacts facts(List<TableManifest> tables, List<RuleResult> rules, BaselineComparison comparison,
      List<IntegrityRun> integrity, List<Migration> migrations) {
    return new DatabaseFacts(D1.label(), new StagingCopy("d1-export", D1.label(), NOW, "bm", 1000, 100, 10, List.of()),
        integrity, List.of(), tables, rules, List.of(), migrations, comparison, List.of(), List.of());
  }

  static List<IntegrityRun> ok() {
    return List.of(new IntegrityRun("quick_check", true, List.of("ok"), "always"));
  }

  static AssessmentInput input(Target target, String suspectedSince) {
    return new AssessmentInput(target, null, null, suspectedSince, null, "monotask", null, null, null, 3, null, null,
        null, "INC-1", "alice");
  }

  static AssessmentReport analyse(AssessmentInput in, List<BackupManifest> backups, BackupManifest baseline,
      DatabaseFacts db, List<DeploymentFacts> deployments) {
    return AssessmentAnalysis.analyse(new AssessmentEvidence(in, NOW, backups, baseline, db, List.of(), List.of(),
        deployments, List.of()));
  }

  static RuleResult violated(Rule rule, long violations, List<String> keys, List<RuleResult.ValueCount> values) {
    return new RuleResult(rule, violations, keys, "id", "2026-09-01T08:00:00.000Z", "2026-09-02T08:00:00.000Z",
        "created_at", null, "monotask", keys, violations <= keys.size(), values);
  }

  static final Rule STATE = RuleSets.monotask().get(0);

  @Test
  void cleanFactsGiveNoFindingsAndNoRecommendation() {
    BackupManifest b = backup("b1", BACKUP_AT, List.of(tasks(100, List.of(INDEX))));
    DatabaseFacts db = facts(List.of(tasks(100, List.of(INDEX))),
        List.of(new RuleResult(STATE, 0, List.of(), "id", null, null, "created_at", null)), null, ok(), List.of());

    AssessmentReport r = analyse(input(D1, null), List.of(b), b, db, List.of());

    assertThat(r.findings()).isEmpty();
    assertThat(r.severity()).isEqualTo("None");
    assertThat(r.scope()).isEqualTo("none");
    assertThat(r.recommendation().playbook()).isEqualTo("none");
    assertThat(r.schemaDrift().changes()).isEmpty();
    assertThat(r.rowCounts()).singleElement().satisfies(c -> assertThat(c.change()).isEqualTo("unchanged"));
    assertThat(r.rootCauseHints()).isEmpty();
    assertThat(r.onset()).isNull();
  }

  @Test
  void driftFindsADroppedIndexARemovedColumnAndANewTableAndRepairsTheIndex() {
    BackupManifest b = backup("b1", BACKUP_AT, List.of(tasks(100, List.of(INDEX))));
    TableManifest now = new TableManifest("tasks", 100, TASKS_SQL, List.of("id TEXT", "state TEXT"), List.of(), null);
    TableManifest added = new TableManifest("audit", 0, "CREATE TABLE audit(id INTEGER PRIMARY KEY)", List.of("id INTEGER"),
        List.of(), null);
    AssessmentReport r = analyse(input(D1, null), List.of(b), b, facts(List.of(now, added), List.of(), null, ok(), List.of()),
        List.of());

    assertThat(r.schemaDrift().changes()).extracting(SchemaChange::object, SchemaChange::change, SchemaChange::name)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("column", "removed", "title"),
            org.assertj.core.groups.Tuple.tuple("index", "removed", "idx_tasks_state"),
            org.assertj.core.groups.Tuple.tuple("table", "added", "audit"));
    assertThat(r.finding("schema:index:tasks.idx_tasks_state:removed").severity()).isEqualTo("medium");
    assertThat(r.finding("schema:column:tasks.title:removed").severity()).isEqualTo("high");
    assertThat(r.findings()).extracting(AssessmentFinding::id).doesNotContain("schema:table:audit:added");
    assertThat(r.recommendation().actions()).filteredOn(a -> a.playbook().equals("repair")).singleElement()
        .satisfies(a -> assertThat(a.repair().statements()).extracting(RepairPlan.RepairStatement::sql)
            .containsExactly(INDEX + ";"));
  }

  @Test
  void aShrunkTableWithoutARowByRowComparisonIsADeletionWithItsHistory() {
    BackupManifest older = backup("b0", OLDER_AT, List.of(tasks(96, List.of(INDEX))));
    BackupManifest b = backup("b1", BACKUP_AT, List.of(tasks(100, List.of(INDEX))));
    AssessmentReport r = analyse(input(D1, null), List.of(b, older), b,
        facts(List.of(tasks(97, List.of(INDEX))), List.of(), null, ok(), List.of()), List.of());

    AssessmentFinding f = r.finding("rows:tasks");
    assertThat(f.kind()).isEqualTo("DELETED_ROWS");
    assertThat(f.records()).isEqualTo(3);
    assertThat(f.summary()).contains("100 → 97").contains("earlier backups: [96]");
    assertThat(r.rowCounts()).singleElement().satisfies(c -> {
      assertThat(c.change()).isEqualTo("dropped");
      assertThat(c.history()).containsExactly(Map.entry(OLDER_AT.toString(), 96L));
    });
  }

  @Test
  void invalidStatesAreARepairMappingVariantsAndDefaultingTheRest() {
    BackupManifest b = backup("b1", BACKUP_AT, List.of(tasks(100, List.of(INDEX))));
    RuleResult states = violated(STATE, 4, List.of("t1", "t2", "t3", "t4"), List.of(
        new RuleResult.ValueCount("IN PROGRESS", 2), new RuleResult.ValueCount("DONE", 1),
        new RuleResult.ValueCount("it's", 1)));
    BaselineComparison cmp = new BaselineComparison("b1", BACKUP_AT, List.of(), List.of(
        new RecordOrigin("rule:tasks.state-domain", "tasks", 4, List.of("t1", "t2", "t3", "t4"), List.of(), List.of(),
            null, null)));
    AssessmentReport r = analyse(input(D1, null), List.of(b), b,
        facts(List.of(tasks(100, List.of(INDEX))), List.of(states), cmp, ok(), List.of()), List.of());

    assertThat(r.recommendation().playbook()).isEqualTo("repair");
    assertThat(r.recommendation().actions().get(0).repair().statements())
        .extracting(RepairPlan.RepairStatement::sql, RepairPlan.RepairStatement::expectedRows)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "UPDATE \"tasks\" SET \"state\" = 'IN_PROGRESS' WHERE \"state\" = 'IN PROGRESS';", 2L),
            org.assertj.core.groups.Tuple.tuple("UPDATE \"tasks\" SET \"state\" = 'PENDING' WHERE \"state\" IS NOT NULL"
                + " AND \"state\" NOT IN ('PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED');", 2L));
    assertThat(r.finding("rule:tasks.state-domain").summary()).contains("'it's' × 1");
    assertThat(r.severity()).isEqualTo("High");
    assertThat(r.severityReason()).startsWith("High (important features broken, some data lost, a subset of users");
    assertThat(r.recommendation().alternatives()).filteredOn(a -> a.playbook().equals("repair")).singleElement()
        .satisfies(a -> assertThat(a.fits()).isTrue());
  }

  @Test
  void systemicDamageIsCriticalAndRestoresFromTheNewestBackupBeforeSuspectedSince() {
    BackupManifest older = backup("b0", OLDER_AT, List.of(tasks(100, List.of(INDEX))));
    BackupManifest b = backup("b1", BACKUP_AT, List.of(tasks(100, List.of(INDEX))));
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      keys.add(String.format("t%02d", i));
    }
    RuleResult truncated = violated(Rule.shape("tasks.title-not-truncated", "tasks", "title", "notTruncated", null, null),
        30, keys, null);
    String suspected = "2026-11-21T12:00:00Z";
    // Suspected before the newest backup: the baseline is the one before it.
    AssessmentReport sqlite = analyse(input(Target.sqlite("/data/app.db"), suspected), List.of(b, older), older,
        facts(List.of(tasks(100, List.of(INDEX))), List.of(truncated), null, ok(), List.of()), List.of());

    AssessmentFinding f = sqlite.finding("rule:tasks.title-not-truncated");
    assertThat(f.scope()).isEqualTo("systemic");
    assertThat(f.severity()).isEqualTo("critical");
    assertThat(sqlite.severity()).isEqualTo("Critical");
    assertThat(sqlite.recommendation().playbook()).isEqualTo("pitr");
    assertThat(sqlite.recommendation().actions().get(0).pitr().backupId()).isEqualTo("b0");
    assertThat(sqlite.recommendation().recoveryPoint().dataLoss()).contains("after " + OLDER_AT).contains("28 h");

    // A D1 database restores to the suspected moment itself (Time Travel), losing less.
    AssessmentReport d1 = analyse(input(D1, suspected), List.of(b, older), older,
        facts(List.of(tasks(100, List.of(INDEX))), List.of(truncated), null, ok(), List.of()), List.of());
    assertThat(d1.recommendation().actions().get(0).pitr().targetTime()).isEqualTo(suspected);
    assertThat(d1.recommendation().dataLoss()).contains("after " + suspected).contains("with Time Travel");
  }

  @Test
  void aFailedIntegrityCheckIsCriticalAndSystemic() {
    BackupManifest b = backup("b1", BACKUP_AT, List.of(tasks(100, List.of(INDEX))));
    List<IntegrityRun> broken = List.of(
        new IntegrityRun("quick_check", false, List.of("*** in database main ***", "Page 7: btreeInitPage() returns error code 11"), "always"),
        new IntegrityRun("integrity_check", false, List.of("Page 7: btreeInitPage() returns error code 11"), "quick_check failed"));
    AssessmentReport r = analyse(input(D1, null), List.of(b), b,
        facts(List.of(tasks(100, List.of(INDEX))), List.of(), null, broken, List.of()), List.of());

    assertThat(r.severity()).isEqualTo("Critical");
    assertThat(r.finding("integrity:quick_check").scope()).isEqualTo("systemic");
    assertThat(r.recommendation().playbook()).isEqualTo("pitr");
    assertThat(r.recommendation().actions().get(0).pitr().backupId()).isEqualTo("b1");
  }

  @Test
  void withoutABackupNothingCanBeMergedAndTheReportSaysSo() {
    RuleResult mangled = violated(Rule.shape("tasks.title-utf8", "tasks", "title", "utf8", null, null), 2,
        List.of("t1", "t2"), null);
    AssessmentReport r = analyse(input(D1, null), List.of(), null,
        facts(List.of(tasks(100, List.of(INDEX))), List.of(mangled), null, ok(), List.of()), List.of());

    assertThat(r.finding("rule:tasks.title-utf8").remedy()).isEqualTo("none");
    assertThat(r.recommendation().playbook()).isEqualTo("none");
    assertThat(r.recommendation().reason()).contains("need a person");
    assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("no verified backup"));
    assertThat(r.schemaDrift()).isNull();
  }

  @Test
  void deploymentsInsideTheOnsetWindowAndMigrationsNearTheFirstAffectedRowAreHints() {
    BackupManifest b = backup("b1", BACKUP_AT, List.of(tasks(100, List.of(INDEX))));
    RuleResult states = violated(STATE, 1, List.of("t1"), List.of(new RuleResult.ValueCount("DONE", 1)));
    BaselineComparison cmp = new BaselineComparison("b1", BACKUP_AT, List.of(), List.of(
        new RecordOrigin("rule:tasks.state-domain", "tasks", 1, List.of("t1"), List.of(), List.of(), null, null)));
    List<DeploymentFacts> deployments = List.of(new DeploymentFacts("api", List.of(
        new DeploymentFacts.Deployment("d2", "2026-11-22T03:15:00Z", "wrangler", "ops@x", "Batch updates", List.of("v2=100%")),
        new DeploymentFacts.Deployment("d1", "2026-11-01T03:15:00Z", "wrangler", "ops@x", "Old", List.of("v1=100%"))), null));
    List<Migration> migrations = List.of(new Migration("5", "0005_states.sql", "2026-09-01T20:00:00.000Z"));
    AssessmentReport r = analyse(input(D1, null), List.of(b), b,
        facts(List.of(tasks(100, List.of(INDEX))), List.of(states), cmp, ok(), migrations), deployments);

    assertThat(r.onset().notBefore()).isEqualTo(BACKUP_AT);
    assertThat(r.rootCauseHints()).extracting(AssessmentReport.RootCauseHint::kind, AssessmentReport.RootCauseHint::at)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("deployment", "2026-11-22T03:15:00Z"),
            org.assertj.core.groups.Tuple.tuple("migration", "2026-09-01T20:00:00.000Z"));
    assertThat(r.rootCauseHints().get(0).relation()).contains("inside the window");
    assertThat(r.rootCauseHints().get(1).relation()).contains("within 24 h of the first affected");
  }

  @Test
  void theAnalysisIsDeterministicAndRendersEverySection() {
    BackupManifest b = backup("b1", BACKUP_AT, List.of(tasks(100, List.of(INDEX))));
    BaselineComparison cmp = new BaselineComparison("b1", BACKUP_AT, List.of(
        new DeletedRows("tasks", "id", 2, List.of("t7", "t9"), true, "2026-09-01T08:00:00.000Z",
            "2026-09-01T09:00:00.000Z", "created_at")), List.of());
    DatabaseFacts db = facts(List.of(tasks(98, List.of(INDEX))), List.of(), cmp, ok(), List.of());
    AssessmentEvidence e = new AssessmentEvidence(input(D1, null), NOW, List.of(b), b, db, List.of(), List.of(), List.of(),
        List.of("KV NOPE: no KV namespace titled or with id NOPE"));

    AssessmentReport first = AssessmentAnalysis.analyse(e);
    assertThat(AssessmentAnalysis.analyse(e)).isEqualTo(first);
    assertThat(first.checks()).contains("not checked: KV NOPE: no KV namespace titled or with id NOPE");
    assertThat(first.recommendation().playbook()).isEqualTo("merge");
    assertThat(first.recommendation().actions().get(0).merge().records()).singleElement()
        .satisfies(s -> assertThat(s.keys()).containsExactly("t7", "t9"));
    String md = AssessmentMarkdown.render(first);
    assertThat(md).contains("# Corruption assessment of d1:monotask-production").contains("**Severity: High**")
        .contains("## 1. Scope").contains("## 2. Impact").contains("## 3. Root cause").contains("## 4. Recommendation")
        .contains("\"keys\" : [ \"t7\", \"t9\" ]").contains("| merge | yes |");
    assertThat(AssessmentMarkdown.render(first)).isEqualTo(md);
  }
}
