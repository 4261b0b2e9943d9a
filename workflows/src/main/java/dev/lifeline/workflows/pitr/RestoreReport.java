package dev.lifeline.workflows.pitr;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.backup.Verification;
import java.time.Instant;
import java.util.List;

/**
 * The result of a point-in-time restore, as JSON and as Markdown for people.
 *
 * @param target the target label
 * @param window what the target could be restored to when the playbook started
 * @param recoveryPoint the point restored to
 * @param validateOnly whether this run only validated
 * @param validation the backup's verification by restoring it locally (null for Time Travel)
 * @param safetyBookmark the D1 bookmark before the restore (an undo handle)
 * @param safetyBackupId the pre-restore backup (an undo handle)
 * @param restore what the restore did (null when validate-only)
 * @param check the target after the restore (null when validate-only)
 * @param detectedAt when the problem was detected
 * @param restoredAt when the target was validated after the restore
 * @param rtoSeconds detection to validated, in seconds
 * @param dataLossFrom writes after this moment are lost
 * @param dataLossTo up to this moment (when the restore started)
 * @param decisions who approved what, in words
 * @param markdown the report for people
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestoreReport(
    String target,
    RecoveryWindow window,
    RecoveryPoint recoveryPoint,
    boolean validateOnly,
    Verification validation,
    String safetyBookmark,
    String safetyBackupId,
    RestoreOutcome restore,
    TargetCheck check,
    Instant detectedAt,
    Instant restoredAt,
    Long rtoSeconds,
    Instant dataLossFrom,
    Instant dataLossTo,
    List<String> decisions,
    String markdown) {}
