package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.assess.AssessmentInput.SourcedRule;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.common.Target;
import java.util.List;

/**
 * What {@link AssessmentActivities#database} checks.
 *
 * @param target the D1 database or SQLite file
 * @param baseline the verified backup to compare with (its deleted rows and the origin of damaged
 *     rows); null when there is none
 * @param rules rules from a named set and the input, checked after the schema's defaults
 * @param autoRuleSets also check every named rule set whose tables and columns all exist
 * @param integrityCheck {@code quick} or {@code full}
 * @param sampleSize sample keys per check
 * @param recordLimit the most keys collected per check for record sets
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatabaseFactsRequest(
    Target target,
    BackupManifest baseline,
    List<SourcedRule> rules,
    boolean autoRuleSets,
    String integrityCheck,
    int sampleSize,
    int recordLimit) {}
