package dev.lifeline.workflows.backup;

import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import dev.lifeline.workflows.playbook.PlaybookControl;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Prunes backups by the retention tiers (daily 30 days, weekly 90 days, monthly one year), never
 * the newest verified backup; deletions are approved (or auto-approved by a recorded policy) and
 * go to the trash first, so they can be undone until the trash is purged.
 */
@WorkflowInterface
public interface BackupRetention extends PlaybookControl {
  /** The workflow type. */
  String TYPE = "BackupRetention";

  /** Runs retention; returns the plan, as carried out (or as it would be, with dryRun). */
  @WorkflowMethod(name = TYPE)
  RetentionPlan run(BackupRetentionInput input, PlaybookCheckpoint checkpoint);
}
