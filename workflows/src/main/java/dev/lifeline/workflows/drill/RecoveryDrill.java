package dev.lifeline.workflows.drill;

import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import dev.lifeline.workflows.playbook.PlaybookControl;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The monthly recovery drill of the backup and recovery runbook: back up the D1 database and the
 * KV namespace (verified), restore those backups into drill copies, back the copies up, damage
 * them the way incidents do, run {@code CorruptionAssessment}, run {@code PointInTimeRestore} as
 * it recommends, and check each copy holds exactly its recovery point's data. Reports RTO and RPO
 * per component against the runbook's targets, pass/fail per step, and recommendations. The
 * sources are only read.
 *
 * <p>One approval gate, {@code drill}, before the first write to a copy; the child restores run
 * under a recorded auto-approval policy, shown in their status and in this report.
 */
@WorkflowInterface
public interface RecoveryDrill extends PlaybookControl {
  /** The workflow type. */
  String TYPE = "RecoveryDrill";

  /** Runs the drill; a report with {@code passed: false} is a drill that ran and found problems. */
  @WorkflowMethod(name = TYPE)
  DrillReport run(DrillInput input, PlaybookCheckpoint checkpoint);
}
