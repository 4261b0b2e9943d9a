package dev.lifeline.cli;

/** A failure the CLI reports as one message and an exit code, without a stack trace. */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  /**
   * @param exitCode one of {@link ExitCodes}
   * @param message what went wrong and what to do about it
   */
  public CliException(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  /** The exit code. */
  public int exitCode() {
    return exitCode;
  }

  /** A usage error. */
  public static CliException usage(String message) {
    return new CliException(ExitCodes.USAGE, message);
  }
}
