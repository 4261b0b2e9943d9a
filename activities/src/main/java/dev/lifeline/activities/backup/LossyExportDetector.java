package dev.lifeline.activities.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.lifeline.activities.backup.LossyPatch.RowKey;
import dev.lifeline.activities.backup.LossyPatch.TypedValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Finds the values a D1 export loses, in the source database, and captures them exactly, so a
 * backup made from the export can be restored without those losses ({@link LossyPatchSet#applyTo}).
 *
 * <p>What D1's exporter loses (reproduced with Cloudflare's own exporter, see the fixtures):
 *
 * <ul>
 *   <li>INTEGERs beyond ±2<sup>53</sup>: they pass through JavaScript doubles, so
 *       9223372036854775807 is written as 9223372036854776000 (re-imported as REAL) and
 *       9007199254740993 as 9007199254740992 (a different INTEGER);
 *   <li>TEXT holding both a real newline (or carriage return) and a literal backslash-n (or
 *       backslash-r): the exporter writes newlines as the two characters {@code \n} inside {@code
 *       replace(...,'\n',char(10))}, which turns the literal ones into newlines too;
 *   <li>REALs with an integral value ({@code 1.0}) in columns without type affinity: JavaScript
 *       prints them as {@code 1}, which re-imports as INTEGER.
 * </ul>
 *
 * <p>The detector builds read-only SQL for the source's query API (D1's {@code /raw}: values come
 * back as JSON, so every captured value is fetched as text: {@code CAST(c AS TEXT)} for integers,
 * {@code printf('%!.17g', c)} for reals, {@code hex(c)} for text and blobs, each with its {@code
 * typeof}). Queries are bounded: each reads one window of at most {@code window} rows in rowid order
 * (keyset paging on the rowid; OFFSET paging on the primary key for WITHOUT ROWID tables), so no
 * call approaches D1's 30 s limit whatever the table size. Identifiers are quoted and validated;
 * the cursor is a bound parameter. Rows are identified by their primary key, or for tables
 * without one by their position in rowid order (the export keeps row order, not implicit rowids).
 *
 * <p>Memory: {@link #detect(SourceQuery, List, Consumer)} streams patches to a consumer; only
 * {@link #detect(SourceQuery, List)} collects them (one per affected row).
 */
public final class LossyExportDetector {
  /** Rows per query window; small enough for D1's time and response limits. */
  public static final int DEFAULT_WINDOW = 2000;
  /** Columns per query (each costs two result columns); keeps statements far below D1's 100 KB. */
  static final int COLUMNS_PER_QUERY = 40;

  private static final Pattern WITHOUT_ROWID =
      Pattern.compile("\\)\\s*(?:STRICT\\s*,\\s*)?WITHOUT\\s+ROWID\\s*(?:,\\s*STRICT\\s*)?;?\\s*$",
          Pattern.CASE_INSENSITIVE);

  /**
   * Runs one read-only statement on the source database and returns its rows, values as the JSON
   * API returns them (String, Number or null). Params are strings (as D1's REST API types them).
   * For D1: {@code d1.raw(databaseId, new D1Statement(sql, params), ...)}.
   */
  @FunctionalInterface
  public interface SourceQuery {
    List<List<Object>> rows(String sql, List<String> params);
  }

  /** A source table as the detector needs it. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record TableSchema(String name, List<Column> columns, boolean withoutRowid) {
    public TableSchema {
      Objects.requireNonNull(name, "name");
      columns = List.copyOf(columns);
    }

    /** Primary key columns in key order (empty when the table has none). */
    public List<Column> primaryKey() {
      List<Column> pk = new ArrayList<>();
      columns.stream().filter(c -> c.primaryKeyPosition() > 0)
          .sorted(java.util.Comparator.comparingInt(Column::primaryKeyPosition))
          .forEach(pk::add);
      return pk;
    }
  }

  /**
   * A column.
   *
   * @param name name
   * @param declaredType declared type ("" when none)
   * @param primaryKeyPosition 1-based position in the primary key, 0 if not part of it
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Column(String name, String declaredType, int primaryKeyPosition) {
    public Column {
      Objects.requireNonNull(name, "name");
      declaredType = declaredType == null ? "" : declaredType;
    }

    /** SQLite's affinity rules (section 3.1 of its datatype documentation). */
    public String affinity() {
      String t = declaredType.toUpperCase(Locale.ROOT);
      if (t.contains("INT")) {
        return "INTEGER";
      }
      if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT")) {
        return "TEXT";
      }
      if (t.contains("BLOB") || t.isEmpty()) {
        return "BLOB";
      }
      if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) {
        return "REAL";
      }
      return "NUMERIC";
    }
  }

  private final int window;

  public LossyExportDetector() {
    this(DEFAULT_WINDOW);
  }

  public LossyExportDetector(int window) {
    if (window < 1 || window > 100_000) {
      throw new IllegalArgumentException("window must be 1..100000");
    }
    this.window = window;
  }

  /** Lists the source's tables (not {@code sqlite_*}, {@code _cf_*} or virtual). */
  public static final String LIST_TABLES_SQL =
      "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_'"
          + " AND substr(name, 1, 4) <> '_cf_' ORDER BY name";

  /** A table's columns; the table name is the one bound parameter. */
  public static final String TABLE_INFO_SQL = "SELECT name, type, pk FROM pragma_table_info(?)";

  /** Reads the source's schema through {@code source}. */
  public List<TableSchema> describe(SourceQuery source) {
    List<TableSchema> out = new ArrayList<>();
    for (List<Object> t : source.rows(LIST_TABLES_SQL, List.of())) {
      String name = String.valueOf(t.get(0));
      String sql = t.get(1) == null ? "" : String.valueOf(t.get(1));
      if (sql.regionMatches(true, 0, "CREATE VIRTUAL TABLE", 0, 20)) {
        continue; // D1 cannot export virtual tables at all; they are rebuilt, not patched
      }
      List<Column> columns = new ArrayList<>();
      for (List<Object> c : source.rows(TABLE_INFO_SQL, List.of(name))) {
        columns.add(new Column(String.valueOf(c.get(0)), c.get(1) == null ? "" : String.valueOf(c.get(1)),
            Integer.parseInt(String.valueOf(c.get(2)))));
      }
      out.add(new TableSchema(name, columns, WITHOUT_ROWID.matcher(sql.strip()).find()));
    }
    return out;
  }

  /** Collects every patch; see {@link #detect(SourceQuery, List, Consumer)}. */
  public LossyPatchSet detect(SourceQuery source, List<TableSchema> tables) {
    List<LossyPatch> patches = new ArrayList<>();
    List<String> unchecked = detect(source, tables, patches::add);
    return new LossyPatchSet(patches, unchecked);
  }

  /**
   * Scans every table and passes one {@link LossyPatch} per affected row to {@code sink}.
   *
   * @return tables that could not be checked, with the reason (for the manifest's verdict)
   */
  public List<String> detect(SourceQuery source, List<TableSchema> tables, Consumer<LossyPatch> sink) {
    List<String> unchecked = new ArrayList<>();
    for (TableSchema t : tables) {
      String why = uncheckable(t);
      if (why != null) {
        unchecked.add(t.name() + ": " + why);
        continue;
      }
      List<Column> candidates = candidateColumns(t);
      for (int from = 0; from < candidates.size(); from += COLUMNS_PER_QUERY) {
        List<Column> group = candidates.subList(from, Math.min(candidates.size(), from + COLUMNS_PER_QUERY));
        if (t.withoutRowid()) {
          scanWithoutRowid(source, t, group, sink);
        } else {
          scanRowid(source, t, group, sink);
        }
      }
    }
    return unchecked;
  }

  private static String uncheckable(TableSchema t) {
    if (t.withoutRowid() && t.primaryKey().isEmpty()) {
      return "WITHOUT ROWID table without a primary key";
    }
    if (!t.withoutRowid() && rowidAlias(t) == null) {
      return "columns named rowid, _rowid_ and oid hide the rowid";
    }
    return null;
  }

  /** Every column can hold an affected value (SQLite is dynamically typed) except as noted. */
  private static List<Column> candidateColumns(TableSchema t) {
    return t.columns();
  }

  private static String rowidAlias(TableSchema t) {
    for (String alias : new String[] {"_rowid_", "rowid", "oid"}) {
      if (t.columns().stream().noneMatch(c -> c.name().equalsIgnoreCase(alias))) {
        return alias;
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ SQL

  /** The predicate that a value of {@code c} is one the export loses. */
  static String lossyPredicate(Column c) {
    String q = SqliteLoader.quote(c.name());
    StringBuilder sb = new StringBuilder("((typeof(").append(q).append(") = 'integer' AND (")
        .append(q).append(" > 9007199254740992 OR ").append(q).append(" < -9007199254740992))")
        .append(" OR (typeof(").append(q).append(") = 'text' AND ((instr(").append(q)
        .append(", char(10)) > 0 AND instr(").append(q).append(", '\\n') > 0) OR (instr(").append(q)
        .append(", char(13)) > 0 AND instr(").append(q).append(", '\\r') > 0)))");
    if (c.affinity().equals("BLOB")) {
      // Only a column without affinity keeps an integral REAL that re-imports as INTEGER.
      sb.append(" OR (typeof(").append(q).append(") = 'real' AND abs(").append(q)
          .append(") < 1e21 AND ").append(q).append(" = round(").append(q).append("))");
    }
    return sb.append(')').toString();
  }

  /** Exact, JSON-safe text of a value, to go with its typeof. */
  static String exactText(String quoted) {
    return "CASE typeof(" + quoted + ") WHEN 'integer' THEN CAST(" + quoted + " AS TEXT)"
        + " WHEN 'real' THEN printf('%!.17g', " + quoted + ") WHEN 'null' THEN NULL"
        + " ELSE hex(" + quoted + ") END";
  }

  /**
   * The detection query for a rowid table: one window of at most {@code window} rows after the
   * cursor (parameter 1, a rowid as text). Result columns: the window row's rowid (text), its
   * 1-based position in the window, the window's size, then typeof and exact text of each key
   * column, then per candidate column its typeof and exact text (NULL when not affected). Returns
   * the affected rows of the window plus its last row (so the caller can advance the cursor).
   */
  public String rowidWindowSql(TableSchema t, List<Column> columns) {
    String rowid = rowidAlias(t);
    String r = uniqueAlias(t, "lifeline_r");
    List<Column> pk = t.primaryKey();
    StringBuilder inner = new StringBuilder("SELECT ").append(rowid).append(" AS ").append(r);
    for (Column c : t.columns()) {
      inner.append(", ").append(SqliteLoader.quote(c.name()));
    }
    inner.append(" FROM ").append(SqliteLoader.quote(t.name())).append(" WHERE ").append(rowid)
        .append(" > CAST(? AS INTEGER) ORDER BY ").append(rowid).append(" LIMIT ").append(window);
    StringBuilder sql = new StringBuilder("WITH w AS (").append(inner).append(") SELECT CAST(")
        .append(r).append(" AS TEXT), (SELECT count(*) FROM w AS x WHERE x.").append(r)
        .append(" <= w.").append(r).append("), (SELECT count(*) FROM w)");
    appendKeyAndValues(sql, pk, columns);
    sql.append(" FROM w WHERE ").append(anyPredicate(columns)).append(" OR ").append(r)
        .append(" = (SELECT max(").append(r).append(") FROM w) ORDER BY ").append(r);
    return sql.toString();
  }

  /**
   * The detection query for a WITHOUT ROWID table: one window in primary key order at the offset
   * in parameter 1. Result columns: a constant, the window's size, then as {@link #rowidWindowSql}.
   */
  public String withoutRowidWindowSql(TableSchema t, List<Column> columns) {
    StringBuilder order = new StringBuilder();
    for (Column k : t.primaryKey()) {
      order.append(order.length() == 0 ? "" : ", ").append(SqliteLoader.quote(k.name()));
    }
    StringBuilder inner = new StringBuilder("SELECT ");
    for (int i = 0; i < t.columns().size(); i++) {
      inner.append(i == 0 ? "" : ", ").append(SqliteLoader.quote(t.columns().get(i).name()));
    }
    inner.append(" FROM ").append(SqliteLoader.quote(t.name())).append(" ORDER BY ").append(order)
        .append(" LIMIT ").append(window).append(" OFFSET CAST(? AS INTEGER)");
    StringBuilder sql = new StringBuilder("WITH w AS (").append(inner)
        .append(") SELECT '', 0, (SELECT count(*) FROM w)");
    appendKeyAndValues(sql, t.primaryKey(), columns);
    sql.append(" FROM w WHERE ").append(anyPredicate(columns));
    return sql.toString();
  }

  private static void appendKeyAndValues(StringBuilder sql, List<Column> pk, List<Column> columns) {
    for (Column k : pk) {
      String q = SqliteLoader.quote(k.name());
      sql.append(", typeof(").append(q).append("), ").append(exactText(q));
    }
    for (Column c : columns) {
      String q = SqliteLoader.quote(c.name());
      String p = lossyPredicate(c);
      sql.append(", CASE WHEN ").append(p).append(" THEN typeof(").append(q).append(") END")
          .append(", CASE WHEN ").append(p).append(" THEN ").append(exactText(q)).append(" END");
    }
  }

  private static String anyPredicate(List<Column> columns) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < columns.size(); i++) {
      sb.append(i == 0 ? "" : " OR ").append(lossyPredicate(columns.get(i)));
    }
    return sb.append(columns.isEmpty() ? "0)" : ")").toString();
  }

  private static String uniqueAlias(TableSchema t, String base) {
    String alias = base;
    while (true) {
      String a = alias;
      if (t.columns().stream().noneMatch(c -> c.name().equalsIgnoreCase(a))) {
        return alias;
      }
      alias = alias + "_";
    }
  }

  // ------------------------------------------------------------------ scanning

  private void scanRowid(SourceQuery source, TableSchema t, List<Column> columns, Consumer<LossyPatch> sink) {
    String sql = rowidWindowSql(t, columns);
    List<Column> pk = t.primaryKey();
    String cursor = Long.toString(Long.MIN_VALUE);
    long rowsBefore = 0;
    while (true) {
      List<List<Object>> rows = source.rows(sql, List.of(cursor));
      if (rows.isEmpty()) {
        return;
      }
      long windowRows = 0;
      for (List<Object> row : rows) {
        windowRows = asLong(row.get(2));
        LossyPatch p = patch(t, pk, columns, row, rowsBefore + asLong(row.get(1)));
        if (p != null) {
          sink.accept(p);
        }
      }
      cursor = String.valueOf(rows.get(rows.size() - 1).get(0));
      rowsBefore += windowRows;
      if (windowRows < window) {
        return;
      }
    }
  }

  private void scanWithoutRowid(
      SourceQuery source, TableSchema t, List<Column> columns, Consumer<LossyPatch> sink) {
    String sql = withoutRowidWindowSql(t, columns);
    long offset = 0;
    while (true) {
      List<List<Object>> rows = source.rows(sql, List.of(Long.toString(offset)));
      long windowRows = rows.isEmpty() ? -1 : asLong(rows.get(0).get(2));
      for (List<Object> row : rows) {
        LossyPatch p = patch(t, t.primaryKey(), columns, row, 0);
        if (p != null) {
          sink.accept(p);
        }
      }
      if (rows.isEmpty()) {
        // No affected row in this window: its size is unknown, so probe whether rows remain.
        List<List<Object>> more = source.rows(
            "SELECT count(*) FROM (SELECT 1 FROM " + SqliteLoader.quote(t.name()) + " LIMIT 1 OFFSET CAST(? AS INTEGER))",
            List.of(Long.toString(offset + window)));
        if (more.isEmpty() || asLong(more.get(0).get(0)) == 0) {
          return;
        }
        offset += window;
        continue;
      }
      if (windowRows < window) {
        return;
      }
      offset += window;
    }
  }

  /** A patch for one result row, or null when the row is only the window's last row. */
  private static LossyPatch patch(
      TableSchema t, List<Column> pk, List<Column> columns, List<Object> row, long ordinal) {
    int at = 3 + 2 * pk.size();
    Map<String, TypedValue> values = new LinkedHashMap<>();
    List<String> reasons = new ArrayList<>();
    for (Column c : columns) {
      Object type = row.get(at);
      Object text = row.get(at + 1);
      at += 2;
      if (type == null) {
        continue;
      }
      TypedValue v = new TypedValue(String.valueOf(type), text == null ? null : String.valueOf(text));
      values.put(c.name(), v);
      reasons.add(c.name() + ": " + reason(v));
    }
    if (values.isEmpty()) {
      return null;
    }
    RowKey key;
    if (pk.isEmpty()) {
      key = RowKey.ordinal(ordinal);
    } else {
      List<String> names = new ArrayList<>();
      List<TypedValue> keyValues = new ArrayList<>();
      for (int i = 0; i < pk.size(); i++) {
        names.add(pk.get(i).name());
        Object type = row.get(3 + 2 * i);
        Object text = row.get(4 + 2 * i);
        keyValues.add(new TypedValue(String.valueOf(type), text == null ? null : String.valueOf(text)));
      }
      key = RowKey.primaryKey(names, keyValues);
    }
    return new LossyPatch(t.name(), key, values, reasons);
  }

  private static String reason(TypedValue v) {
    return switch (v.type()) {
      case "integer" -> "INTEGER beyond 2^53 (the export rounds it through a double)";
      case "text" -> "TEXT with a newline and a literal backslash-n or backslash-r (the export's"
          + " newline escaping turns the literal ones into newlines)";
      case "real" -> "integral REAL in a column without affinity (the export writes it as an INTEGER)";
      default -> v.type();
    };
  }

  private static long asLong(Object o) {
    if (o instanceof Number n) {
      return n.longValue();
    }
    return Long.parseLong(String.valueOf(o));
  }
}
