package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * One namespace to back up.
 *
 * @param backupId the id chosen by the workflow
 * @param namespace the namespace title or id
 * @param parent for an incremental: the previous backup of the chain (full or incremental); null
 *     for a full backup
 * @param tier the retention tier to record
 * @param requestedAt workflow time when the backup was requested
 * @param labels free-form labels to record
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KvCaptureRequest(
    String backupId,
    String namespace,
    BackupManifest parent,
    String tier,
    Instant requestedAt,
    Map<String, String> labels) {}
