package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.common.Target;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What to back up.
 *
 * @param backupId the id chosen by the workflow; object keys derive from it, so a retried capture
 *     overwrites its own partial objects and nothing else
 * @param target a D1 database or a SQLite file
 * @param tier the retention tier to record
 * @param tables only these tables (D1 export's {@code tables} option), or all when empty
 * @param requestedAt workflow time when the backup was requested
 * @param labels free-form labels to record
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CaptureRequest(
    String backupId,
    Target target,
    String tier,
    List<String> tables,
    Instant requestedAt,
    Map<String, String> labels) {}
