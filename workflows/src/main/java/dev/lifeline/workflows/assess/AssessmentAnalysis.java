package dev.lifeline.workflows.assess;

import dev.lifeline.workflows.assess.AssessmentReport.Action;
import dev.lifeline.workflows.assess.AssessmentReport.Alternative;
import dev.lifeline.workflows.assess.AssessmentReport.Onset;
import dev.lifeline.workflows.assess.AssessmentReport.Recommendation;
import dev.lifeline.workflows.assess.AssessmentReport.RecoveryPointChoice;
import dev.lifeline.workflows.assess.AssessmentReport.RootCauseHint;
import dev.lifeline.workflows.assess.AssessmentReport.RowCount;
import dev.lifeline.workflows.assess.AssessmentReport.SchemaChange;
import dev.lifeline.workflows.assess.AssessmentReport.SchemaDrift;
import dev.lifeline.workflows.assess.AssessmentReport.Sources;
import dev.lifeline.workflows.assess.DatabaseFacts.DeletedRows;
import dev.lifeline.workflows.assess.DatabaseFacts.ForeignKeyViolations;
import dev.lifeline.workflows.assess.DatabaseFacts.IntegrityRun;
import dev.lifeline.workflows.assess.DatabaseFacts.RecordOrigin;
import dev.lifeline.workflows.assess.MergePlan.RecordSet;
import dev.lifeline.workflows.assess.RepairPlan.RepairStatement;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.BackupManifest.TableManifest;
import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.pitr.PitrInput;
import dev.lifeline.workflows.playbook.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the facts of an assessment into the report: findings with their impact, schema drift, row
 * counts against the baseline and recent backups, the overall severity with its reason, the onset
 * and root-cause hints, and the recommendation with ready inputs. Pure and deterministic (no
 * clocks, I/O or randomness), so workflow code calls it directly and replays get the same report.
 *
 * <p>The rules, in the runbook's terms:
 *
 * <ul>
 *   <li><b>Scope.</b> A finding is <i>systemic</i> when it affects at least {@value #SYSTEMIC_PERCENT}%
 *       of its table, namespace or bucket (and at least {@value #SYSTEMIC_MIN_RECORDS} records),
 *       when its records are too many to list (more than the record limit), when the integrity
 *       check fails or when a table is gone; otherwise it is <i>isolated</i>.
 *   <li><b>Severity</b> (per finding, then the highest wins): <i>critical</i> — core functionality
 *       broken, data lost, many users affected (the file is damaged, a table is gone, or data-losing
 *       damage is systemic); <i>high</i> — important features broken, some data lost, a subset of
 *       users (deleted rows, missing keys or objects, truncated text, broken references, checksum
 *       mismatches, rules marked high); <i>medium</i> — non-critical features, minimal loss
 *       (mis-encoded text, malformed JSON, duplicates, a dropped index, rules marked medium);
 *       <i>low</i> — minor inconsistencies. Systemic damage is one level worse.
 *   <li><b>Recommendation.</b> Systemic damage: point-in-time restore to the best recovery point
 *       before the damage. Isolated damage the backup holds intact (deleted rows, parents of
 *       orphans, rows whose text or references were mangled): a selective merge of exactly those
 *       records. A well-understood pattern (values outside a domain, duplicate rows, orphans written
 *       since the backup, a dropped index): a surgical repair with its SQL. Merge comes before
 *       repair when both apply.
 * </ul>
 */
public final class AssessmentAnalysis {
  /** Share of a table, namespace or bucket from which damage is systemic. */
  public static final int SYSTEMIC_PERCENT = 10;

  /** Fewest records for damage to count as systemic by share. */
  public static final int SYSTEMIC_MIN_RECORDS = 10;

  static final String CRITICAL = "critical";
  static final String HIGH = "high";
  static final String MEDIUM = "medium";
  static final String LOW = "low";
  static final String ISOLATED = "isolated";
  static final String SYSTEMIC = "systemic";

  private static final Pattern INDEX_NAME =
      Pattern.compile("^\\s*CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(\"(?:[^\"]|\"\")+\"|`[^`]+`|\\[[^]]+]|[^\\s(]+)",
          Pattern.CASE_INSENSITIVE);

  private final AssessmentEvidence e;
  private final AssessmentInput in;
  private final String dbLabel;
  private final int sampleSize;
  private final int limit;
  private final List<AssessmentFinding> findings = new ArrayList<>();
  private final List<MergeContribution> merges = new ArrayList<>();
  private final List<RepairStatement> repairs = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final List<String> checks = new ArrayList<>();

  /** A record set one finding contributes to a merge. */
  private record MergeContribution(String finding, RecordSet set) {}

  private AssessmentAnalysis(AssessmentEvidence evidence) {
    this.e = evidence;
    this.in = evidence.input();
    this.dbLabel = in.target().label();
    this.sampleSize = in.sampleSizeOrDefault();
    this.limit = in.recordLimitOrDefault();
  }

  /** The report for {@code evidence}, without its Markdown (see {@link AssessmentMarkdown}). */
  public static AssessmentReport analyse(AssessmentEvidence evidence) {
    return new AssessmentAnalysis(evidence).run();
  }

  private AssessmentReport run() {
    SchemaDrift drift = null;
    List<RowCount> rowCounts = List.of();
    if (e.database() != null) {
      database(e.database());
      drift = drift(e.database());
      rowCounts = rowCounts(e.database());
    }
    for (KvFacts kv : list(e.kv())) {
      kv(kv);
    }
    for (R2Facts r2 : list(e.r2())) {
      r2(r2);
    }
    // Impact: scope and severity of each finding, most severe first.
    List<AssessmentFinding> judged = new ArrayList<>();
    for (AssessmentFinding f : findings) {
      judged.add(judge(f));
    }
    judged.sort(Comparator.comparingInt((AssessmentFinding f) -> -rank(f.severity())).thenComparing(AssessmentFinding::id));
    findings.clear();
    findings.addAll(judged);

    Onset onset = onset();
    List<RootCauseHint> hints = findings.isEmpty() ? List.of() : hints(onset);
    Recommendation recommendation = recommend(onset);
    String severity = overallSeverity();
    String scope = findings.isEmpty() ? "none" : findings.stream().anyMatch(f -> SYSTEMIC.equals(f.scope())) ? SYSTEMIC : ISOLATED;
    Map<String, String> kvBaselines = new LinkedHashMap<>();
    for (KvFacts kv : list(e.kv())) {
      kvBaselines.put(kv.namespace(), kv.baselineBackupId() == null ? "(none)" : kv.baselineBackupId());
    }
    Map<String, String> secondaries = new LinkedHashMap<>();
    for (R2Facts r2 : list(e.r2())) {
      secondaries.put(r2.bucket(), r2.secondaryBucket());
    }
    Sources sources =
        new Sources(e.database() == null ? null : e.database().copy(),
            e.baseline() == null ? null : e.baseline().backupId(),
            e.baseline() == null ? null : e.baseline().createdAt(),
            kvBaselines.isEmpty() ? null : kvBaselines, secondaries.isEmpty() ? null : secondaries);
    if (e.baseline() == null && e.database() != null) {
      notes.add("no verified backup of " + dbLabel + (in.suspectedInstant() == null ? "" : " at or before " + in.suspectedSince())
          + ": schema drift, row counts and deleted rows were not compared, and nothing can be merged back."
          + " Take a backup now (lifeline start backup-d1) before changing anything.");
    }
    if (e.database() != null && e.database().notes() != null) {
      notes.addAll(e.database().notes());
    }
    for (String problem : list(e.problems())) {
      checks.add("not checked: " + problem);
      notes.add("not checked: " + problem);
    }
    return new AssessmentReport(dbLabel, in.incidentId(), e.assessedAt(), in.suspectedSince(), severity,
        severityReason(severity), scope, List.copyOf(findings), drift, rowCounts, onset, hints, recommendation,
        List.copyOf(checks),
        e.database() == null || e.database().suggestions() == null ? List.of() : e.database().suggestions(),
        sources, List.copyOf(notes), null);
  }

  // ------------------------------------------------------------------ scope: the database

  private void database(DatabaseFacts f) {
    Map<String, Long> rows = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (TableManifest t : list(f.tables())) {
      rows.put(t.name(), t.rows());
    }
    if (f.copy() != null) {
      checks.add("staging copy: " + f.copy().method() + " of " + f.copy().source() + ", " + f.copy().rows() + " rows, "
          + f.copy().bytes() + " bytes in " + f.copy().millis() + " ms");
    }
    for (IntegrityRun r : list(f.integrity())) {
      checks.add("PRAGMA " + r.pragma() + " (" + r.reason() + "): " + (r.ok() ? "ok" : String.join("; ", first(r.messages(), 3))));
      if (!r.ok()) {
        add(new AssessmentFinding("integrity:" + r.pragma(), "INTEGRITY_FAILURE", dbLabel, null, null, CRITICAL, SYSTEMIC,
            "PRAGMA " + r.pragma() + " reports damage to the database file: " + String.join("; ", first(r.messages(), 3))
                + (r.messages().size() > 3 ? " (+" + (r.messages().size() - 3) + " more)" : ""),
            "PRAGMA " + r.pragma(), r.messages().size(), null, null, List.of(), null, null, null, "pitr",
            "the file itself is damaged: rows cannot be trusted one by one"));
      }
    }
    long fkTotal = list(f.foreignKeys()).stream().mapToLong(ForeignKeyViolations::count).sum();
    checks.add("PRAGMA foreign_key_check: " + (fkTotal == 0 ? "no violations" : fkTotal + " violation(s) in "
        + list(f.foreignKeys()).stream().map(ForeignKeyViolations::table).distinct().toList()));
    Map<String, RecordOrigin> origins = new LinkedHashMap<>();
    if (f.baseline() != null) {
      for (RecordOrigin o : list(f.baseline().origins())) {
        origins.put(o.ref(), o);
      }
    }
    for (ForeignKeyViolations fk : list(f.foreignKeys())) {
      if (fk.count() > 0) {
        foreignKey(fk, origins.get("fk:" + fk.table() + "." + fk.column()), rows);
      }
    }
    for (RuleResult r : list(f.rules())) {
      String label = "rule " + r.rule().id() + (r.source() == null ? "" : " (" + r.source() + ")");
      if (r.error() != null) {
        checks.add(label + ": not run, " + r.error());
        continue;
      }
      checks.add(label + ": " + (r.violations() == 0 ? "ok" : r.violations() + " violation(s)"));
      if (r.violations() == 0 || coveredByForeignKey(r, f)) {
        continue;
      }
      rule(r, origins.get("rule:" + r.rule().id()), rows);
    }
    if (f.baseline() != null) {
      checks.add("compared with backup " + f.baseline().backupId() + " restored locally: "
          + list(f.baseline().deleted()).stream().mapToLong(DeletedRows::count).sum() + " row(s) deleted since");
      for (DeletedRows d : list(f.baseline().deleted())) {
        if (d.count() > 0) {
          deleted(d);
        }
      }
    }
    for (RecordOrigin o : origins.values()) {
      if (o.checked() > 0 && o.preexisting() != null && !o.preexisting().isEmpty()) {
        notes.add(o.preexisting().size() + " record(s) of " + o.ref() + " already broke it in backup "
            + f.baseline().backupId() + ": that backup does not hold them intact");
      }
    }
    if (f.migrations() != null && !f.migrations().isEmpty()) {
      checks.add("d1_migrations: " + f.migrations().size() + " recent row(s), newest " + f.migrations().get(0).name()
          + " at " + f.migrations().get(0).appliedAt());
    }
  }

  private static boolean coveredByForeignKey(RuleResult r, DatabaseFacts f) {
    Rule rule = r.rule();
    if (rule.parsedKind() != Rule.Kind.REFERENCE) {
      return false;
    }
    return list(f.foreignKeys()).stream().anyMatch(fk -> fk.table().equalsIgnoreCase(rule.table())
        && fk.column().equalsIgnoreCase(rule.column()) && fk.refTable().equalsIgnoreCase(rule.refTable()));
  }

  private void foreignKey(ForeignKeyViolations fk, RecordOrigin o, Map<String, Long> rows) {
    String base = "fk:" + fk.table() + "." + fk.column();
    String what = fk.table() + "." + fk.column() + " → " + fk.refTable() + "." + fk.refColumn();
    String evidence = "PRAGMA foreign_key_check (" + what + ")";
    Long total = rows.get(fk.table());
    if (o == null) {
      add(new AssessmentFinding(base, "ORPHANED_REFERENCE", dbLabel, fk.table(), fk.column(), HIGH, null,
          fk.count() + " " + fk.table() + " row(s) reference " + fk.refTable() + " rows that do not exist ("
              + what + "; missing " + fk.refTable() + ": " + sample(fk.missingParents()) + ")",
          evidence, fk.count(), total, fk.keyColumn(), first(fk.keys(), sampleSize), fk.firstAffectedAt(),
          fk.lastAffectedAt(), fk.timestampColumn(), "none",
          "without a verified backup, deleted parents cannot be told from bad references: a person decides whether"
              + " to recreate the parents or delete the orphans"));
      return;
    }
    String backup = e.database().baseline().backupId();
    List<String> orphans = list(o.orphansOfDeletedParents());
    List<String> restorable = list(o.restorable());
    List<String> added = list(o.added());
    List<String> preexisting = list(o.preexisting());
    long unclassified = Math.max(0, fk.count() - o.checked());
    int parts = (orphans.isEmpty() ? 0 : 1) + (restorable.isEmpty() ? 0 : 1) + (added.isEmpty() ? 0 : 1)
        + (preexisting.isEmpty() ? 0 : 1) + (unclassified == 0 ? 0 : 1);
    boolean one = parts == 1;
    if (!orphans.isEmpty()) {
      List<String> parents = list(o.deletedParents());
      String id = base + ":deleted-parents";
      add(finding(id, "ORPHANED_REFERENCE", fk.table(), fk.column(), HIGH,
          orphans.size() + " " + fk.table() + " row(s) reference " + parents.size() + " " + fk.refTable()
              + " row(s) deleted since backup " + backup + " (" + sample(parents) + ")",
          evidence, orphans.size(), total, fk.keyColumn(), orphans, one ? fk : null, "merge",
          "the deleted " + fk.refTable() + " rows are intact in backup " + backup + "; bringing them back resolves the orphans"));
      merges.add(new MergeContribution(id, new RecordSet(fk.refTable(), fk.refColumn(), parents.size(), parents,
          true, "parents of " + orphans.size() + " orphaned " + fk.table() + " row(s), deleted since the backup")));
    }
    if (!restorable.isEmpty()) {
      String id = base + ":changed";
      add(finding(id, "ORPHANED_REFERENCE", fk.table(), fk.column(), HIGH,
          restorable.size() + " " + fk.table() + " row(s) now point at " + fk.refTable() + " rows that do not exist;"
              + " backup " + backup + " holds them with valid references (" + fk.column() + " was changed)",
          evidence, restorable.size(), total, fk.keyColumn(), restorable, one ? fk : null, "merge",
          "backup " + backup + " holds these rows intact"));
      merges.add(new MergeContribution(id, new RecordSet(fk.table(), fk.keyColumn(), restorable.size(), restorable,
          true, fk.column() + " changed to a missing " + fk.refTable() + " since the backup")));
    }
    if (!added.isEmpty()) {
      String id = base + ":new-orphans";
      add(finding(id, "ORPHANED_REFERENCE", fk.table(), fk.column(), HIGH,
          added.size() + " " + fk.table() + " row(s) written since backup " + backup + " reference " + fk.refTable()
              + " rows that never existed there (" + sample(missingParentsOf(fk, o)) + ")",
          evidence, added.size(), total, fk.keyColumn(), added, one ? fk : null, "repair",
          "the rows reference nothing that ever existed in the backup; delete them"));
      repairs.add(new RepairStatement(id, "delete the " + added.size() + " " + fk.table() + " row(s) that reference"
          + " no " + fk.refTable() + " row", "DELETE FROM " + ident(fk.table()) + " WHERE " + keyPredicate(fk.keyColumn(), added)
          + " AND " + ident(fk.column()) + " NOT IN (SELECT " + ident(fk.refColumn()) + " FROM " + ident(fk.refTable()) + ");",
          added.size(), "the " + added.size() + " orphaned row(s) themselves (they reference rows that never existed)"));
    }
    if (!preexisting.isEmpty()) {
      add(finding(base + ":preexisting", "ORPHANED_REFERENCE", fk.table(), fk.column(), LOW,
          preexisting.size() + " " + fk.table() + " row(s) already referenced missing " + fk.refTable()
              + " rows in backup " + backup, evidence, preexisting.size(), total, fk.keyColumn(), preexisting,
          one ? fk : null, "none", "older than the backup: not this incident's damage, and no backup holds them intact"));
    }
    if (unclassified > 0) {
      add(new AssessmentFinding(base + ":unclassified", "ORPHANED_REFERENCE", dbLabel, fk.table(), fk.column(), HIGH,
          null, unclassified + " more " + fk.table() + " row(s) reference missing " + fk.refTable()
              + " rows (beyond the record limit of " + limit + ", not compared with the backup)",
          evidence, unclassified, total, fk.keyColumn(), List.of(), null, null, null, "pitr",
          "too many to list record by record"));
    }
  }

  private static List<String> missingParentsOf(ForeignKeyViolations fk, RecordOrigin o) {
    List<String> out = new ArrayList<>(list(fk.missingParents()));
    out.removeAll(list(o.deletedParents()));
    return out;
  }

  private AssessmentFinding finding(String id, String kind, String table, String column, String severity, String summary,
      String evidence, long records, Long total, String keyColumn, List<String> keys, ForeignKeyViolations times,
      String remedy, String remedyReason) {
    return new AssessmentFinding(id, kind, dbLabel, table, column, severity, null, summary, evidence, records, total,
        keyColumn, first(keys, sampleSize), times == null ? null : times.firstAffectedAt(),
        times == null ? null : times.lastAffectedAt(), times == null ? null : times.timestampColumn(), remedy, remedyReason);
  }

  private void rule(RuleResult r, RecordOrigin o, Map<String, Long> rows) {
    Rule rule = r.rule();
    String table = rule.table();
    Long total = rows.get(table);
    String kind = kindOf(rule);
    String severity = rule.severityOrDefault();
    if (kind.equals("TRUNCATED_TEXT") && rank(severity) < rank(HIGH)) {
      severity = HIGH; // the cut-off text is data lost, not just a malformed value
    }
    String id = "rule:" + rule.id();
    String evidence = "rule " + rule.id() + (r.source() == null ? "" : " (" + r.source() + ")")
        + (rule.description() == null ? "" : ": " + rule.description());
    List<String> keys = r.keys() != null ? r.keys() : list(r.sampleKeys());
    boolean complete = r.keysComplete() != null ? r.keysComplete() : keys.size() >= r.violations();
    String backup = e.database().baseline() == null ? null : e.database().baseline().backupId();
    List<String> restorable = o == null ? List.of() : list(o.restorable());
    String remedy;
    String remedyReason;
    switch (kind) {
      case "INVALID_VALUE" -> {
        remedy = "repair";
        remedyReason = "a well-understood pattern: values outside " + rule.values() + " (the runbook's surgical repair)"
            + (restorable.isEmpty() ? "" : "; alternatively backup " + backup + " holds " + restorable.size() + " of the rows intact");
        domainRepair(id, r);
      }
      case "DUPLICATE_ROWS" -> {
        remedy = "repair";
        remedyReason = "exact copies: deleting all but the first of each group loses nothing";
        String where = complete
            ? keyPredicate(r.keyColumn(), keys)
            : "rowid IN (" + duplicatesQuery(table, rule.columns()) + ")";
        repairs.add(new RepairStatement(id, "delete the " + r.violations() + " duplicate " + table
            + " row(s), keeping the first (lowest rowid) of each group; each is identical to the one kept but for its "
            + r.keyColumn(), "DELETE FROM " + ident(table) + " WHERE " + where + ";",
            r.violations(), "none"));
      }
      default -> {
        if (!restorable.isEmpty()) {
          remedy = "merge";
          remedyReason = "backup " + backup + " holds " + restorable.size() + " of the " + r.violations()
              + " row(s) intact; SQL cannot bring back what was lost";
          merges.add(new MergeContribution(id, new RecordSet(table, r.keyColumn(), restorable.size(), restorable, true,
              describeKind(kind) + " since the backup")));
        } else if (kind.equals("ORPHANED_REFERENCE") && o != null && !list(o.added()).isEmpty()) {
          remedy = "repair";
          remedyReason = "rows written since the backup reference rows that never existed";
          List<String> added = list(o.added());
          repairs.add(new RepairStatement(id, "delete the " + added.size() + " " + table + " row(s) referencing no "
              + rule.refTable() + " row", "DELETE FROM " + ident(table) + " WHERE " + keyPredicate(r.keyColumn(), added) + ";",
              added.size(), "the orphaned rows themselves"));
        } else {
          remedy = "none";
          remedyReason = backup == null
              ? "no verified backup holds these rows intact; a person must correct them"
              : "backup " + backup + " does not hold these rows intact (new since, or already damaged there); a person must correct them";
        }
      }
    }
    add(new AssessmentFinding(id, kind, dbLabel, table, rule.column() != null ? rule.column() : String.join(",", list(rule.columns())),
        severity, null, ruleSummary(r, kind), evidence, r.violations(), total, r.keyColumn(), first(keys, sampleSize),
        r.firstAffectedAt(), r.lastAffectedAt(), r.timestampColumn(), remedy, remedyReason));
  }

  private static String kindOf(Rule rule) {
    return switch (rule.parsedKind()) {
      case DOMAIN -> "INVALID_VALUE";
      case NOT_NULL -> "MISSING_VALUE";
      case UNIQUE -> "DUPLICATE_ROWS";
      case REFERENCE -> "ORPHANED_REFERENCE";
      case SHAPE -> switch (rule.shape().toLowerCase(Locale.ROOT)) {
        case "json" -> "MALFORMED_JSON";
        case "nottruncated" -> "TRUNCATED_TEXT";
        default -> "MIS_ENCODED_TEXT";
      };
    };
  }

  private static String describeKind(String kind) {
    return switch (kind) {
      case "MISSING_VALUE" -> "value removed";
      case "MIS_ENCODED_TEXT" -> "text mis-encoded";
      case "MALFORMED_JSON" -> "JSON broken";
      case "TRUNCATED_TEXT" -> "text truncated";
      case "ORPHANED_REFERENCE" -> "reference broken";
      default -> "damaged";
    };
  }

  private String ruleSummary(RuleResult r, String kind) {
    Rule rule = r.rule();
    String t = rule.table();
    String c = t + "." + rule.column();
    return switch (kind) {
      case "INVALID_VALUE" -> r.violations() + " " + t + " row(s) have a " + rule.column() + " outside "
          + rule.values() + (r.values() == null || r.values().isEmpty() ? "" : ": " + String.join(", ",
              r.values().stream().map(v -> "'" + v.value() + "' × " + v.rows()).toList()));
      case "MISSING_VALUE" -> r.violations() + " " + t + " row(s) have no " + rule.column();
      case "DUPLICATE_ROWS" -> r.violations() + " " + t + " row(s) duplicate an earlier row in " + list(rule.columns());
      case "ORPHANED_REFERENCE" -> r.violations() + " " + t + " row(s) reference " + rule.refTable() + "." + rule.refColumn()
          + " values that do not exist";
      case "MALFORMED_JSON" -> r.violations() + " " + c + " value(s) are not valid JSON";
      case "TRUNCATED_TEXT" -> r.violations() + " " + c + " value(s) are cut at a typical column limit";
      default -> r.violations() + " " + c + " value(s) are not valid UTF-8 or are double-encoded";
    };
  }

  /** UPDATEs for values outside a domain: case and spacing variants mapped, the rest to the first value. */
  private void domainRepair(String findingId, RuleResult r) {
    Rule rule = r.rule();
    List<String> allowed = rule.values();
    String t = ident(rule.table());
    String c = ident(rule.column());
    long mapped = 0;
    for (RuleResult.ValueCount v : list(r.values())) {
      String norm = v.value() == null ? null : v.value().trim().toUpperCase(Locale.ROOT).replaceAll("[\\s-]+", "_");
      if (norm != null && allowed.contains(norm) && !norm.equals(v.value())) {
        repairs.add(new RepairStatement(findingId, "map " + literal(v.value()) + " to " + literal(norm) + " (a case or"
            + " spelling variant)", "UPDATE " + t + " SET " + c + " = " + literal(norm) + " WHERE " + c + " = "
            + literal(v.value()) + ";", v.rows(), "none"));
        mapped += v.rows();
      }
    }
    long rest = r.violations() - mapped;
    if (rest > 0) {
      String in = String.join(", ", allowed.stream().map(AssessmentAnalysis::literal).toList());
      repairs.add(new RepairStatement(findingId, "set the other " + rest + " invalid " + rule.column() + " value(s) to "
          + literal(allowed.get(0)) + " (the runbook's default)", "UPDATE " + t + " SET " + c + " = "
          + literal(allowed.get(0)) + " WHERE " + c + " IS NOT NULL AND " + c + " NOT IN (" + in + ");", rest,
          "the original " + rule.column() + " of " + rest + " row(s) is not recovered: they become " + literal(allowed.get(0))));
    }
  }

  private static String duplicatesQuery(String table, List<String> columns) {
    String t = ident(table);
    List<String> cols = columns.stream().map(AssessmentAnalysis::ident).toList();
    StringBuilder join = new StringBuilder();
    for (int i = 0; i < cols.size(); i++) {
      join.append(i == 0 ? "" : " AND ").append("x.").append(cols.get(i)).append(" IS d.").append(cols.get(i));
    }
    return "SELECT x.rowid FROM " + t + " x JOIN (SELECT " + String.join(", ", cols) + ", min(rowid) AS keep FROM " + t
        + " GROUP BY " + String.join(", ", cols) + " HAVING count(*) > 1) d ON " + join + " WHERE x.rowid <> d.keep";
  }

  private void deleted(DeletedRows d) {
    String id = "deleted:" + d.table();
    Long baselineRows = e.baseline() == null ? null
        : list(e.baseline().tables()).stream().filter(t -> t.name().equalsIgnoreCase(d.table())).map(TableManifest::rows)
            .findFirst().orElse(null);
    add(new AssessmentFinding(id, "DELETED_ROWS", dbLabel, d.table(), null, HIGH, d.complete() ? null : SYSTEMIC,
        d.count() + " " + d.table() + " row(s) in backup " + e.database().baseline().backupId() + " are gone ("
            + sample(d.keys()) + ")", "keys of backup " + e.database().baseline().backupId() + " compared with the staging copy",
        d.count(), baselineRows, d.keyColumn(), first(d.keys(), sampleSize), d.firstAffectedAt(), d.lastAffectedAt(),
        d.timestampColumn(), "merge", "the rows are intact in backup " + e.database().baseline().backupId()));
    if (d.complete()) {
      merges.add(new MergeContribution(id, new RecordSet(d.table(), d.keyColumn(), d.count(), d.keys(), true,
          "deleted since the backup")));
    }
  }

  // ------------------------------------------------------------------ scope: schema drift and row counts

  private SchemaDrift drift(DatabaseFacts f) {
    BackupManifest b = e.baseline();
    if (b == null) {
      checks.add("schema drift: not compared (no verified backup)");
      return null;
    }
    List<SchemaChange> changes = new ArrayList<>();
    Map<String, TableManifest> before = byName(b.tables());
    Map<String, TableManifest> now = byName(f.tables());
    for (TableManifest t : before.values()) {
      TableManifest n = now.get(t.name().toLowerCase(Locale.ROOT));
      if (n == null) {
        changes.add(new SchemaChange("table", "removed", t.name(), t.name(), t.schemaSql(), null));
        continue;
      }
      Map<String, String> colsBefore = columns(t.columns());
      Map<String, String> colsNow = columns(n.columns());
      colsBefore.forEach((name, def) -> {
        String d = colsNow.get(name);
        if (d == null) {
          changes.add(new SchemaChange("column", "removed", t.name(), name, def, null));
        } else if (!d.equalsIgnoreCase(def)) {
          changes.add(new SchemaChange("column", "changed", t.name(), name, def, d));
        }
      });
      colsNow.forEach((name, def) -> {
        if (!colsBefore.containsKey(name)) {
          changes.add(new SchemaChange("column", "added", t.name(), name, null, def));
        }
      });
      Map<String, String> idxBefore = indexes(t.indexes());
      Map<String, String> idxNow = indexes(n.indexes());
      idxBefore.forEach((name, ddl) -> {
        String d = idxNow.get(name);
        if (d == null) {
          changes.add(new SchemaChange("index", "removed", t.name(), name, ddl, null));
        } else if (!normalize(d).equals(normalize(ddl))) {
          changes.add(new SchemaChange("index", "changed", t.name(), name, ddl, d));
        }
      });
      idxNow.forEach((name, ddl) -> {
        if (!idxBefore.containsKey(name)) {
          changes.add(new SchemaChange("index", "added", t.name(), name, null, ddl));
        }
      });
      boolean columnChange = changes.stream().anyMatch(c -> c.object().equals("column") && c.table().equals(t.name()));
      if (!columnChange && t.schemaSql() != null && n.schemaSql() != null && !normalize(t.schemaSql()).equals(normalize(n.schemaSql()))) {
        changes.add(new SchemaChange("table", "changed", t.name(), t.name(), t.schemaSql(), n.schemaSql()));
      }
    }
    for (TableManifest n : now.values()) {
      if (!before.containsKey(n.name().toLowerCase(Locale.ROOT))) {
        changes.add(new SchemaChange("table", "added", n.name(), n.name(), null, n.schemaSql()));
      }
    }
    checks.add("schema drift against backup " + b.backupId() + ": " + (changes.isEmpty() ? "none" : changes.size() + " change(s)"));
    for (SchemaChange c : changes) {
      driftFinding(b, c);
    }
    return new SchemaDrift(b.backupId(), changes);
  }

  private void driftFinding(BackupManifest b, SchemaChange c) {
    String id = "schema:" + c.object() + ":" + c.table() + (c.object().equals("table") ? "" : "." + c.name()) + ":" + c.change();
    String evidence = "schema compared with the manifest of backup " + b.backupId();
    switch (c.object() + ":" + c.change()) {
      case "table:removed" -> add(new AssessmentFinding(id, "SCHEMA_DRIFT", dbLabel, c.table(), null, CRITICAL, SYSTEMIC,
          "table " + c.table() + " is gone (backup " + b.backupId() + " has it)", evidence, 1, null, "table",
          List.of(c.table()), null, null, null, "pitr", "a whole table is lost"));
      case "column:removed" -> add(new AssessmentFinding(id, "SCHEMA_DRIFT", dbLabel, c.table(), c.name(), HIGH, null,
          "column " + c.table() + "." + c.name() + " (" + c.before() + ") is gone", evidence, 1, null, "column",
          List.of(c.name()), null, null, null, "none", "a column and its values are lost: a migration, or a restore"));
      case "column:changed" -> add(new AssessmentFinding(id, "SCHEMA_DRIFT", dbLabel, c.table(), c.name(), MEDIUM, null,
          "column " + c.table() + "." + c.name() + " changed from " + c.before() + " to " + c.after(), evidence, 1, null,
          "column", List.of(c.name()), null, null, null, "none", "a person checks the migration that changed it"));
      case "index:removed" -> {
        add(new AssessmentFinding(id, "SCHEMA_DRIFT", dbLabel, c.table(), c.name(), MEDIUM, null,
            "index " + c.name() + " on " + c.table() + " is gone (queries that used it are slow; no data is lost)",
            evidence, 1, null, "index", List.of(c.name()), null, null, null, "repair", "recreate it from the backup's DDL"));
        repairs.add(new RepairStatement(id, "recreate index " + c.name() + " as backup " + b.backupId() + " has it",
            c.before().trim().replaceAll(";\\s*$", "") + ";", 1, "none"));
      }
      case "index:changed" -> {
        add(new AssessmentFinding(id, "SCHEMA_DRIFT", dbLabel, c.table(), c.name(), MEDIUM, null,
            "index " + c.name() + " on " + c.table() + " differs from backup " + b.backupId() + ": " + c.after(),
            evidence, 1, null, "index", List.of(c.name()), null, null, null, "repair", "recreate it from the backup's DDL"));
        repairs.add(new RepairStatement(id, "recreate index " + c.name() + " as backup " + b.backupId() + " has it",
            "DROP INDEX " + ident(c.name()) + "; " + c.before().trim().replaceAll(";\\s*$", "") + ";", 1, "none"));
      }
      case "table:changed" -> add(new AssessmentFinding(id, "SCHEMA_DRIFT", dbLabel, c.table(), null, LOW, null,
          "the definition of table " + c.table() + " changed since backup " + b.backupId(), evidence, 1, null, "table",
          List.of(c.table()), null, null, null, "none", "a person checks the migration that changed it"));
      default -> {
        // Added tables, columns and indexes are what migrations do: listed in the drift, not findings.
      }
    }
  }

  private List<RowCount> rowCounts(DatabaseFacts f) {
    BackupManifest b = e.baseline();
    Map<String, Long> now = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    list(f.tables()).forEach(t -> now.put(t.name(), t.rows()));
    Map<String, Long> base = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (b != null) {
      list(b.tables()).forEach(t -> base.put(t.name(), t.rows()));
    }
    List<BackupManifest> earlier = new ArrayList<>();
    for (BackupManifest m : list(e.backups())) {
      if (b != null && m.createdAt() != null && b.createdAt() != null && m.createdAt().isBefore(b.createdAt())
          && earlier.size() < 4) {
        earlier.add(m);
      }
    }
    Set<String> names = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    names.addAll(now.keySet());
    names.addAll(base.keySet());
    List<RowCount> out = new ArrayList<>();
    for (String name : names) {
      Long n = now.get(name);
      Long bl = base.get(name);
      Map<String, Long> history = new LinkedHashMap<>();
      for (BackupManifest m : earlier) {
        list(m.tables()).stream().filter(t -> t.name().equalsIgnoreCase(name)).findFirst()
            .ifPresent(t -> history.put(m.createdAt().toString(), t.rows()));
      }
      String change = bl == null ? (b == null ? "unknown" : "new") : n == null ? "gone"
          : n > bl ? "grew" : n < bl ? "dropped" : "unchanged";
      out.add(new RowCount(name, n, bl, history.isEmpty() ? null : history, change));
      boolean listed = findings.stream().anyMatch(x -> x.id().equalsIgnoreCase("deleted:" + name));
      if ("dropped".equals(change) && !listed) {
        long drop = bl - n;
        String trend = history.isEmpty() ? "" : "; earlier backups: " + history.values();
        add(new AssessmentFinding("rows:" + name, "DELETED_ROWS", dbLabel, name, null, HIGH, null,
            name + " has " + drop + " fewer row(s) than backup " + b.backupId() + " (" + bl + " → " + n + ")" + trend,
            "row counts compared with backup " + b.backupId(), drop, bl, null, List.of(), null, null, null, "none",
            "the deleted keys could not be listed (no row-by-row comparison with the backup, or no primary key to"
                + " compare by)"));
      }
    }
    if (b != null) {
      long dropped = out.stream().filter(r -> "dropped".equals(r.change())).count();
      checks.add("row counts against backup " + b.backupId() + (earlier.isEmpty() ? "" : " and " + earlier.size()
          + " earlier backup(s)") + ": " + (dropped == 0 ? "no table shrank" : dropped + " table(s) shrank"));
    }
    return out;
  }

  private static Map<String, TableManifest> byName(List<TableManifest> tables) {
    Map<String, TableManifest> out = new LinkedHashMap<>();
    for (TableManifest t : list(tables)) {
      if (!t.name().startsWith("sqlite_") && !t.name().startsWith("_cf_")) {
        out.put(t.name().toLowerCase(Locale.ROOT), t);
      }
    }
    return out;
  }

  /** Column name (lower case) → {@code name type}. */
  private static Map<String, String> columns(List<String> defs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String d : list(defs)) {
      String name = d.split("\\s+", 2)[0];
      out.put(name.toLowerCase(Locale.ROOT), d.trim());
    }
    return out;
  }

  /** Index name (lower case, unquoted) → DDL. */
  private static Map<String, String> indexes(List<String> ddls) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String d : list(ddls)) {
      if (d == null) {
        continue;
      }
      Matcher m = INDEX_NAME.matcher(d);
      String name = m.find() ? unquote(m.group(1)) : d;
      out.put(name.toLowerCase(Locale.ROOT), d);
    }
    return out;
  }

  private static String unquote(String id) {
    if (id.length() >= 2 && (id.startsWith("\"") || id.startsWith("`") || id.startsWith("["))) {
      return id.substring(1, id.length() - 1).replace("\"\"", "\"");
    }
    return id;
  }

  private static String normalize(String sql) {
    return sql.replaceAll("(?i)\\s+IF\\s+NOT\\s+EXISTS", "").replaceAll("\\s+", " ").replaceAll(";\\s*$", "").trim()
        .toLowerCase(Locale.ROOT);
  }

  // ------------------------------------------------------------------ scope: KV and R2

  private void kv(KvFacts kv) {
    String comp = "kv:" + kv.namespace();
    if (kv.baselineBackupId() == null) {
      notes.add("KV " + kv.namespace() + " has no verified backup: missing keys and unexpected expirations cannot be"
          + " detected; take one (lifeline start backup-kv)");
    }
    checks.add("KV " + kv.namespace() + ": " + kv.keys() + " keys" + (kv.baselineBackupId() == null ? ""
        : " vs " + kv.baselineKeys() + " in backup " + kv.baselineBackupId()) + "; " + kv.missing().count() + " missing, "
        + kv.expiredAsExpected() + " expired as recorded, " + kv.added().count() + " added, " + kv.changed().count()
        + " changed, " + kv.malformed().count() + " malformed"
        + (kv.expectedShape() == null ? "" : " (values expected to be " + kv.expectedShape() + ")") + ", "
        + kv.unexpectedExpirations().count() + " unexpected expiration(s)");
    String remedy = kv.baselineBackupId() == null ? "none" : "merge";
    String why = kv.baselineBackupId() == null ? "no verified backup holds these keys"
        : "backup " + kv.baselineBackupId() + " holds the keys intact";
    if (!kv.missing().isEmpty()) {
      add(new AssessmentFinding(comp + ":missing", "KV_MISSING_KEYS", comp, kv.namespace(), null, HIGH,
          kv.missing().complete() ? null : SYSTEMIC,
          kv.missing().count() + " key(s) of " + kv.namespace() + " in backup " + kv.baselineBackupId()
              + " are gone before their expiration (" + sample(kv.missing().keys()) + ")",
          "key-by-key comparison with backup " + kv.baselineBackupId(), kv.missing().count(), kv.baselineKeys(), "key",
          first(kv.missing().keys(), sampleSize), null, null, null, remedy, why));
    }
    if (!kv.malformed().isEmpty()) {
      add(new AssessmentFinding(comp + ":malformed", "KV_MALFORMED_VALUES", comp, kv.namespace(), null, HIGH,
          kv.malformed().complete() ? null : SYSTEMIC,
          kv.malformed().count() + " value(s) of " + kv.namespace() + " are not " + kv.expectedShape()
              + " although " + (kv.baselineBackupId() == null ? "nearly every value is" : "backup " + kv.baselineBackupId()
              + "'s values are") + " (" + sample(kv.malformed().keys()) + ")",
          "values parsed as " + kv.expectedShape(), kv.malformed().count(), kv.keys(), "key",
          first(kv.malformed().keys(), sampleSize), null, null, null, remedy, why));
    }
    if (!kv.unexpectedExpirations().isEmpty()) {
      add(new AssessmentFinding(comp + ":expirations", "KV_UNEXPECTED_EXPIRATION", comp, kv.namespace(), null, MEDIUM,
          kv.unexpectedExpirations().complete() ? null : SYSTEMIC,
          kv.unexpectedExpirations().count() + " key(s) of " + kv.namespace() + " now expire although backup "
              + kv.baselineBackupId() + " recorded no (or a much later) expiration (" + sample(kv.unexpectedExpirations().keys()) + ")",
          "expirations compared with backup " + kv.baselineBackupId(), kv.unexpectedExpirations().count(), kv.keys(), "key",
          first(kv.unexpectedExpirations().keys(), sampleSize), null, null, null, remedy, why));
    }
  }

  private void r2(R2Facts r2) {
    String comp = "r2:" + r2.bucket();
    checks.add("R2 " + r2.bucket() + ": " + r2.objects() + " objects vs " + r2.copies() + " copies in " + r2.secondaryBucket()
        + "/" + r2.bucket() + "/; " + r2.missing().count() + " missing, " + r2.notReplicated() + " not yet replicated; "
        + r2.verified() + " verified (" + r2.verify() + "), " + r2.checksumMismatches().count() + " checksum mismatch(es)"
        + (r2.withoutChecksum() == 0 ? "" : ", " + r2.withoutChecksum() + " without a recorded checksum"));
    if (!r2.missing().isEmpty()) {
      add(new AssessmentFinding(comp + ":missing", "R2_MISSING_OBJECTS", comp, r2.bucket(), null, HIGH,
          r2.missing().complete() ? null : SYSTEMIC,
          r2.missing().count() + " object(s) of " + r2.bucket() + " are gone; " + r2.secondaryBucket() + " still has them ("
              + sample(r2.missing().keys()) + ")",
          "listing compared with " + r2.secondaryBucket() + "/" + r2.bucket() + "/", r2.missing().count(), r2.copies(), "key",
          first(r2.missing().keys(), sampleSize), null, null, null, "merge", "the secondary copy holds them"));
    }
    if (!r2.checksumMismatches().isEmpty()) {
      long good = list(r2.mismatchesWithGoodCopy()).size();
      add(new AssessmentFinding(comp + ":checksum", "R2_CHECKSUM_MISMATCH", comp, r2.bucket(), null, HIGH,
          r2.checksumMismatches().complete() ? null : SYSTEMIC,
          r2.checksumMismatches().count() + " object(s) of " + r2.bucket() + " no longer match their recorded SHA-256 ("
              + sample(r2.checksumMismatches().keys()) + "); " + good + " have a good copy in " + r2.secondaryBucket()
              + ("sample".equals(r2.verify()) ? " (a sample of " + r2.verified() + " objects was checked)" : ""),
          "bytes hashed against the sha256 metadata", r2.checksumMismatches().count(), r2.verified(), "key",
          first(r2.checksumMismatches().keys(), sampleSize), null, null, null, good > 0 ? "merge" : "none",
          good > 0 ? "the secondary copy still matches the recorded checksum" : "no good copy to bring back"));
    }
  }

  // ------------------------------------------------------------------ impact

  private void add(AssessmentFinding f) {
    findings.add(f);
  }

  /** Scope and severity of one finding. */
  private AssessmentFinding judge(AssessmentFinding f) {
    boolean systemic = SYSTEMIC.equals(f.scope());
    if (!systemic && f.total() != null && f.total() > 0 && f.records() >= SYSTEMIC_MIN_RECORDS
        && f.records() * 100 >= (long) SYSTEMIC_PERCENT * f.total()) {
      systemic = true;
    }
    if (!systemic && f.records() > limit && !f.kind().equals("SCHEMA_DRIFT")) {
      systemic = true;
    }
    String severity = f.severity();
    if (systemic) {
      // Systemic damage is one level worse: many users, not a subset.
      severity = rank(severity) >= rank(HIGH) ? CRITICAL : rank(severity) == rank(MEDIUM) ? HIGH : MEDIUM;
    }
    return f.withImpact(severity, systemic ? SYSTEMIC : ISOLATED);
  }

  private String overallSeverity() {
    if (findings.isEmpty()) {
      return "None";
    }
    String top = findings.get(0).severity();
    return top.substring(0, 1).toUpperCase(Locale.ROOT) + top.substring(1);
  }

  private String severityReason(String severity) {
    if (findings.isEmpty()) {
      return "no corruption found: every check passed";
    }
    String definition = switch (severity) {
      case "Critical" -> "core functionality broken, data lost, many users affected";
      case "High" -> "important features broken, some data lost, a subset of users affected";
      case "Medium" -> "non-critical features affected, minimal data loss";
      default -> "minor inconsistencies, no functional impact";
    };
    String lower = severity.toLowerCase(Locale.ROOT);
    List<AssessmentFinding> top = findings.stream().filter(f -> f.severity().equals(lower)).toList();
    List<String> why = new ArrayList<>();
    for (AssessmentFinding f : first(top, 3)) {
      why.add((SYSTEMIC.equals(f.scope()) ? "systemic: " : "") + f.summary());
    }
    return severity + " (" + definition + "): " + String.join("; ", why)
        + (top.size() > 3 ? "; and " + (top.size() - 3) + " more" : "");
  }

  // ------------------------------------------------------------------ root cause

  private Onset onset() {
    if (findings.isEmpty()) {
      return null;
    }
    Instant suspected = in.suspectedInstant();
    Instant notBefore = null;
    String basis;
    if (suspected != null) {
      notBefore = suspected;
      basis = "suspectedSince, as given";
    } else {
      List<Instant> goods = new ArrayList<>();
      List<String> why = new ArrayList<>();
      boolean dbDamaged = findings.stream().anyMatch(f -> f.component().equals(dbLabel));
      if (dbDamaged && baselineClean()) {
        goods.add(e.baseline().createdAt());
        why.add("backup " + e.baseline().backupId() + " holds none of the damaged rows");
      }
      for (KvFacts kv : list(e.kv())) {
        boolean damaged = findings.stream().anyMatch(f -> f.component().equals("kv:" + kv.namespace()));
        if (damaged && kv.baselineAt() != null) {
          goods.add(kv.baselineAt());
          why.add("KV " + kv.namespace() + " was intact in backup " + kv.baselineBackupId());
        }
      }
      notBefore = goods.stream().max(Comparator.naturalOrder()).orElse(null);
      basis = notBefore == null ? "no known-good point: no verified backup without the damage" : String.join("; ", why);
    }
    String firstTs = null;
    String lastTs = null;
    for (AssessmentFinding f : findings) {
      if (f.firstAffectedAt() != null && (firstTs == null || compareTimes(f.firstAffectedAt(), firstTs) < 0)) {
        firstTs = f.firstAffectedAt();
      }
      if (f.lastAffectedAt() != null && (lastTs == null || compareTimes(f.lastAffectedAt(), lastTs) > 0)) {
        lastTs = f.lastAffectedAt();
      }
    }
    return new Onset(notBefore, e.assessedAt(), firstTs, lastTs, basis);
  }

  /** Whether the baseline was compared and holds none of the damaged records. */
  private boolean baselineClean() {
    if (e.baseline() == null || e.database() == null || e.database().baseline() == null) {
      return false;
    }
    boolean anyPreexisting = list(e.database().baseline().origins()).stream()
        .anyMatch(o -> o.preexisting() != null && !o.preexisting().isEmpty());
    boolean integrity = findings.stream().anyMatch(f -> f.kind().equals("INTEGRITY_FAILURE"));
    return !anyPreexisting && !integrity;
  }

  private List<RootCauseHint> hints(Onset onset) {
    record Event(Instant at, String text, String kind, String what) {}
    List<Event> events = new ArrayList<>();
    for (DeploymentFacts d : list(e.deployments())) {
      for (DeploymentFacts.Deployment dep : list(d.deployments())) {
        Instant at = parseTime(dep.createdOn());
        if (at != null) {
          events.add(new Event(at, dep.createdOn(), "deployment", "Worker " + d.script() + " deployment " + dep.id()
              + (dep.message() == null ? "" : " \"" + dep.message() + "\"") + " (" + String.join(", ", list(dep.versions()))
              + (dep.author() == null ? "" : ", by " + dep.author()) + ")"));
        }
      }
    }
    if (e.database() != null) {
      for (DatabaseFacts.Migration m : list(e.database().migrations())) {
        Instant at = parseTime(m.appliedAt());
        if (at != null) {
          events.add(new Event(at, m.appliedAt(), "migration", "migration " + m.name() + " (d1_migrations id " + m.id() + ")"));
        }
      }
    }
    Instant from = onset.notBefore() != null ? onset.notBefore() : e.assessedAt().minus(Duration.ofDays(7));
    Instant firstAffected = parseTime(onset.firstAffectedAt());
    List<RootCauseHint> out = new ArrayList<>();
    events.sort(Comparator.comparing(Event::at).reversed());
    for (Event ev : events) {
      String relation = null;
      if (!ev.at().isBefore(from) && !ev.at().isAfter(e.assessedAt())) {
        relation = onset.notBefore() != null
            ? "inside the window in which the damage appeared (after " + from + ", before this assessment)"
            : "in the 7 days before this assessment";
      } else if (firstAffected != null && Duration.between(ev.at(), firstAffected).abs().compareTo(Duration.ofHours(24)) <= 0) {
        relation = "within 24 h of the first affected record's timestamp (" + onset.firstAffectedAt() + ")";
      }
      if (relation != null && out.size() < 10) {
        out.add(new RootCauseHint(ev.text(), ev.kind(), ev.what(), relation));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ recommendation

  private Recommendation recommend(Onset onset) {
    List<Action> actions = new ArrayList<>();
    List<Alternative> alternatives = new ArrayList<>();
    RecoveryPointChoice point = null;
    List<AssessmentFinding> db = findings.stream().filter(f -> f.component().equals(dbLabel)).toList();
    if (!db.isEmpty()) {
      point = recoveryPoint(onset);
      databaseActions(db, point, actions, alternatives);
    }
    for (KvFacts kv : list(e.kv())) {
      kvAction(kv, actions);
    }
    for (R2Facts r2 : list(e.r2())) {
      r2Action(r2, actions);
    }
    if (findings.isEmpty()) {
      return new Recommendation("none", "nothing was found: no recovery is needed", "none", null, List.of(), List.of());
    }
    List<AssessmentFinding> unhandled = findings.stream().filter(f -> "none".equals(f.remedy())).toList();
    String manual = unhandled.isEmpty() ? "" : " " + unhandled.size() + " finding(s) need a person: "
        + String.join("; ", first(unhandled, 3).stream().map(f -> f.id() + " (" + f.remedyReason() + ")").toList()) + ".";
    if (actions.isEmpty()) {
      return new Recommendation("none", "no playbook can fix what was found." + manual, "n/a", point, List.of(), alternatives);
    }
    Action firstAction = actions.get(0);
    String reason = firstAction.reason() + (actions.size() > 1 ? " Then: " + String.join("; ",
        actions.subList(1, actions.size()).stream().map(a -> a.playbook() + " on " + a.component()).toList()) + "." : "")
        + manual;
    return new Recommendation(firstAction.playbook(), reason, firstAction.dataLoss(), point, actions, alternatives);
  }

  private RecoveryPointChoice recoveryPoint(Onset onset) {
    Instant suspected = in.suspectedInstant();
    Instant before;
    String basis;
    if (suspected != null) {
      before = suspected;
      basis = "suspectedSince";
    } else if (baselineClean()) {
      before = e.baseline().createdAt();
      basis = "backup " + e.baseline().backupId() + " holds none of the damaged rows";
    } else if (onset != null && parseTime(onset.firstAffectedAt()) != null) {
      before = parseTime(onset.firstAffectedAt());
      basis = "the first affected record's own timestamp (when it was written; the damage may be later)";
    } else {
      before = null;
      basis = "no time is known: the newest verified backup";
    }
    BackupManifest best = null;
    for (BackupManifest m : list(e.backups())) {
      if (m.createdAt() != null && (before == null || !m.createdAt().isAfter(before))
          && (best == null || m.createdAt().isAfter(best.createdAt()))) {
        best = m;
      }
    }
    if (best == null) {
      return new RecoveryPointChoice(null, null, before, basis,
          "no verified backup " + (before == null ? "exists" : "at or before " + before)
              + (in.target().kind() == Target.Kind.D1 && before != null ? "; D1 Time Travel may still reach " + before : ""));
    }
    return new RecoveryPointChoice(best.backupId(), best.createdAt(), before, basis, lossSince(best.createdAt()));
  }

  private String lossSince(Instant at) {
    return "every write to " + dbLabel + " after " + at + " (about " + Durations.human(Duration.between(at, e.assessedAt())) + ")";
  }

  private void databaseActions(
      List<AssessmentFinding> db, RecoveryPointChoice point, List<Action> actions, List<Alternative> alternatives) {
    boolean systemic = db.stream().anyMatch(f -> SYSTEMIC.equals(f.scope()));
    PitrInput pitr = pitrInput(point);
    String pitrLoss = pitr == null ? "no recovery point"
        : pitr.targetTime() != null
            ? "every write to " + dbLabel + " after " + pitr.targetTime() + " (about "
                + Durations.human(Duration.between(Instant.parse(pitr.targetTime()), e.assessedAt())) + ") with Time Travel; outside its"
                + " window, " + (point.backupId() == null ? "no verified backup is that old" : point.dataLoss() + " from backup " + point.backupId())
            : point.dataLoss();
    Map<String, RecordSet> sets = new LinkedHashMap<>();
    List<String> mergeFindings = new ArrayList<>();
    for (MergeContribution c : merges) {
      if (db.stream().noneMatch(f -> f.id().equals(c.finding()))) {
        continue;
      }
      mergeFindings.add(c.finding());
      RecordSet s = c.set();
      String key = s.table().toLowerCase(Locale.ROOT) + "\u0000" + s.keyColumn();
      RecordSet prev = sets.get(key);
      if (prev == null) {
        sets.put(key, s);
      } else {
        LinkedHashSet<String> keys = new LinkedHashSet<>(prev.keys());
        keys.addAll(s.keys());
        List<String> sorted = new ArrayList<>(keys);
        sorted.sort(KEY_ORDER);
        sets.put(key, new RecordSet(prev.table(), prev.keyColumn(), sorted.size(), sorted, prev.complete() && s.complete(),
            prev.reason().equals(s.reason()) ? prev.reason() : prev.reason() + "; " + s.reason()));
      }
    }
    List<RepairStatement> dbRepairs = repairs.stream()
        .filter(r -> db.stream().anyMatch(f -> f.id().equals(r.finding()))).toList();
    long mergeRecords = sets.values().stream().mapToLong(RecordSet::count).sum();
    BackupManifest baseline = e.baseline();
    MergePlan merge = sets.isEmpty() || baseline == null ? null
        : new MergePlan(in.target(), baseline.backupId(), baseline.createdAt(), null, null, null, List.copyOf(sets.values()),
            in.incidentId());
    RepairPlan repair = dbRepairs.isEmpty() ? null : new RepairPlan(in.target(), dbRepairs, in.incidentId());
    String mergeLoss = merge == null ? null
        : "edits made since " + baseline.createdAt() + " to the " + mergeRecords + " restored record(s); nothing else";
    String repairLoss = repair == null ? null : repairLoss(dbRepairs);

    boolean mergeFitsAll = db.stream().allMatch(f -> mergeFindings.contains(f.id()));
    boolean everyFindingHandled = db.stream().allMatch(f -> "merge".equals(f.remedy()) || "repair".equals(f.remedy()));
    alternatives.add(new Alternative("pitr", pitr != null, pitrLoss,
        pitr == null ? "no verified backup or Time Travel point before the damage is known"
            : "restores the whole database" + (point.backupId() != null ? " (backup " + point.backupId() + ")" : "")
                + "; the only option for systemic damage"));
    alternatives.add(new Alternative("merge", merge != null && !systemic && mergeFitsAll,
        mergeLoss == null ? "n/a" : mergeLoss,
        merge == null ? (baseline == null ? "no verified backup to merge from" : "no record the backup holds intact is damaged")
            : systemic ? "the damage is systemic: record sets cannot be trusted to be complete"
            : "brings back exactly " + mergeRecords + " record(s) from backup " + baseline.backupId()
                + (mergeFitsAll ? "" : "; the other findings need the repair")));
    alternatives.add(new Alternative("repair", repair != null && !systemic && dbRepairs.size() > 0
        && db.stream().allMatch(f -> "repair".equals(f.remedy())), repairLoss == null ? "n/a" : repairLoss,
        repair == null ? "no well-understood pattern with a SQL repair"
            : dbRepairs.size() + " statement(s) for " + dbRepairs.stream().map(RepairStatement::finding).distinct().count()
                + " finding(s)" + (db.stream().allMatch(f -> "repair".equals(f.remedy())) ? ""
                    : "; SQL cannot bring back what the other findings lost")));

    if (systemic) {
      List<AssessmentFinding> sys = db.stream().filter(f -> SYSTEMIC.equals(f.scope())).toList();
      for (AssessmentFinding f : db) {
        replaceFinding(pitr == null
            ? f.withRemedy("none", "the damage is systemic but no recovery point before it is known: back up the current"
                + " state, then a person decides")
            : f.withRemedy("pitr", "the database's damage is systemic (" + sys.get(0).id() + "): restore it whole"));
      }
      if (pitr != null) {
        actions.add(new Action(dbLabel, "pitr", "Systemic damage to " + dbLabel + " (" + String.join(", ",
            sys.stream().map(AssessmentFinding::id).toList()) + "): restore it to " + describe(pitr, point) + ".",
            pitrLoss, db.stream().map(AssessmentFinding::id).toList(), pitr, null, null));
      }
      return;
    }
    if (merge != null) {
      actions.add(new Action(dbLabel, "merge", "Isolated damage to " + dbLabel + ": bring back " + mergeRecords
          + " record(s) (" + String.join(", ", sets.values().stream().map(s -> s.count() + " " + s.table()).toList())
          + ") from backup " + baseline.backupId() + ".", mergeLoss, List.copyOf(new LinkedHashSet<>(mergeFindings)),
          null, merge, null));
    } else if (baseline == null) {
      for (AssessmentFinding f : db) {
        if ("merge".equals(f.remedy())) {
          replaceFinding(f.withRemedy("none", "no verified backup to merge from"));
        }
      }
    }
    if (repair != null) {
      actions.add(new Action(dbLabel, "repair", (merge == null ? "" : "Then ") + "surgical repair of "
          + dbRepairs.stream().map(RepairStatement::finding).distinct().count() + " well-understood pattern(s) in "
          + dbLabel + " with " + dbRepairs.size() + " SQL statement(s), tested on a staging copy first.", repairLoss,
          dbRepairs.stream().map(RepairStatement::finding).distinct().toList(), null, null, repair));
    }
    if (!everyFindingHandled && actions.isEmpty()) {
      notes.add("no playbook repairs every finding of " + dbLabel + "; see the findings with remedy none");
    }
  }

  private static String describe(PitrInput pitr, RecoveryPointChoice point) {
    return pitr.targetTime() != null ? "its state at " + pitr.targetTime() + " (" + point.basis() + ")"
        : "backup " + pitr.backupId() + " taken at " + point.at() + " (" + point.basis() + ")";
  }

  private PitrInput pitrInput(RecoveryPointChoice point) {
    if (point == null) {
      return null;
    }
    Instant suspected = in.suspectedInstant();
    boolean d1 = in.target().kind() == Target.Kind.D1;
    String detected = e.assessedAt().toString();
    if (d1 && suspected != null) {
      // Time Travel reaches any minute of the last 30 days: the least data lost.
      return new PitrInput(in.target(), suspected.toString(), null, null, null, null, null, null, detected,
          in.incidentId(), null, null);
    }
    if (point.backupId() != null) {
      return new PitrInput(in.target(), null, point.backupId(), null, null, null, null, null, detected, in.incidentId(),
          null, null);
    }
    if (d1 && point.before() != null) {
      return new PitrInput(in.target(), point.before().toString(), null, null, null, null, null, null, detected,
          in.incidentId(), null, null);
    }
    return null;
  }

  private static String repairLoss(List<RepairStatement> statements) {
    List<String> losses = statements.stream().map(RepairStatement::dataLoss).filter(l -> l != null && !l.equals("none"))
        .distinct().toList();
    return losses.isEmpty() ? "none, if the repair is right" : String.join("; ", losses);
  }

  private void kvAction(KvFacts kv, List<Action> actions) {
    String comp = "kv:" + kv.namespace();
    List<AssessmentFinding> mine = findings.stream().filter(f -> f.component().equals(comp)).toList();
    if (mine.isEmpty() || kv.baselineBackupId() == null) {
      return;
    }
    Target target = Target.kv(kv.namespace());
    boolean systemic = mine.stream().anyMatch(f -> SYSTEMIC.equals(f.scope()));
    String loss = "changes made since " + kv.baselineAt() + " to ";
    if (systemic || kv.restorable() == null || !kv.restorable().complete()) {
      for (AssessmentFinding f : mine) {
        replaceFinding(f.withRemedy("pitr", "systemic: restore the namespace from backup " + kv.baselineBackupId()));
      }
      actions.add(new Action(comp, "pitr", "Systemic damage to KV " + kv.namespace() + ": restore every key from backup "
          + kv.baselineBackupId() + ".", loss + "every key of " + kv.namespace() + " (about "
          + Durations.human(Duration.between(kv.baselineAt(), e.assessedAt())) + ")", mine.stream().map(AssessmentFinding::id).toList(),
          new PitrInput(target, null, kv.baselineBackupId(), null, null, "replace", null, null, e.assessedAt().toString(),
              in.incidentId(), null, null), null, null));
      return;
    }
    if (kv.restorable().isEmpty()) {
      return;
    }
    List<String> keys = kv.restorable().keys();
    MergePlan merge = new MergePlan(target, kv.baselineBackupId(), kv.baselineAt(), null, null, null,
        List.of(new RecordSet(kv.namespace(), "key", keys.size(), keys, true,
            "missing, malformed or expiring unexpectedly since the backup")), in.incidentId());
    PitrInput pitr = new PitrInput(target, null, kv.baselineBackupId(), null, null, "replace", keys, null,
        e.assessedAt().toString(), in.incidentId(), null, null);
    actions.add(new Action(comp, "merge", "Isolated damage to KV " + kv.namespace() + ": bring back " + keys.size()
        + " key(s) from backup " + kv.baselineBackupId() + " (pitr with these keys does exactly that today).",
        loss + "those " + keys.size() + " key(s)", mine.stream().map(AssessmentFinding::id).toList(), pitr, merge, null));
  }

  private void r2Action(R2Facts r2, List<Action> actions) {
    String comp = "r2:" + r2.bucket();
    List<AssessmentFinding> mine = findings.stream().filter(f -> f.component().equals(comp)).toList();
    if (mine.isEmpty()) {
      return;
    }
    List<String> keys = new ArrayList<>(r2.missing().keys());
    keys.addAll(list(r2.mismatchesWithGoodCopy()));
    keys.sort(KEY_ORDER);
    if (keys.isEmpty()) {
      return;
    }
    boolean complete = r2.missing().complete() && r2.checksumMismatches().complete();
    MergePlan merge = new MergePlan(null, null, null, r2.bucket(), r2.secondaryBucket(), r2.bucket() + "/",
        List.of(new RecordSet(r2.bucket(), "key", keys.size(), List.copyOf(keys), complete,
            "missing or failing their checksum; the secondary copy is good")), in.incidentId());
    actions.add(new Action(comp, "merge", "Copy " + keys.size() + " object(s) of " + r2.bucket() + " back from "
        + r2.secondaryBucket() + "/" + r2.bucket() + "/.", "none: the copies are the objects' recorded bytes",
        mine.stream().map(AssessmentFinding::id).toList(), null, merge, null));
  }

  private void replaceFinding(AssessmentFinding f) {
    for (int i = 0; i < findings.size(); i++) {
      if (findings.get(i).id().equals(f.id())) {
        findings.set(i, f);
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Keys in the order SQLite sorts them: integers numerically, then text. */
  static final Comparator<String> KEY_ORDER = (a, b) -> {
    Long x = asLong(a);
    Long y = asLong(b);
    if (x != null && y != null) {
      return Long.compare(x, y);
    }
    if (x != null) {
      return -1;
    }
    if (y != null) {
      return 1;
    }
    return a.compareTo(b);
  };

  private static Long asLong(String s) {
    if (s == null || s.isEmpty() || s.length() > 19) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(Character.isDigit(c) || (i == 0 && c == '-' && s.length() > 1))) {
        return null;
      }
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static int rank(String severity) {
    return switch (severity == null ? "" : severity.toLowerCase(Locale.ROOT)) {
      case CRITICAL -> 4;
      case HIGH -> 3;
      case MEDIUM -> 2;
      case LOW -> 1;
      default -> 0;
    };
  }

  /** A timestamp as the data writes it: ISO-8601 instants, or SQLite's {@code YYYY-MM-DD HH:MM:SS} (UTC). */
  static Instant parseTime(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String t = text.trim();
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException ignored) {
      // Not an instant; try SQLite's datetime() format.
    }
    try {
      return LocalDateTime.parse(t.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException ignored) {
      return null;
    }
  }

  private static int compareTimes(String a, String b) {
    Instant x = parseTime(a);
    Instant y = parseTime(b);
    return x != null && y != null ? x.compareTo(y) : a.compareTo(b);
  }


  /** {@code name} as a double-quoted SQL identifier. */
  static String ident(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** {@code value} as a SQL string literal. */
  static String literal(String value) {
    return value == null ? "NULL" : "'" + value.replace("'", "''") + "'";
  }

  /**
   * {@code keyColumn IN (keys)}: integer keys as numbers (an INTEGER PRIMARY KEY or rowid compares
   * with them exactly; a TEXT column applies its affinity to them), others as text literals.
   */
  static String keyPredicate(String keyColumn, List<String> keys) {
    boolean numeric = keys.stream().allMatch(k -> asLong(k) != null);
    String in = String.join(", ", keys.stream().map(k -> numeric ? k : literal(k)).toList());
    String column = keyColumn == null || keyColumn.equals("rowid") ? "rowid" : ident(keyColumn);
    return column + " IN (" + in + ")";
  }

  private static String sample(List<String> keys) {
    List<String> k = list(keys);
    if (k.isEmpty()) {
      return "none listed";
    }
    return String.join(", ", first(k, 5)) + (k.size() > 5 ? ", …" : "");
  }

  static <T> List<T> first(List<T> items, int n) {
    List<T> l = list(items);
    return l.size() <= n ? l : java.util.Collections.unmodifiableList(new ArrayList<>(l.subList(0, n)));
  }

  static <T> List<T> list(List<T> items) {
    return items == null ? List.of() : items;
  }
}
