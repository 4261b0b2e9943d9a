package dev.lifeline.activities.backups;

import dev.lifeline.activities.sqlite.SqlIdentifiers;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Writes a dump of a D1 database by reading it through the query API, for databases D1's exporter
 * refuses (any virtual table, such as FTS5, makes the whole export fail). Every value is fetched
 * with its storage class and an exact form ({@code CAST(x AS TEXT)} for integers, which JSON would
 * round beyond 2^53; the JSON number itself for reals, which D1 writes in the shortest form that
 * reads back as the same double, where SQLite's {@code printf} is not exact for every value; hex
 * for text and blobs), so this dump loses nothing: no integer rounding, no newline mangling. Costs one request per {@value #PAGE} rows.
 */
final class D1QueryDumper {
  static final int PAGE = 500;

  private final D1Source source;

  D1QueryDumper(D1Source source) {
    this.source = source;
  }

  /**
   * Dumps the non-virtual {@code tables} into {@code out} in D1's format.
   *
   * @param rowsDone called with the running row count, for heartbeats
   * @return rows per table
   */
  Map<String, Long> dump(List<D1Source.SourceTable> tables, OutputStream out, LongConsumer rowsDone) {
    Map<String, Long> counts = new LinkedHashMap<>();
    long total = 0;
    try {
      write(out, "PRAGMA defer_foreign_keys=TRUE;\n");
      for (D1Source.SourceTable t : tables) {
        if (t.virtual()) {
          continue;
        }
        write(out, t.sql().strip() + ";\n");
        List<String> columns = new ArrayList<>();
        for (List<Object> c : source.rows("SELECT name FROM pragma_table_info(?)", List.of(t.name()))) {
          columns.add(String.valueOf(c.get(0)));
        }
        boolean rowid = !t.sql().toUpperCase(java.util.Locale.ROOT).replaceAll("\\s+", " ").contains("WITHOUT ROWID");
        StringBuilder select = new StringBuilder("SELECT ");
        select.append(rowid ? "rowid" : "0");
        for (String c : columns) {
          String q = SqlIdentifiers.quote(c);
          select.append(", typeof(").append(q).append("), CASE typeof(").append(q)
              .append(") WHEN 'integer' THEN CAST(").append(q).append(" AS TEXT) WHEN 'real' THEN ")
              .append(q).append(" WHEN 'null' THEN NULL ELSE hex(").append(q).append(") END");
        }
        select.append(" FROM ").append(SqlIdentifiers.quote(t.name()));
        String insertHead = insertHead(t.name(), columns);
        long count = 0;
        long offset = 0;
        String after = null;
        while (true) {
          List<List<Object>> page;
          if (rowid) {
            page = after == null
                ? source.rows(select + " ORDER BY rowid LIMIT " + PAGE, List.of())
                : source.rows(select + " WHERE rowid > CAST(? AS INTEGER) ORDER BY rowid LIMIT " + PAGE, List.of(after));
          } else {
            // WITHOUT ROWID tables have no cheap cursor through the API; page by offset in key order.
            page = source.rows(select + " ORDER BY 1 LIMIT " + PAGE + " OFFSET " + offset, List.of());
          }
          for (List<Object> row : page) {
            StringBuilder line = new StringBuilder(insertHead);
            for (int i = 0; i < columns.size(); i++) {
              if (i > 0) {
                line.append(',');
              }
              line.append(SqlLiterals.fromExactText(row.get(1 + 2 * i), row.get(2 + 2 * i)));
            }
            line.append(");\n");
            write(out, line.toString());
            count++;
            total++;
          }
          rowsDone.accept(total);
          if (page.size() < PAGE) {
            break;
          }
          after = String.valueOf(page.get(page.size() - 1).get(0));
          offset += PAGE;
        }
        counts.put(t.name(), count);
      }
      List<List<Object>> seq = source.rows(
          "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_sequence'", List.of());
      if (!seq.isEmpty() && Long.parseLong(String.valueOf(seq.get(0).get(0))) > 0) {
        write(out, "DELETE FROM sqlite_sequence;\n");
        for (List<Object> r : source.rows("SELECT name, CAST(seq AS TEXT) FROM sqlite_sequence", List.of())) {
          write(out, "INSERT INTO \"sqlite_sequence\" (\"name\",\"seq\") VALUES(" + SqlLiterals.text(String.valueOf(r.get(0)))
              + "," + r.get(1) + ");\n");
        }
      }
      for (List<Object> r : source.rows(
          "SELECT sql FROM sqlite_schema WHERE type IN ('index', 'trigger', 'view') AND sql IS NOT NULL"
              + " AND substr(name, 1, 7) <> 'sqlite_' ORDER BY rowid", List.of())) {
        write(out, String.valueOf(r.get(0)).strip() + ";\n");
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return counts;
  }

  private static String insertHead(String table, List<String> columns) {
    StringBuilder b = new StringBuilder("INSERT INTO ").append(SqlIdentifiers.quote(table)).append(" (");
    for (int i = 0; i < columns.size(); i++) {
      b.append(i == 0 ? "" : ",").append(SqlIdentifiers.quote(columns.get(i)));
    }
    return b.append(") VALUES(").toString();
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
  }
}
