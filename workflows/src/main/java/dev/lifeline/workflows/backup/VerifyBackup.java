package dev.lifeline.workflows.backup;

import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import dev.lifeline.workflows.playbook.PlaybookControl;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Verifies an existing backup again (checksum, decryption, restore to a temporary SQLite file,
 * integrity, counts and checksums; for KV, its whole chain) and records the new verdict in its
 * manifest. Changes nothing else.
 */
@WorkflowInterface
public interface VerifyBackup extends PlaybookControl {
  /** The workflow type. */
  String TYPE = "VerifyBackup";

  /** Verifies; returns the verdict (also when it failed). */
  @WorkflowMethod(name = TYPE)
  Verification run(VerifyBackupInput input, PlaybookCheckpoint checkpoint);
}
