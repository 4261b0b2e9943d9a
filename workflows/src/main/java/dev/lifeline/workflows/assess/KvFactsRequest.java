package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.backup.BackupManifest;
import java.util.List;

/**
 * What {@link AssessmentActivities#kvNamespace} checks.
 *
 * @param namespace the namespace title or id
 * @param baseline the verified backup chain to compare with, oldest (the full backup) first; empty
 *     when the namespace has no verified backup
 * @param recordLimit the most keys listed per finding
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KvFactsRequest(String namespace, List<BackupManifest> baseline, int recordLimit) {}
