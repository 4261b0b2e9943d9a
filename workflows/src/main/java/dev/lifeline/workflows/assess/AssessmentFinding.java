package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One thing found wrong, with its impact.
 *
 * @param id stable within a report, e.g. {@code rule:tasks.state-domain},
 *     {@code fk:task_events.task_id:deleted-parents}, {@code deleted:tasks}, {@code kv:SESSIONS:missing}
 * @param kind {@code INTEGRITY_FAILURE}, {@code ORPHANED_REFERENCE}, {@code INVALID_VALUE},
 *     {@code MISSING_VALUE}, {@code DUPLICATE_ROWS}, {@code MIS_ENCODED_TEXT}, {@code MALFORMED_JSON},
 *     {@code TRUNCATED_TEXT}, {@code DELETED_ROWS}, {@code SCHEMA_DRIFT}, {@code KV_MISSING_KEYS},
 *     {@code KV_MALFORMED_VALUES}, {@code KV_UNEXPECTED_EXPIRATION}, {@code R2_MISSING_OBJECTS} or
 *     {@code R2_CHECKSUM_MISMATCH}
 * @param component the affected system, e.g. {@code d1:monotask-production}, {@code kv:SESSIONS},
 *     {@code r2:screenshots}
 * @param table the table, namespace or bucket
 * @param column the column, when one
 * @param severity {@code critical}, {@code high}, {@code medium} or {@code low}
 * @param scope {@code isolated} (the affected records can be listed and fixed one by one) or
 *     {@code systemic} (too many, or the file itself is damaged)
 * @param summary one line for people
 * @param evidence which check found it
 * @param records records affected (rows, keys, objects, schema objects)
 * @param total records in the table, namespace or bucket, when known
 * @param keyColumn what the keys are ({@code id}, {@code rowid}, {@code key})
 * @param sampleKeys the first affected keys, in key order
 * @param firstAffectedAt earliest timestamp among affected records, where the data has one
 * @param lastAffectedAt latest timestamp among affected records
 * @param timestampColumn the column those timestamps come from
 * @param remedy {@code pitr}, {@code merge}, {@code repair} or {@code none} (a person decides)
 * @param remedyReason why that remedy
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AssessmentFinding(
    String id,
    String kind,
    String component,
    String table,
    String column,
    String severity,
    String scope,
    String summary,
    String evidence,
    long records,
    Long total,
    String keyColumn,
    List<String> sampleKeys,
    String firstAffectedAt,
    String lastAffectedAt,
    String timestampColumn,
    String remedy,
    String remedyReason) {

  /** This finding with another severity and scope. */
  public AssessmentFinding withImpact(String severity, String scope) {
    return new AssessmentFinding(id, kind, component, table, column, severity, scope, summary, evidence, records,
        total, keyColumn, sampleKeys, firstAffectedAt, lastAffectedAt, timestampColumn, remedy, remedyReason);
  }

  /** This finding with another remedy. */
  public AssessmentFinding withRemedy(String remedy, String remedyReason) {
    return new AssessmentFinding(id, kind, component, table, column, severity, scope, summary, evidence, records,
        total, keyColumn, sampleKeys, firstAffectedAt, lastAffectedAt, timestampColumn, remedy, remedyReason);
  }
}
