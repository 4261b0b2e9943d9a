package dev.lifeline.activities.backup;

/**
 * Loading a dump into SQLite failed: a statement SQLite refused, a dump that rolls back, a file
 * that already exists, or a checkpoint that does not match the file. The message names the
 * statement's line and kind (never its values). Not retryable: the same dump fails the same way.
 */
public class DumpLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final DumpPosition position;

  public DumpLoadException(String message, DumpPosition position, Throwable cause) {
    super(message, cause);
    this.position = position;
  }

  /** The failing statement's position, or null when the failure is not about one statement. */
  public DumpPosition position() {
    return position;
  }
}
