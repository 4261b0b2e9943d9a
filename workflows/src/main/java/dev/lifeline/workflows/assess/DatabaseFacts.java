package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.backup.BackupManifest.TableManifest;
import java.time.Instant;
import java.util.List;

/**
 * The raw facts about a database, all taken from one fresh local staging copy: the production
 * database sees a single export (D1) or an online-backup copy (SQLite), never a storm of queries.
 *
 * @param target the target label
 * @param copy which copy was checked and how it was obtained
 * @param integrity the integrity pragmas that ran, in order
 * @param foreignKeys {@code PRAGMA foreign_key_check} violations per (table, foreign key)
 * @param tables the current schema and row counts, in the shape of a backup manifest's tables
 *     (so drift is a comparison of like with like)
 * @param rules every rule evaluated: the schema's defaults, the named set and the input's
 * @param suggestions domain rules the data suggests (never checked as rules: the data may already
 *     be wrong), with the rows outside the dominant values
 * @param migrations the newest rows of {@code d1_migrations}, newest first (empty when the table
 *     does not exist)
 * @param baseline the comparison with the baseline backup, when one was given and something was
 *     found to compare (null otherwise)
 * @param timings how long each check took
 * @param notes caveats (what the copy cannot show, checks skipped and why)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatabaseFacts(
    String target,
    StagingCopy copy,
    List<IntegrityRun> integrity,
    List<ForeignKeyViolations> foreignKeys,
    List<TableManifest> tables,
    List<RuleResult> rules,
    List<RuleSuggestion> suggestions,
    List<Migration> migrations,
    BaselineComparison baseline,
    List<CheckTiming> timings,
    List<String> notes) {

  /**
   * The local copy the checks ran on.
   *
   * @param method {@code d1-export} (one D1 export, loaded with the type-exact loader),
   *     {@code d1-query} (read through the query API: D1 cannot export databases with virtual
   *     tables), or {@code sqlite-backup-api} (SQLite's online backup of the file)
   * @param source the target label
   * @param takenAt when the copy was taken
   * @param bookmark the D1 Time Travel bookmark the export reflects, when known
   * @param bytes size of the copy's file
   * @param rows rows loaded
   * @param millis how long taking the copy took
   * @param caveats what the copy may not show exactly
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StagingCopy(
      String method, String source, Instant takenAt, String bookmark, long bytes, long rows, long millis,
      List<String> caveats) {}

  /**
   * One integrity pragma.
   *
   * @param pragma {@code quick_check} or {@code integrity_check}
   * @param ok whether it answered {@code ok}
   * @param messages its answer (at most 100 lines)
   * @param reason why it ran ({@code always}, {@code requested}, {@code quick_check failed})
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record IntegrityRun(String pragma, boolean ok, List<String> messages, String reason) {}

  /**
   * Rows of one table violating one declared foreign key.
   *
   * @param table the child table
   * @param column the child column(s), comma-separated
   * @param refTable the parent table
   * @param refColumn the parent column(s), comma-separated (the primary key when the declaration
   *     names none)
   * @param count offending rows
   * @param keyColumn what the keys are ({@code id}, {@code rowid})
   * @param keys keys of offending rows in key order, up to the record limit
   * @param keysComplete whether {@code keys} holds every offending row
   * @param missingParents distinct parent values the offending rows point at, up to the record limit
   * @param firstAffectedAt earliest timestamp among offending rows, when the table has one
   * @param lastAffectedAt latest timestamp among offending rows
   * @param timestampColumn the column those timestamps come from
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ForeignKeyViolations(
      String table, String column, String refTable, String refColumn, long count, String keyColumn,
      List<String> keys, boolean keysComplete, List<String> missingParents, String firstAffectedAt,
      String lastAffectedAt, String timestampColumn) {}

  /**
   * A domain rule the data suggests.
   *
   * @param rule the suggested rule (severity low)
   * @param rowsOutside rows holding none of the dominant values
   * @param evidence how the values were found, in words
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RuleSuggestion(Rule rule, long rowsOutside, String evidence) {}

  /** A row of {@code d1_migrations}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Migration(String id, String name, String appliedAt) {}

  /** How long one check took. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CheckTiming(String check, long millis) {}

  /**
   * The staging copy compared with the baseline backup, restored into a second local file: which
   * rows were deleted since, and for each damaged set of rows whether the backup holds them intact
   * (a selective merge can bring them back) or not.
   *
   * @param backupId the baseline backup
   * @param createdAt when it was taken
   * @param deleted per table with fewer rows than the baseline: the keys gone since
   * @param origins per finding with keys: where its rows come from
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record BaselineComparison(
      String backupId, Instant createdAt, List<DeletedRows> deleted, List<RecordOrigin> origins) {}

  /**
   * Rows in the baseline that are gone now.
   *
   * @param table the table
   * @param keyColumn what the keys are
   * @param count rows gone
   * @param keys their keys, in key order, up to the record limit
   * @param complete whether {@code keys} lists every one
   * @param firstAffectedAt earliest timestamp among them (from the baseline's rows)
   * @param lastAffectedAt latest timestamp among them
   * @param timestampColumn the column those timestamps come from
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DeletedRows(
      String table, String keyColumn, long count, List<String> keys, boolean complete, String firstAffectedAt,
      String lastAffectedAt, String timestampColumn) {}

  /**
   * Where the damaged rows of one check come from.
   *
   * @param ref the check: {@code rule:<id>} or {@code fk:<table>.<column>}
   * @param table the table the keys are in
   * @param checked keys looked up in the baseline (the first of the check's keys, up to the record
   *     limit)
   * @param restorable keys the baseline holds and that pass the check there: bringing those rows
   *     back from the backup repairs them
   * @param preexisting keys whose baseline rows break the check too: the backup does not help
   * @param added keys the baseline does not have: rows written since the backup
   * @param deletedParents for foreign keys: missing parent values the baseline's parent table still
   *     holds (the parents were deleted since the backup)
   * @param orphansOfDeletedParents for foreign keys: the offending keys whose parent is one of
   *     {@code deletedParents}
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RecordOrigin(
      String ref, String table, long checked, List<String> restorable, List<String> preexisting, List<String> added,
      List<String> deletedParents, List<String> orphansOfDeletedParents) {}
}
