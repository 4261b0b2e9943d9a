package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What one {@link Rule} found.
 *
 * @param rule the rule
 * @param violations rows that break it (for {@code unique}: rows beyond the first of each group)
 * @param sampleKeys up to N keys of offending rows (primary key, or rowid), in key order
 * @param keyColumn what the sample keys are ({@code id}, {@code rowid}...)
 * @param firstAffectedAt earliest timestamp among offending rows, when the table has one
 * @param lastAffectedAt latest timestamp among offending rows, when the table has one
 * @param timestampColumn the column those timestamps come from
 * @param error why the rule could not be evaluated (missing table or column), else null
 * @param source where the rule came from: {@code schema} (derived defaults), the rule set's name
 *     (e.g. {@code monotask}), or {@code input}; null when not recorded
 * @param keys the keys of offending rows, in key order, up to the record limit the check was given
 *     (a merge or repair needs the exact set, not a sample); null when not collected
 * @param keysComplete whether {@code keys} holds every offending row
 * @param values for {@code domain} rules: the offending values and how many rows hold each, most
 *     frequent first (at most 20); null otherwise
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RuleResult(
    Rule rule,
    long violations,
    List<String> sampleKeys,
    String keyColumn,
    String firstAffectedAt,
    String lastAffectedAt,
    String timestampColumn,
    String error,
    String source,
    List<String> keys,
    Boolean keysComplete,
    List<ValueCount> values) {

  /** A result without the source, key set or values (what a plain rule evaluation gives). */
  public RuleResult(
      Rule rule,
      long violations,
      List<String> sampleKeys,
      String keyColumn,
      String firstAffectedAt,
      String lastAffectedAt,
      String timestampColumn,
      String error) {
    this(rule, violations, sampleKeys, keyColumn, firstAffectedAt, lastAffectedAt, timestampColumn, error, null,
        null, null, null);
  }

  /** A value found in a column and how many rows hold it. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ValueCount(String value, long rows) {}

  /** This result with its source, key set (trimming the samples to {@code sampleSize}) and values. */
  public RuleResult withDetails(String source, int sampleSize, List<String> keys, boolean complete, List<ValueCount> values) {
    List<String> samples = keys == null ? sampleKeys : keys.subList(0, Math.min(sampleSize, keys.size()));
    return new RuleResult(rule, violations, samples == null ? null : List.copyOf(samples), keyColumn, firstAffectedAt,
        lastAffectedAt, timestampColumn, error, source, keys == null ? null : List.copyOf(keys), complete, values);
  }
}
