package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.backup.BackupManifest;
import java.time.Instant;
import java.util.List;

/**
 * Everything {@link AssessmentAnalysis} judges: the input, the facts the activities gathered, and
 * the backups they were compared with.
 *
 * @param input the assessment input
 * @param assessedAt when the assessment ran (workflow time)
 * @param backups verified backups of the database, newest first (the recent history)
 * @param baseline the backup the database was compared with (the newest verified one at or before
 *     {@code suspectedSince}), or null
 * @param database the database facts
 * @param kv facts per KV namespace
 * @param r2 facts per R2 bucket
 * @param deployments recent deployments per Worker script
 * @param problems what could not be checked, and why (a namespace that does not exist, a bucket
 *     without a secondary copy)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AssessmentEvidence(
    AssessmentInput input,
    Instant assessedAt,
    List<BackupManifest> backups,
    BackupManifest baseline,
    DatabaseFacts database,
    List<KvFacts> kv,
    List<R2Facts> r2,
    List<DeploymentFacts> deployments,
    List<String> problems) {}
