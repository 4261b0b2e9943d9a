package dev.lifeline.activities.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A census of a SQLite file: per table its schema SQL, row count and a typeof-aware checksum, the
 * other schema objects (indexes, triggers, views), and the results of {@code PRAGMA
 * integrity_check} (or {@code quick_check}) and {@code PRAGMA foreign_key_check}. Two files hold
 * the same data exactly when their censuses are equal; {@link #differencesFrom} says where they
 * differ. This is what backup verification compares: {@code sqldiff} alone misses an INTEGER that
 * became a REAL, this does not.
 *
 * <p>Checksum: SHA-256 over the table's rows in a stable order (rowid order, or primary key order
 * for WITHOUT ROWID tables), each stored column value encoded with its storage class: a tag byte
 * (0 NULL, 1 INTEGER, 2 REAL, 3 TEXT, 4 BLOB) and then 8 big-endian bytes of the integer, 8 bytes
 * of the IEEE double, or a 4-byte length and the exact bytes of the text (UTF-8 as stored) or
 * blob. So INTEGER 1, REAL 1.0, TEXT '1' and BLOB x'31' all differ. Implicit rowids are not hashed
 * (dumps do not preserve them; an INTEGER PRIMARY KEY is a column and is hashed).
 *
 * <p>Reads the file read-only, streaming every table (memory does not grow with table size), with
 * identifiers from the schema quoted and everything else bound as parameters.
 *
 * @param tables the tables, in name order
 * @param objects indexes, triggers and views that have SQL, in (type, name) order
 * @param integrityCheck which check ran: {@code integrity_check}, {@code quick_check} or {@code
 *     none}
 * @param integrityMessages the check's output ({@code ["ok"]} when the file is sound), at most 100
 * @param foreignKeyViolations rows violating foreign keys, per child table (only tables with
 *     violations; empty when none or not checked)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DatabaseCensus(
    List<TableCensus> tables,
    List<SchemaObject> objects,
    String integrityCheck,
    List<String> integrityMessages,
    Map<String, Long> foreignKeyViolations) {

  private static final int MAX_MESSAGES = 100;

  public DatabaseCensus {
    tables = List.copyOf(tables);
    objects = List.copyOf(objects);
    integrityMessages = List.copyOf(integrityMessages);
    foreignKeyViolations = Map.copyOf(foreignKeyViolations);
  }

  /**
   * One table.
   *
   * @param name table name
   * @param sql its CREATE statement from {@code sqlite_schema}
   * @param withoutRowid whether it is a WITHOUT ROWID table
   * @param virtual whether it is a virtual table (not counted or hashed: its rows live in its shadow
   *     tables, which are)
   * @param rowCount rows, or -1 for a virtual table
   * @param checksum {@code sha256:<hex>} as described on {@link DatabaseCensus}, or null for a
   *     virtual table or when checksums were not requested
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record TableCensus(
      String name, String sql, boolean withoutRowid, boolean virtual, long rowCount, String checksum) {}

  /** An index, trigger or view. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SchemaObject(String type, String name, String table, String sql) {}

  /** Which integrity pragma to run. */
  public enum IntegrityCheck {
    /** {@code PRAGMA integrity_check}: everything, including index contents (slow on big files). */
    FULL,
    /** {@code PRAGMA quick_check}: the same without checking indexes against tables. */
    QUICK,
    /** None. */
    NONE
  }

  /**
   * What to compute.
   *
   * @param integrity which integrity check to run
   * @param foreignKeys whether to run {@code foreign_key_check}
   * @param checksums whether to hash every table (reads all data)
   * @param excludePrefixes tables whose names start with one of these are left out (default:
   *     D1's internal {@code _cf_} tables and {@code sqlite_stat} statistics, which dumps do not
   *     carry as data)
   */
  public record Options(
      IntegrityCheck integrity, boolean foreignKeys, boolean checksums, List<String> excludePrefixes) {
    public Options {
      Objects.requireNonNull(integrity, "integrity");
      excludePrefixes = List.copyOf(excludePrefixes);
    }

    /** Full integrity check, foreign keys, checksums, excluding {@code _cf_} and {@code sqlite_stat}. */
    public static Options defaults() {
      return new Options(IntegrityCheck.FULL, true, true, List.of("_cf_", "sqlite_stat"));
    }

    public Options withIntegrity(IntegrityCheck check) {
      return new Options(check, foreignKeys, checksums, excludePrefixes);
    }
  }

  /** Whether the integrity check (if run) said "ok" and no foreign key is violated. */
  public boolean healthy() {
    boolean integrityOk = "none".equals(integrityCheck) || integrityMessages.equals(List.of("ok"));
    return integrityOk && foreignKeyViolations.isEmpty();
  }

  /** Row counts per table (virtual tables left out). */
  public Map<String, Long> rowCounts() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (TableCensus t : tables) {
      if (!t.virtual()) {
        out.put(t.name(), t.rowCount());
      }
    }
    return out;
  }

  /** The table named {@code name}, or null. */
  public TableCensus table(String name) {
    for (TableCensus t : tables) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /**
   * Human-readable differences from {@code other} (this = expected, other = actual), empty when the
   * censuses are equal. Never includes row data.
   */
  public List<String> differencesFrom(DatabaseCensus other) {
    List<String> out = new ArrayList<>();
    Map<String, TableCensus> mine = new TreeMap<>();
    tables.forEach(t -> mine.put(t.name(), t));
    Map<String, TableCensus> theirs = new TreeMap<>();
    other.tables.forEach(t -> theirs.put(t.name(), t));
    for (TableCensus t : mine.values()) {
      TableCensus o = theirs.get(t.name());
      if (o == null) {
        out.add("table " + t.name() + " is missing");
        continue;
      }
      if (!Objects.equals(t.sql(), o.sql())) {
        out.add("table " + t.name() + ": schema differs");
      }
      if (t.rowCount() != o.rowCount()) {
        out.add("table " + t.name() + ": " + o.rowCount() + " rows, expected " + t.rowCount());
      } else if (!Objects.equals(t.checksum(), o.checksum())) {
        out.add("table " + t.name() + ": same row count but different values or types (checksum "
            + o.checksum() + ", expected " + t.checksum() + ")");
      }
    }
    for (String name : theirs.keySet()) {
      if (!mine.containsKey(name)) {
        out.add("table " + name + " is unexpected");
      }
    }
    if (!objects.equals(other.objects)) {
      List<SchemaObject> missing = new ArrayList<>(objects);
      missing.removeAll(other.objects);
      List<SchemaObject> extra = new ArrayList<>(other.objects);
      extra.removeAll(objects);
      missing.forEach(s -> out.add(s.type() + " " + s.name() + " is missing or differs"));
      extra.forEach(s -> out.add(s.type() + " " + s.name() + " is unexpected or differs"));
    }
    if (!integrityMessages.equals(other.integrityMessages)) {
      out.add(other.integrityCheck + ": " + String.join("; ", other.integrityMessages));
    }
    if (!foreignKeyViolations.equals(other.foreignKeyViolations)) {
      out.add("foreign key violations " + new TreeMap<>(other.foreignKeyViolations) + ", expected "
          + new TreeMap<>(foreignKeyViolations));
    }
    return out;
  }

  /** Takes the census of {@code database} with {@link Options#defaults()}. */
  public static DatabaseCensus take(Path database) {
    return take(database, Options.defaults());
  }

  /**
   * Takes the census of {@code database}, read-only.
   *
   * @throws IllegalArgumentException if the file does not exist
   * @throws IllegalStateException if SQLite cannot read it (the message is SQLite's)
   */
  public static DatabaseCensus take(Path database, Options options) {
    if (!Files.isRegularFile(database)) {
      throw new IllegalArgumentException("no SQLite file at " + database);
    }
    org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
    config.setReadOnly(true);
    try (Connection c =
        DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath(), config.toProperties())) {
      return census(c, options);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot take the census of " + database + ": " + e.getMessage(), e);
    }
  }

  /** Takes the census over an open connection (for callers that already hold one). */
  public static DatabaseCensus census(Connection c, Options options) throws SQLException {
    List<TableCensus> tables = new ArrayList<>();
    List<SchemaObject> objects = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE sql IS NOT NULL"
                + " ORDER BY type, name")) {
      List<String[]> tableRows = new ArrayList<>();
      while (rs.next()) {
        String type = rs.getString(1);
        String name = rs.getString(2);
        if (type.equals("table")) {
          if (!excluded(name, options)) {
            tableRows.add(new String[] {name, rs.getString(4)});
          }
        } else if (!excluded(rs.getString(3), options)) {
          objects.add(new SchemaObject(type, name, rs.getString(3), rs.getString(4)));
        }
      }
      for (String[] t : tableRows) {
        tables.add(table(c, t[0], t[1], options.checksums()));
      }
    }
    tables.sort(java.util.Comparator.comparing(TableCensus::name));
    String check = switch (options.integrity()) {
      case FULL -> "integrity_check";
      case QUICK -> "quick_check";
      case NONE -> "none";
    };
    List<String> messages = new ArrayList<>();
    if (options.integrity() != IntegrityCheck.NONE) {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("PRAGMA " + check + "(" + MAX_MESSAGES + ")")) {
        while (rs.next()) {
          messages.add(rs.getString(1));
        }
      }
    }
    Map<String, Long> fk = new TreeMap<>();
    if (options.foreignKeys()) {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("PRAGMA foreign_key_check")) {
        while (rs.next()) {
          fk.merge(rs.getString(1), 1L, Long::sum);
        }
      }
    }
    return new DatabaseCensus(tables, objects, check, messages, fk);
  }

  private static boolean excluded(String name, Options options) {
    for (String prefix : options.excludePrefixes()) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static TableCensus table(Connection c, String name, String sql, boolean checksum)
      throws SQLException {
    boolean virtual = sql.regionMatches(true, 0, "CREATE VIRTUAL TABLE", 0, 20);
    if (virtual) {
      return new TableCensus(name, sql, false, true, -1, null);
    }
    boolean withoutRowid = false;
    try (PreparedStatement ps =
        c.prepareStatement("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        withoutRowid = rs.next() && rs.getInt(1) == 1;
      }
    }
    List<String> columns = new ArrayList<>();
    TreeMap<Integer, String> pk = new TreeMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT name, pk FROM pragma_table_info(?)")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(rs.getString(1));
          if (rs.getInt(2) > 0) {
            pk.put(rs.getInt(2), rs.getString(1));
          }
        }
      }
    }
    String table = SqliteLoader.quote(name);
    if (!checksum) {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
        rs.next();
        return new TableCensus(name, sql, withoutRowid, false, rs.getLong(1), null);
      }
    }
    StringBuilder select = new StringBuilder("SELECT ");
    for (int i = 0; i < columns.size(); i++) {
      String col = SqliteLoader.quote(columns.get(i));
      select.append(i == 0 ? "" : ", ")
          .append("CASE typeof(").append(col).append(") WHEN 'null' THEN 0 WHEN 'integer' THEN 1")
          .append(" WHEN 'real' THEN 2 WHEN 'text' THEN 3 ELSE 4 END, ").append(col);
    }
    select.append(" FROM ").append(table).append(" ORDER BY ").append(order(columns, pk, withoutRowid));
    MessageDigest sha = BackupWriter.sha256();
    ByteBuffer eight = ByteBuffer.allocate(8);
    long rows = 0;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(select.toString())) {
      int n = columns.size();
      while (rs.next()) {
        rows++;
        for (int i = 0; i < n; i++) {
          int type = rs.getInt(2 * i + 1);
          int col = 2 * i + 2;
          sha.update((byte) type);
          switch (type) {
            case 0 -> { }
            case 1 -> sha.update(eight.clear().putLong(rs.getLong(col)).array());
            case 2 -> sha.update(
                eight.clear().putLong(Double.doubleToRawLongBits(rs.getDouble(col))).array());
            default -> {
              // TEXT comes back as its stored bytes (no decoding), BLOB as is.
              byte[] b = rs.getBytes(col);
              if (b == null) {
                b = new byte[0];
              }
              sha.update(eight.clear().putInt(b.length).array(), 0, 4);
              sha.update(b);
            }
          }
        }
      }
    }
    return new TableCensus(name, sql, withoutRowid, false, rows,
        "sha256:" + HexFormat.of().formatHex(sha.digest()));
  }

  /** Rowid order through an alias no column shadows, PK order without rowid, else all columns. */
  private static String order(List<String> columns, TreeMap<Integer, String> pk, boolean withoutRowid) {
    if (withoutRowid) {
      StringBuilder sb = new StringBuilder();
      for (String k : pk.values()) {
        sb.append(sb.length() == 0 ? "" : ", ").append(SqliteLoader.quote(k));
      }
      return sb.toString();
    }
    for (String alias : new String[] {"_rowid_", "rowid", "oid"}) {
      boolean shadowed = false;
      for (String col : columns) {
        shadowed |= col.equalsIgnoreCase(alias);
      }
      if (!shadowed) {
        return alias;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String col : columns) {
      sb.append(sb.length() == 0 ? "" : ", ").append(SqliteLoader.quote(col));
    }
    return sb.toString();
  }
}
