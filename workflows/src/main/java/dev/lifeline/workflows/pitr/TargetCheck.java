package dev.lifeline.workflows.pitr;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The state of a target after a restore: integrity, foreign keys and row counts against what the
 * recovery point had.
 *
 * @param passed everything matched
 * @param integrityCheck {@code ok}, or the first problems reported
 * @param foreignKeyViolations rows reported by {@code foreign_key_check}
 * @param tables expected and actual rows per table (keys per namespace for KV)
 * @param problems what did not match, in words
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TargetCheck(
    boolean passed,
    String integrityCheck,
    long foreignKeyViolations,
    List<TableCount> tables,
    List<String> problems) {

  /** Rows expected and found in one table. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TableCount(String name, long expected, long actual) {}
}
