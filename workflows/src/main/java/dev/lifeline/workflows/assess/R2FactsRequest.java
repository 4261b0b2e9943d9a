package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What {@link AssessmentActivities#r2Bucket} checks.
 *
 * @param bucket the bucket
 * @param secondaryBucket the bucket holding its copy under {@code <bucket>/} (null: the worker's
 *     {@code SECONDARY_R2_BUCKET})
 * @param verify {@code sample} or {@code all}
 * @param samplePercent for {@code sample}, the share of objects checked, 1–100
 * @param recordLimit the most keys listed per finding
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record R2FactsRequest(String bucket, String secondaryBucket, String verify, int samplePercent, int recordLimit) {}
