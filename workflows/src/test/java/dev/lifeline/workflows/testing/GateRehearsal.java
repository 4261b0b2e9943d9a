package dev.lifeline.workflows.testing;

import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import dev.lifeline.workflows.playbook.PlaybookControl;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A test-only playbook that exercises the approval gate end to end: inspect, take a safety
 * snapshot, gate {@code apply}, rewrite rows (destructive, undoable), verify, gate
 * {@code finalize}, mark finalized (destructive, undoable). It acts on an in-memory
 * {@link RehearsalStore}, so tests can check exactly what changed and what was undone.
 */
@WorkflowInterface
public interface GateRehearsal extends PlaybookControl {
  /** The workflow type. */
  String TYPE = "GateRehearsal";

  /** Runs the rehearsal. */
  @WorkflowMethod(name = TYPE)
  RehearsalResult run(RehearsalInput input, PlaybookCheckpoint checkpoint);
}
