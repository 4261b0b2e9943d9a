package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.common.Target;
import java.util.List;

/**
 * A surgical repair for a well-understood pattern, in the JSON shape the repair playbook takes as
 * its input: SQL statements to run (in order, in one transaction, on a staging copy first), each
 * with the rows it is expected to change, so the playbook can refuse when reality differs.
 *
 * <pre>{@code
 * {"target": {"d1": "monotask-production"},
 *  "statements": [{"finding": "rule:tasks.state-domain", "description": "...",
 *                  "sql": "UPDATE \"tasks\" SET \"state\" = 'PENDING' WHERE ...", "expectedRows": 6,
 *                  "dataLoss": "..."}],
 *  "incidentId": "INC-42"}
 * }</pre>
 *
 * @param target the database
 * @param statements the statements, in order
 * @param incidentId the incident
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RepairPlan(Target target, List<RepairStatement> statements, String incidentId) {

  /**
   * One statement.
   *
   * @param finding the finding it repairs
   * @param description what it does, in words
   * @param sql the statement (identifiers quoted, values as SQL literals)
   * @param expectedRows rows (or schema objects) it should change
   * @param dataLoss what is not recovered by it
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RepairStatement(String finding, String description, String sql, long expectedRows, String dataLoss) {}
}
