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
 * @param checksumMismatches primary objects whose bytes do not match their recorded SHA-256 (not
 *     copied: the secondary keeps the good copy)
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
