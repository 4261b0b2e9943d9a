package dev.lifeline.activities.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The schema of a SQLite database as the checks need it: user tables (not {@code sqlite_*},
 * {@code _cf_*} or virtual-table shadows), their columns, primary keys, foreign keys and indexes.
 * Read once; names found here are the only identifiers checks may put into SQL.
 */
public final class SqliteSchema {
  /** A column. */
  public record Column(String name, String declaredType, boolean notNull, int primaryKeyPosition) {}

  /** A declared foreign key from {@code columns} to {@code refTable.refColumns}. */
  public record ForeignKey(List<String> columns, String refTable, List<String> refColumns) {}

  /** A table. */
  public record Table(
      String name,
      String sql,
      boolean virtual,
      boolean withoutRowid,
      List<Column> columns,
      List<ForeignKey> foreignKeys,
      List<String> indexes) {

    /** The column named {@code name} (case-insensitive, as SQLite resolves names). */
    public Optional<Column> column(String name) {
      return columns.stream().filter(c -> c.name().equalsIgnoreCase(name)).findFirst();
    }

    /** Primary key columns in key order (empty for a plain rowid table). */
    public List<String> primaryKey() {
      return columns.stream()
          .filter(c -> c.primaryKeyPosition() > 0)
          .sorted(Comparator.comparingInt(Column::primaryKeyPosition))
          .map(Column::name)
          .toList();
    }

    /**
     * The SQL expression that identifies a row for samples: the single-column primary key, or the
     * rowid.
     */
    public String keyExpression() {
      List<String> pk = primaryKey();
      if (pk.size() == 1) {
        return SqlIdentifiers.quote(pk.get(0));
      }
      return withoutRowid
          ? "(" + String.join(" || '|' || ", pk.stream().map(SqlIdentifiers::quote).toList()) + ")"
          : "rowid";
    }

    /** What {@link #keyExpression()} names, for people. */
    public String keyName() {
      List<String> pk = primaryKey();
      return pk.size() == 1 ? pk.get(0) : withoutRowid ? String.join("|", pk) : "rowid";
    }

    /** The first timestamp-like column (created_at, updated_at, ...), if any. */
    public Optional<String> timestampColumn() {
      for (String candidate :
          List.of("created_at", "createdat", "inserted_at", "updated_at", "timestamp", "ts", "occurred_at")) {
        Optional<Column> c =
            columns.stream()
                .filter(col -> col.name().toLowerCase(Locale.ROOT).replace("_", "").equals(candidate.replace("_", "")))
                .findFirst();
        if (c.isPresent()) {
          return Optional.of(c.get().name());
        }
      }
      return Optional.empty();
    }
  }

  private final Map<String, Table> tables;

  private SqliteSchema(Map<String, Table> tables) {
    this.tables = tables;
  }

  /** Reads the schema of the database behind {@code c}. */
  public static SqliteSchema read(Connection c) throws SQLException {
    Map<String, Table> tables = new LinkedHashMap<>();
    List<String[]> rows = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                    + " AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY rowid")) {
      while (rs.next()) {
        rows.add(new String[] {rs.getString(1), rs.getString(2)});
      }
    }
    List<String> virtualNames = new ArrayList<>();
    for (String[] r : rows) {
      if (r[1] != null && r[1].trim().toUpperCase(Locale.ROOT).startsWith("CREATE VIRTUAL TABLE")) {
        virtualNames.add(r[0]);
      }
    }
    for (String[] r : rows) {
      String name = r[0];
      boolean shadow = virtualNames.stream().anyMatch(v -> !v.equals(name) && name.startsWith(v + "_"));
      if (shadow) {
        continue;
      }
      boolean virtual = virtualNames.contains(name);
      String sql = r[1] == null ? "" : r[1];
      boolean withoutRowid = sql.toUpperCase(Locale.ROOT).replaceAll("\\s+", " ").contains("WITHOUT ROWID");
      List<Column> columns = new ArrayList<>();
      List<ForeignKey> fks = new ArrayList<>();
      List<String> indexes = new ArrayList<>();
      if (!virtual) {
        try (PreparedStatement ps = c.prepareStatement("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)")) {
          ps.setString(1, name);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              columns.add(new Column(rs.getString(1), rs.getString(2), rs.getInt(3) != 0, rs.getInt(4)));
            }
          }
        }
        Map<Integer, List<String[]>> byId = new LinkedHashMap<>();
        Map<Integer, String> refTables = new LinkedHashMap<>();
        try (PreparedStatement ps =
            c.prepareStatement("SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?) ORDER BY id, seq")) {
          ps.setString(1, name);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              byId.computeIfAbsent(rs.getInt(1), k -> new ArrayList<>())
                  .add(new String[] {rs.getString(3), rs.getString(4)});
              refTables.put(rs.getInt(1), rs.getString(2));
            }
          }
        }
        for (Map.Entry<Integer, List<String[]>> e : byId.entrySet()) {
          fks.add(
              new ForeignKey(
                  e.getValue().stream().map(p -> p[0]).toList(),
                  refTables.get(e.getKey()),
                  e.getValue().stream().map(p -> p[1]).toList()));
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM pragma_index_list(?) ORDER BY name")) {
          ps.setString(1, name);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              indexes.add(rs.getString(1));
            }
          }
        }
      }
      tables.put(
          name.toLowerCase(Locale.ROOT),
          new Table(name, sql, virtual, withoutRowid, List.copyOf(columns), List.copyOf(fks), List.copyOf(indexes)));
    }
    return new SqliteSchema(tables);
  }

  /** All user tables in schema order. */
  public List<Table> tables() {
    return List.copyOf(tables.values());
  }

  /** The table named {@code name} (case-insensitive). */
  public Optional<Table> table(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(tables.get(name.toLowerCase(Locale.ROOT)));
  }
}
