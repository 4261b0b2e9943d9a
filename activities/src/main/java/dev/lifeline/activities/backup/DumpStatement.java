package dev.lifeline.activities.backup;

import java.util.List;
import java.util.Objects;

/**
 * One statement of a SQL dump, as {@link DumpParser} returns it: either an {@link Insert} whose
 * rows are parsed into typed {@link SqlValue}s, or any other statement passed through as SQL text
 * ({@link Sql}).
 */
public sealed interface DumpStatement permits DumpStatement.Insert, DumpStatement.Sql {

  /** Where the statement starts in the dump. */
  DumpPosition position();

  /** What kind of statement a {@link Sql} is, from its leading keywords. */
  enum Kind {
    PRAGMA,
    BEGIN,
    COMMIT,
    ROLLBACK,
    CREATE_TABLE,
    CREATE_VIRTUAL_TABLE,
    CREATE_INDEX,
    CREATE_UNIQUE_INDEX,
    CREATE_TRIGGER,
    CREATE_VIEW,
    DELETE,
    ANALYZE,
    /**
     * An INSERT this parser does not take apart (INSERT ... SELECT, DEFAULT VALUES, an upsert
     * clause, or a value expression other than literals, {@code ||}, {@code replace}, {@code char}
     * and {@code unistr}); executing its SQL gives SQLite's own result.
     */
    INSERT,
    OTHER
  }

  /**
   * A statement passed through as SQL.
   *
   * @param kind from the leading keywords
   * @param sql the statement text without its final semicolon
   * @param objectName for CREATE statements the name of the created object (unquoted), else null
   * @param position where it starts
   */
  record Sql(Kind kind, String sql, String objectName, DumpPosition position)
      implements DumpStatement {
    public Sql {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(sql, "sql");
    }
  }

  /**
   * {@code INSERT [OR action] INTO [schema.]table [(columns)] VALUES (...), ...} with literal
   * values. Names are unquoted.
   *
   * @param schema schema name, or null when unqualified
   * @param table table name
   * @param columns the column list, or empty when the dump did not write one (values are then in
   *     table column order)
   * @param conflictAction {@code REPLACE}, {@code IGNORE}, ... for {@code INSERT OR ...} and
   *     {@code REPLACE INTO}, or null
   * @param rows one list of values per row
   * @param position where it starts
   */
  record Insert(
      String schema,
      String table,
      List<String> columns,
      String conflictAction,
      List<List<SqlValue>> rows,
      DumpPosition position)
      implements DumpStatement {
    public Insert {
      Objects.requireNonNull(table, "table");
      columns = List.copyOf(columns);
      rows = List.copyOf(rows);
    }
  }
}
