package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What replicating one bucket found and did.
 *
 * @param bucket the primary bucket
 * @param secondaryBucket where the copies live
 * @param objects primary objects scanned
 * @param copied objects copied (missing or changed)
 * @param bytesCopied bytes copied
 * @param missingBefore objects the secondary lacked before this run
 * @param changedBefore objects whose secondary copy was stale
 * @param verified objects whose bytes were checked
 * @param checksumMismatches keys whose bytes were found wrong: a primary object that no longer
 *     matches its recorded SHA-256 or single-part ETag (not copied: the secondary keeps the good
 *     copy), or a secondary copy that differs from its primary (copied again when the primary has
 *     such a checksum to prove it right; otherwise both are kept and a person must decide)
 * @param deleted secondary objects deleted ({@code deleteExtraneous})
 * @param extraneous secondary objects whose primary is gone (kept unless asked)
 * @param lagSeconds age of the oldest primary change the secondary lacked, 0 when in sync
 * @param resumedAfter the key a retried run resumed after, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReplicationReport(
    String bucket,
    String secondaryBucket,
    long objects,
    long copied,
    long bytesCopied,
    long missingBefore,
    long changedBefore,
    long verified,
    List<String> checksumMismatches,
    long deleted,
    long extraneous,
    long lagSeconds,
    String resumedAfter) {}
