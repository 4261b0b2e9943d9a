package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.pitr.PitrInput;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a {@link CorruptionAssessment} found, in the runbook's order — scope, impact, root cause —
 * and what to do about it, with the ready input of the playbook it recommends. {@link #markdown()}
 * renders the whole report for people ({@code lifeline start assess ... --wait} prints it).
 *
 * @param target the database assessed
 * @param incidentId the incident
 * @param assessedAt when the assessment ran
 * @param suspectedSince when the damage was thought to have begun, as given
 * @param severity {@code Critical}, {@code High}, {@code Medium}, {@code Low}, or {@code None} when
 *     nothing was found
 * @param severityReason why, in the runbook's terms, naming the findings that decided it
 * @param scope {@code systemic}, {@code isolated} or {@code none}
 * @param findings what is wrong, most severe first
 * @param schemaDrift the schema compared with the baseline backup's manifest (null without one)
 * @param rowCounts row counts now, in the baseline and in earlier backups
 * @param onset when the damage appeared, as far as the evidence says
 * @param rootCauseHints deployments and migrations near the onset
 * @param recommendation which playbook fits, with its ready input and the data loss of each option
 * @param checks everything that was checked and its result, one line each
 * @param suggestions domain rules the data suggests (not checked as rules)
 * @param sources which copies and backups the facts come from
 * @param notes caveats
 * @param markdown the report rendered as Markdown
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AssessmentReport(
    String target,
    String incidentId,
    Instant assessedAt,
    String suspectedSince,
    String severity,
    String severityReason,
    String scope,
    List<AssessmentFinding> findings,
    SchemaDrift schemaDrift,
    List<RowCount> rowCounts,
    Onset onset,
    List<RootCauseHint> rootCauseHints,
    Recommendation recommendation,
    List<String> checks,
    List<DatabaseFacts.RuleSuggestion> suggestions,
    Sources sources,
    List<String> notes,
    String markdown) {

  /** This report with its Markdown rendering. */
  public AssessmentReport withMarkdown(String markdown) {
    return new AssessmentReport(target, incidentId, assessedAt, suspectedSince, severity, severityReason, scope,
        findings, schemaDrift, rowCounts, onset, rootCauseHints, recommendation, checks, suggestions, sources, notes,
        markdown);
  }

  /** The finding with {@code id}, or null. */
  public AssessmentFinding finding(String id) {
    return findings.stream().filter(f -> f.id().equals(id)).findFirst().orElse(null);
  }

  /**
   * The schema now against the baseline backup's manifest.
   *
   * @param baselineBackupId the backup compared with
   * @param changes tables, columns and indexes added, removed or changed
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SchemaDrift(String baselineBackupId, List<SchemaChange> changes) {}

  /**
   * One schema difference.
   *
   * @param object {@code table}, {@code column} or {@code index}
   * @param change {@code added}, {@code removed} or {@code changed}
   * @param table the table
   * @param name the column or index name (the table name for tables)
   * @param before its definition in the baseline
   * @param after its definition now
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SchemaChange(String object, String change, String table, String name, String before, String after) {}

  /**
   * A table's row count now and in the backups.
   *
   * @param table the table
   * @param now rows now (null when the table is gone)
   * @param baseline rows in the baseline backup (null when it did not exist there)
   * @param history rows in earlier verified backups, newest first, by backup time
   * @param change {@code unchanged}, {@code grew}, {@code dropped}, {@code new} or {@code gone}
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RowCount(String table, Long now, Long baseline, Map<String, Long> history, String change) {}

  /**
   * When the damage appeared.
   *
   * @param notBefore the newest moment known good: the baseline backup, when it holds none of the
   *     damaged records (or {@code suspectedSince} when given)
   * @param notAfter when it was observed (this assessment)
   * @param firstAffectedAt the earliest timestamp among affected records (the records' own time:
   *     when they were written, not necessarily when they were damaged)
   * @param lastAffectedAt the latest such timestamp
   * @param basis how the window was found, in words
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Onset(Instant notBefore, Instant notAfter, String firstAffectedAt, String lastAffectedAt, String basis) {}

  /**
   * An event that may explain the damage.
   *
   * @param at when
   * @param kind {@code deployment} or {@code migration}
   * @param what the event, in words
   * @param relation how it relates to the onset
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RootCauseHint(String at, String kind, String what, String relation) {}

  /**
   * What to do.
   *
   * @param playbook the playbook to run first: {@code pitr}, {@code merge}, {@code repair} or
   *     {@code none}
   * @param reason why
   * @param dataLoss what running it loses
   * @param recoveryPoint the best recovery point before the damage, when one is known
   * @param actions every recommended run, in order, each with its ready input
   * @param alternatives the options for the database and the data each would lose
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Recommendation(
      String playbook,
      String reason,
      String dataLoss,
      RecoveryPointChoice recoveryPoint,
      List<Action> actions,
      List<Alternative> alternatives) {}

  /**
   * The best recovery point before the damage.
   *
   * @param backupId the newest verified backup at or before {@code before}
   * @param at when it was taken
   * @param before the moment it had to precede
   * @param basis why that moment ({@code suspectedSince}, the baseline holding none of the damage,
   *     or the first affected timestamp)
   * @param dataLoss what restoring it loses
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RecoveryPointChoice(String backupId, Instant at, Instant before, String basis, String dataLoss) {}

  /**
   * One recommended playbook run.
   *
   * @param component the system it acts on
   * @param playbook {@code pitr}, {@code merge} or {@code repair}
   * @param reason why
   * @param dataLoss what it loses
   * @param findings the findings it addresses
   * @param pitr the ready input of {@code pitr} ({@link PitrInput}), when it applies (for KV keys,
   *     {@code pitr} with {@code keys} performs the merge today)
   * @param merge the record set, when a merge
   * @param repair the statements, when a repair
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Action(
      String component,
      String playbook,
      String reason,
      String dataLoss,
      List<String> findings,
      PitrInput pitr,
      MergePlan merge,
      RepairPlan repair) {}

  /**
   * An option and its cost.
   *
   * @param playbook {@code pitr}, {@code merge} or {@code repair}
   * @param fits whether it addresses every finding of the database
   * @param dataLoss what it would lose
   * @param note why it fits or not
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Alternative(String playbook, boolean fits, String dataLoss, String note) {}

  /**
   * Where the facts come from.
   *
   * @param stagingCopy the local copy the database checks ran on
   * @param baselineBackupId the database's baseline backup, or null
   * @param baselineAt when it was taken
   * @param kvBaselines KV namespace → the backup it was compared with
   * @param secondaryBuckets R2 bucket → the bucket holding its copy
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Sources(
      DatabaseFacts.StagingCopy stagingCopy,
      String baselineBackupId,
      Instant baselineAt,
      Map<String, String> kvBaselines,
      Map<String, String> secondaryBuckets) {}
}
