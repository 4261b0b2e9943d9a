package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An R2 bucket compared with its copy in the secondary bucket (both listings walked in key order),
 * and objects' bytes checked against the SHA-256 recorded in their {@code sha256} user metadata.
 *
 * @param bucket the bucket
 * @param secondaryBucket where the copy lives ({@code <secondaryBucket>/<bucket>/...})
 * @param objects objects in the bucket
 * @param copies objects in the copy
 * @param missing objects the copy has and the bucket does not: gone from the bucket
 * @param notReplicated objects the bucket has and the copy does not yet (replication lag; a fact,
 *     not a finding)
 * @param verify {@code sample} or {@code all}
 * @param verified objects whose bytes were read and hashed
 * @param checksumMismatches objects whose bytes do not match their recorded SHA-256
 * @param withoutChecksum verified objects that record no SHA-256 (nothing to compare with)
 * @param mismatchesWithGoodCopy of the mismatches, those whose secondary copy still matches the
 *     recorded SHA-256 (restorable from the copy)
 * @param notes caveats
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record R2Facts(
    String bucket,
    String secondaryBucket,
    long objects,
    long copies,
    KeySet missing,
    long notReplicated,
    String verify,
    long verified,
    KeySet checksumMismatches,
    long withoutChecksum,
    List<String> mismatchesWithGoodCopy,
    List<String> notes) {}
