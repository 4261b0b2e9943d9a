package dev.lifeline.workflows.playbook;

/** Where a playbook stands, as the {@code status} query reports it. */
public enum PlaybookState {
  /** Working through its steps. */
  RUNNING,
  /** Stopped at a gate until enough people approve (or someone aborts). */
  AWAITING_APPROVAL,
  /** Running its undo actions after an abort or a failure. */
  COMPENSATING,
  /** Finished every step. */
  COMPLETED,
  /** Stopped by a person (or by an approval timeout configured to abort). */
  ABORTED,
  /** Stopped by an error. */
  FAILED;

  /** Whether the playbook has finished, one way or another. */
  public boolean isFinal() {
    return this == COMPLETED || this == ABORTED || this == FAILED;
  }
}
