package dev.lifeline.workflows.playbook;

/**
 * Base class of every playbook implementation: owns the {@link PlaybookRuntime} and answers the
 * {@link PlaybookControl} handlers through it. Subclasses create it from their
 * {@code @WorkflowInit} constructor (so handlers work from the first event), run their steps
 * through {@link #runtime}, and override {@link #undo(UndoAction)} for the undo actions they
 * register.
 */
public abstract class AbstractPlaybook implements PlaybookControl, Compensator {
  /** The runtime of this run. */
  protected final PlaybookRuntime runtime;

  /**
   * @param playbook the workflow type
   * @param input the input as given
   * @param checkpoint null on a first run
   */
  protected AbstractPlaybook(String playbook, PlaybookInput input, PlaybookCheckpoint checkpoint) {
    this.runtime = new PlaybookRuntime(playbook, input, checkpoint, this);
  }

  @Override
  public final void approve(ApproveSignal signal) {
    runtime.onApproveSignal(signal);
  }

  @Override
  public final void abort(AbortSignal signal) {
    runtime.onAbortSignal(signal);
  }

  @Override
  public final DecisionReceipt decide(Decision decision) {
    return runtime.onDecide(decision);
  }

  @Override
  public final void validateDecide(Decision decision) {
    runtime.validateDecision(decision);
  }

  @Override
  public final PlaybookStatus status() {
    return runtime.status();
  }

  /** Playbooks that register undo actions override this; the default refuses unknown kinds. */
  @Override
  public String undo(UndoAction action) {
    throw new IllegalStateException(
        getClass().getSimpleName() + " has no undo for kind " + action.kind());
  }
}
