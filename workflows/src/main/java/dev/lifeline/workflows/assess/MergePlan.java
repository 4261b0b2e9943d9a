package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.common.Target;
import java.time.Instant;
import java.util.List;

/**
 * The exact record set a selective merge brings back, in the JSON shape the merge playbook takes
 * as its input: rows of a database or keys of a KV namespace from a verified backup, or objects of
 * an R2 bucket from their copy in the secondary bucket. Nothing else is touched.
 *
 * <pre>{@code
 * {"target": {"d1": "monotask-production"}, "backupId": "d1-monotask-production-20261121T020000Z-ab12cd",
 *  "records": [{"table": "tasks", "keyColumn": "id", "count": 3, "keys": ["tsk_0000012", ...], "complete": true,
 *               "reason": "deleted since the backup"}],
 *  "incidentId": "INC-42"}
 * }</pre>
 *
 * @param target the database or KV namespace to merge into (null for R2)
 * @param backupId the verified backup the records come from (database and KV)
 * @param backupAt when that backup was taken
 * @param r2Bucket the bucket to copy objects back into (R2)
 * @param sourceBucket the bucket holding the good copies (R2: the secondary bucket)
 * @param sourcePrefix the prefix of the copies in {@code sourceBucket} (R2: {@code <bucket>/})
 * @param records per table (or namespace, or bucket): the keys to bring back
 * @param incidentId the incident
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MergePlan(
    Target target,
    String backupId,
    Instant backupAt,
    String r2Bucket,
    String sourceBucket,
    String sourcePrefix,
    List<RecordSet> records,
    String incidentId) {

  /**
   * Records of one table to bring back.
   *
   * @param table the table, namespace or bucket
   * @param keyColumn the column the keys are in ({@code key} for KV and R2)
   * @param count records in the set
   * @param keys their keys, in key order
   * @param complete whether {@code keys} lists every record (false: the set was cut at the record
   *     limit)
   * @param reason why they are brought back
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RecordSet(String table, String keyColumn, long count, List<String> keys, boolean complete, String reason) {}
}
