package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What one {@link Rule} found.
 *
 * @param rule the rule
 * @param violations rows that break it (for {@code unique}: rows beyond the first of each group)
 * @param sampleKeys up to N keys of offending rows (primary key, or rowid)
 * @param keyColumn what the sample keys are ({@code id}, {@code rowid}...)
 * @param firstAffectedAt earliest timestamp among offending rows, when the table has one
 * @param lastAffectedAt latest timestamp among offending rows, when the table has one
 * @param timestampColumn the column those timestamps come from
 * @param error why the rule could not be evaluated (missing table or column), else null
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
    String error) {}
