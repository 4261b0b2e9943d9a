package dev.lifeline.cli;

/** The {@code lifeline} command's exit codes, for scripts. */
public final class ExitCodes {
  /** Done. */
  public static final int OK = 0;

  /** Failed: the server was unreachable, the workflow does not exist, or something broke. */
  public static final int FAILED = 1;

  /** Usage: bad arguments or input; nothing was sent. */
  public static final int USAGE = 2;

  /** Refused by the workflow (wrong step, stale plan hash, separation of duties...). */
  public static final int REFUSED = 3;

  /** The playbook was aborted or failed. */
  public static final int PLAYBOOK_STOPPED = 4;

  private ExitCodes() {}
}
