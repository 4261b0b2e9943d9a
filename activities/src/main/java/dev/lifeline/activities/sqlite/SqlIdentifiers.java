package dev.lifeline.activities.sqlite;

/**
 * Quotes SQL identifiers. Identifiers that come from people (rule inputs) must also be checked
 * against the schema ({@link SqliteSchema}) before they are quoted into SQL; values always go in
 * as bound parameters.
 */
public final class SqlIdentifiers {
  private SqlIdentifiers() {}

  /** {@code name} as a double-quoted SQLite identifier. */
  public static String quote(String name) {
    if (name == null || name.isEmpty() || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("not a valid identifier");
    }
    return '"' + name.replace("\"", "\"\"") + '"';
  }
}
