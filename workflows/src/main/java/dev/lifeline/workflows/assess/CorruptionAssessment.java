package dev.lifeline.workflows.assess;

import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import dev.lifeline.workflows.playbook.PlaybookControl;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The first thing an incident commander runs when data looks wrong: scope, impact and root cause
 * of the damage to a database (and, when named, KV namespaces and R2 buckets), and which recovery
 * playbook fits, with its ready input. Read-only: it never changes the target, and it has no
 * approval gates. The heavy checks run on a fresh local copy, so production sees one export.
 */
@WorkflowInterface
public interface CorruptionAssessment extends PlaybookControl {
  /** The workflow type. */
  String TYPE = "CorruptionAssessment";

  /** Runs the assessment; returns the report (with its Markdown rendering). */
  @WorkflowMethod(name = TYPE)
  AssessmentReport run(AssessmentInput input, PlaybookCheckpoint checkpoint);
}
