package dev.lifeline.workflows.playbook;

/**
 * Runs a registered {@link UndoAction}, from workflow code, usually by calling an activity. It
 * must be safe to run whether or not the destructive call it undoes actually changed anything
 * (the call may have failed half way, or never reached the service).
 */
@FunctionalInterface
public interface Compensator {
  /**
   * Undoes {@code action}; returns a one-line description of what was done.
   *
   * @throws RuntimeException (typically an {@code ActivityFailure}) when the undo failed; the
   *     playbook then stops undoing and reports what is left for a person to do
   */
  String undo(UndoAction action);
}
