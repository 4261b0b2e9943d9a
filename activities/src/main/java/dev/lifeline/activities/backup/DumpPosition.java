package dev.lifeline.activities.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A place in a SQL dump: where a statement starts, or where parsing may resume. A checkpoint of
 * a long load; small and JSON-friendly so it can travel in activity heartbeat details.
 *
 * @param statementIndex 0-based index of the statement (empty statements are not counted)
 * @param byteOffset offset of its first byte in the dump
 * @param line 1-based line number of its first byte
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DumpPosition(long statementIndex, long byteOffset, long line) {
  /** The start of a dump. */
  public static final DumpPosition START = new DumpPosition(0, 0, 1);

  public DumpPosition {
    if (statementIndex < 0 || byteOffset < 0 || line < 1) {
      throw new IllegalArgumentException("invalid dump position");
    }
  }
}
