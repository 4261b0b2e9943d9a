package dev.lifeline.workflows.playbook;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;

/**
 * The handlers every playbook answers, with the short stable names people type into the Temporal
 * UI and CLI. Each playbook's {@code @WorkflowInterface} extends this interface.
 *
 * <ul>
 *   <li>signal {@code approve} {@code {step, approver, planHash?, comment?}};
 *   <li>signal {@code abort} {@code {reason, by}};
 *   <li>update {@code decide} {@code {action, step, by, planHash?, comment?, reason?}}: the same,
 *       synchronously, rejected with the reason when refused;
 *   <li>query {@code status}: the whole picture as JSON.
 * </ul>
 *
 * <p>A refused signal is recorded in the status and never acted on; a refused update is rejected
 * by its validator and leaves no trace in the history.
 */
public interface PlaybookControl {
  /** Signal name for approvals. */
  String APPROVE = "approve";

  /** Signal name for aborts. */
  String ABORT = "abort";

  /** Update name for synchronous decisions. */
  String DECIDE = "decide";

  /** Query name for the status. */
  String STATUS = "status";

  /** Approves the pending step (asynchronously; refusals are recorded in the status). */
  @SignalMethod(name = APPROVE)
  void approve(ApproveSignal signal);

  /** Aborts the playbook (asynchronously; refusals are recorded in the status). */
  @SignalMethod(name = ABORT)
  void abort(AbortSignal signal);

  /** Approves or aborts synchronously and says what happens next. */
  @UpdateMethod(name = DECIDE)
  DecisionReceipt decide(Decision decision);

  /** Refuses a decision that would not be accepted, with the reason. */
  @UpdateValidatorMethod(updateName = DECIDE)
  void validateDecide(Decision decision);

  /** The whole picture: phase, steps, pending approval and plan, decisions, findings, undo. */
  @QueryMethod(name = STATUS)
  PlaybookStatus status();
}
