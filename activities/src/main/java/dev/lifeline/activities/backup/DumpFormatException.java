package dev.lifeline.activities.backup;

import java.io.IOException;

/**
 * The input is not a SQL dump this parser can read: a binary SQLite database, a compressed file,
 * an unterminated string or statement (often a truncated download), a statement larger than the
 * configured limit. The message says what and where (line and byte offset). Not retryable.
 */
public class DumpFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long line;
  private final long byteOffset;

  public DumpFormatException(String message, long line, long byteOffset) {
    super(message + (line > 0 ? " (line " + line + ", byte " + byteOffset + ")" : ""));
    this.line = line;
    this.byteOffset = byteOffset;
  }

  /** 1-based line of the problem, or 0 when it concerns the whole input. */
  public long line() {
    return line;
  }

  /** Byte offset of the problem. */
  public long byteOffset() {
    return byteOffset;
  }
}
