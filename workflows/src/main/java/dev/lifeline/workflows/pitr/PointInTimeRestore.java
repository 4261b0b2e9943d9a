package dev.lifeline.workflows.pitr;

import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import dev.lifeline.workflows.playbook.PlaybookControl;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Restores a D1 database, SQLite file or KV namespace to a verified backup or a D1 Time Travel
 * bookmark: show the restorable window, choose and validate the recovery point, take a safety
 * point (the undo handle), stop for approval with the exact plan, restore, validate after, and
 * roll back to the safety point if anything after the restore began fails or is aborted.
 */
@WorkflowInterface
public interface PointInTimeRestore extends PlaybookControl {
  /** The workflow type. */
  String TYPE = "PointInTimeRestore";

  /** Runs the restore. */
  @WorkflowMethod(name = TYPE)
  RestoreReport run(PitrInput input, PlaybookCheckpoint checkpoint);
}
