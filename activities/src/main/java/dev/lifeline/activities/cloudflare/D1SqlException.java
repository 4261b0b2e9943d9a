package dev.lifeline.activities.cloudflare;

import java.util.List;

/**
 * D1 rejected a statement (code 7500). {@link #sqliteMessage()} is SQLite's own text, for example
 * {@code no such column: asdf at offset 7}. Not retryable: the SQL or the schema must change.
 */
public class D1SqlException extends CloudflareValidationException {
  private static final long serialVersionUID = 1L;

  /** Cloudflare's code for a D1 SQL error. */
  public static final int CODE = 7500;

  private final String sqliteMessage;

  public D1SqlException(
      String sqliteMessage, int httpStatus, List<ApiError> errors, String method, String path) {
    super("D1 SQL error: " + sqliteMessage, httpStatus, errors, method, path, false);
    this.sqliteMessage = sqliteMessage;
  }

  /** SQLite's error message as D1 reported it. */
  public String sqliteMessage() {
    return sqliteMessage;
  }
}
