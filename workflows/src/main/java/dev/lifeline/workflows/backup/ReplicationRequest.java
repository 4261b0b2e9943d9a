package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One bucket to replicate.
 *
 * @param bucket the primary bucket
 * @param secondaryBucket the secondary bucket (its objects live under {@code <bucket>/})
 * @param deleteExtraneous delete secondary objects whose primary is gone
 * @param verify {@code none}, {@code sample} or {@code all}: read primary objects and check their
 *     bytes against their recorded SHA-256 (and the secondary copy's)
 * @param samplePercent for {@code sample}: the share of objects checked, 1–100
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReplicationRequest(
    String bucket, String secondaryBucket, boolean deleteExtraneous, String verify, int samplePercent) {}
