package dev.lifeline.activities.backups;

import static dev.lifeline.activities.sqlite.SqlIdentifiers.quote;

import dev.lifeline.workflows.backup.BackupManifest.TableManifest;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the SQL file a D1 import runs to replace a database with a verified local copy, in one
 * import (D1 runs an import as one transaction, so the database is never half restored): drop
 * every current table, view and trigger, recreate the schema, insert every row with literals that
 * read back exactly (storage class included), restore {@code sqlite_sequence}, create indexes,
 * triggers and views, then recreate virtual tables skipped at export and rebuild external-content
 * full-text indexes. No BEGIN/COMMIT (D1 refuses them). Rows go in rowid order, so the same copy
 * always gives the same file and the same MD5: a retried import is recognised by D1 and resumed.
 */
final class ImportSqlWriter {
  private static final Pattern FTS_CONTENT =
      Pattern.compile("content\\s*=\\s*'([^']+)'", Pattern.CASE_INSENSITIVE);

  private ImportSqlWriter() {}

  /**
   * Whether a restore can bring back a virtual table's rows: only an external-content FTS5 index,
   * rebuilt from its content table. Any other virtual table (FTS5 keeping its own text, R-Tree...)
   * is recreated empty from its DDL.
   */
  static boolean rebuildsFromContent(String virtualTableSql) {
    Matcher m = FTS_CONTENT.matcher(virtualTableSql);
    return virtualTableSql.toLowerCase(Locale.ROOT).contains("fts5") && m.find() && !m.group(1).isEmpty();
  }

  /** An object of the database being replaced. */
  record Existing(String type, String name) {}

  /**
   * Writes the import for {@code staging} into {@code out}.
   *
   * @param existing the target's current tables, views and triggers (to drop)
   * @param virtualTables virtual tables to recreate from their DDL
   * @return the number of rows written
   */
  static long write(Path staging, List<Existing> existing, List<TableManifest> virtualTables, Path out) {
    long rows = 0;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + staging + "?mode=ro");
        BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      w.write("PRAGMA defer_foreign_keys=TRUE;\n");
      for (Existing e : existing) {
        if (e.type().equals("view")) {
          w.write("DROP VIEW IF EXISTS " + quote(e.name()) + ";\n");
        } else if (e.type().equals("trigger")) {
          w.write("DROP TRIGGER IF EXISTS " + quote(e.name()) + ";\n");
        }
      }
      for (Existing e : existing) {
        if (e.type().equals("table")) {
          w.write("DROP TABLE IF EXISTS " + quote(e.name()) + ";\n");
        }
      }
      List<String[]> tables = new ArrayList<>();
      List<String> later = new ArrayList<>();
      boolean sequence = false;
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid")) {
        while (rs.next()) {
          String type = rs.getString(1);
          String name = rs.getString(2);
          if (name.equals("sqlite_sequence")) {
            sequence = true;
            continue;
          }
          if (name.startsWith("sqlite_") || name.startsWith("_cf_")) {
            continue;
          }
          if (type.equals("table")) {
            tables.add(new String[] {name, rs.getString(3)});
          } else {
            later.add(rs.getString(3));
          }
        }
      }
      for (String[] t : tables) {
        w.write(t[1].strip() + ";\n");
        rows += rows(c, t[0], w);
      }
      if (sequence) {
        w.write("DELETE FROM sqlite_sequence;\n");
        try (Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT name, seq FROM sqlite_sequence ORDER BY name")) {
          while (rs.next()) {
            w.write("INSERT INTO \"sqlite_sequence\" (\"name\",\"seq\") VALUES(" + SqlLiterals.text(rs.getString(1))
                + "," + rs.getLong(2) + ");\n");
          }
        }
      }
      for (String sql : later) {
        w.write(sql.strip() + ";\n");
      }
      for (TableManifest v : virtualTables) {
        w.write(v.schemaSql().strip() + ";\n");
        if (rebuildsFromContent(v.schemaSql())) {
          // External-content FTS5 indexes rebuild from their content table.
          w.write("INSERT INTO " + quote(v.name()) + "(" + quote(v.name()) + ") VALUES('rebuild');\n");
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the verified copy " + staging + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  private static long rows(Connection c, String table, BufferedWriter w) throws SQLException, IOException {
    List<String> columns = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT name FROM pragma_table_info(" + SqlLiterals.text(table) + ")")) {
      while (rs.next()) {
        columns.add(rs.getString(1));
      }
    }
    boolean withoutRowid;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT sql FROM sqlite_schema WHERE name = " + SqlLiterals.text(table))) {
      withoutRowid = rs.next() && rs.getString(1).toUpperCase(Locale.ROOT).replaceAll("\\s+", " ").contains("WITHOUT ROWID");
    }
    StringBuilder select = new StringBuilder("SELECT ");
    StringBuilder head = new StringBuilder("INSERT INTO ").append(quote(table)).append(" (");
    for (int i = 0; i < columns.size(); i++) {
      String q = quote(columns.get(i));
      select.append(i == 0 ? "" : ", ").append("typeof(").append(q).append("), CASE WHEN typeof(").append(q)
          .append(") = 'text' THEN CAST(").append(q).append(" AS BLOB) ELSE ").append(q).append(" END");
      head.append(i == 0 ? "" : ",").append(q);
    }
    head.append(") VALUES(");
    // A WITHOUT ROWID table scans in primary key order; a rowid table in rowid order.
    select.append(" FROM ").append(quote(table)).append(withoutRowid ? "" : " ORDER BY rowid");
    long n = 0;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(select.toString())) {
      while (rs.next()) {
        StringBuilder line = new StringBuilder(head);
        for (int i = 0; i < columns.size(); i++) {
          if (i > 0) {
            line.append(',');
          }
          String type = rs.getString(1 + 2 * i);
          int col = 2 + 2 * i;
          line.append(switch (type) {
            case "integer" -> Long.toString(rs.getLong(col));
            case "real" -> SqlLiterals.real(rs.getDouble(col));
            case "text" -> SqlLiterals.textBytes(rs.getBytes(col));
            case "blob" -> SqlLiterals.blob(rs.getBytes(col));
            default -> "NULL";
          });
        }
        line.append(");\n");
        w.write(line.toString());
        n++;
      }
    }
    return n;
  }
}
