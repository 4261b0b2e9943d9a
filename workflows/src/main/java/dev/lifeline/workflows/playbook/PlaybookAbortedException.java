package dev.lifeline.workflows.playbook;

/**
 * Thrown inside workflow code when an accepted abort reaches a checkpoint (a gate, the start of a
 * step, or a step cancelled by the abort). {@link PlaybookRuntime#execute} catches it, runs the
 * undo actions and fails the workflow with a {@code PlaybookAborted} failure.
 */
final class PlaybookAbortedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  PlaybookAbortedException(String message) {
    super(message, null, false, false);
  }
}
