package dev.lifeline.workflows.backup;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Rotates the backup key on behalf of clients that hold no storage credentials (the CLI's
 * {@code lifeline backups rekey}): a short workflow that runs the {@code RotateBackupKeys} activity
 * on a worker, which re-wraps every backup's data keys from a previous key ({@code
 * BACKUP_ENCRYPTION_KEY_PREVIOUS}) to the current one without touching the encrypted data.
 */
@WorkflowInterface
public interface BackupKeyRotation {
  /** The workflow type. */
  String TYPE = "BackupKeyRotation";

  /** Rotates (or, with {@code dryRun}, checks that it could); returns the counts. */
  @WorkflowMethod(name = TYPE)
  KeyRotationReport rotate(KeyRotationInput input);
}
