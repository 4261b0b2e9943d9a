package dev.lifeline.workflows.backup;

import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import dev.lifeline.workflows.playbook.PlaybookControl;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Keeps a copy of each R2 data bucket in the secondary bucket, and reports lag, missing objects
 * and checksum mismatches. Resumable after a crash mid-bucket.
 */
@WorkflowInterface
public interface R2Replication extends PlaybookControl {
  /** The workflow type. */
  String TYPE = "R2Replication";

  /** Replicates; returns one report per bucket. */
  @WorkflowMethod(name = TYPE)
  List<ReplicationReport> run(R2ReplicationInput input, PlaybookCheckpoint checkpoint);
}
