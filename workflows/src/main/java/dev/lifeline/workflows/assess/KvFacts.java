package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * A KV namespace compared with its last verified backup, key by key, both walked in key order (so
 * memory does not grow with the namespace).
 *
 * @param namespace the namespace title
 * @param namespaceId its id
 * @param checkedAt when the namespace was listed
 * @param baselineBackupId the backup compared with, or null when there is none
 * @param baselineAt when that backup was taken
 * @param baselineKeys keys in the backup
 * @param keys keys now
 * @param missing keys in the backup that are gone and whose recorded expiration has not passed:
 *     lost, not expired
 * @param expiredAsExpected keys in the backup that are gone because their expiration passed
 * @param added keys that are new since the backup (normal traffic; a fact, not a finding)
 * @param changed keys whose value, metadata or expiration changed since the backup (also normal)
 * @param expectedShape what the values are expected to be: {@code json} when the backup's values
 *     (or, with no backup, nearly all current values) are JSON documents, else null
 * @param malformed keys whose value does not have the expected shape
 * @param unexpectedExpirations keys that now expire although the backup recorded no expiration, or
 *     expire more than a day earlier than it recorded: they will vanish
 * @param restorable of the missing, malformed and unexpectedly expiring keys, those the backup holds
 *     with a value of the expected shape: restoring them from the backup repairs them
 * @param notes caveats
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KvFacts(
    String namespace,
    String namespaceId,
    Instant checkedAt,
    String baselineBackupId,
    Instant baselineAt,
    Long baselineKeys,
    long keys,
    KeySet missing,
    long expiredAsExpected,
    KeySet added,
    KeySet changed,
    String expectedShape,
    KeySet malformed,
    KeySet unexpectedExpirations,
    KeySet restorable,
    List<String> notes) {}
