package dev.lifeline.activities.backup;

import dev.lifeline.activities.sqlite.SqlIdentifiers;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A fingerprint of a table that SQLite computes by itself in one aggregate query, so it can be taken
 * of a D1 database through the query API without reading its rows out: the row count and, per
 * column, how many values are of each storage class, the total byte length of its text and blob
 * values, and sums of integer and real values modulo a prime. The same query on the SQLite file a
 * backup restores to must give the same fingerprint.
 *
 * <p>It catches what D1's export is known to lose or mangle, and what an incomplete export drops:
 * missing or extra rows, an integer that came back as a real (beyond 2^53), a changed integer, a
 * text whose length changed (a literal backslash-n turned into a newline). It is not a content hash:
 * text replaced by different text of the same byte length keeps the fingerprint. The census's
 * typeof-aware SHA-256 of the restored file, taken at first verification, covers content from then on.
 *
 * <p>Stored as {@code fp1:<hex SHA-256 of the aggregates>} in the table manifest's {@code checksum}.
 */
public final class SourceFingerprint {
  /** The scheme prefix of a fingerprint in a manifest. */
  public static final String SCHEME = "fp1:";

  private static final long PRIME = 1_000_003L;

  private SourceFingerprint() {}

  /** Whether {@code checksum} (from a manifest) is a fingerprint rather than a census checksum. */
  public static boolean isFingerprint(String checksum) {
    return checksum != null && checksum.startsWith(SCHEME);
  }

  /**
   * The aggregate query over {@code table}. Its first result column is the row count.
   *
   * @param columns the table's column names in {@code pragma_table_info} order
   */
  public static String sql(String table, List<String> columns) {
    StringBuilder sb = new StringBuilder("SELECT count(*)");
    for (String name : columns) {
      String c = SqlIdentifiers.quote(name);
      sb.append(", coalesce(sum(typeof(").append(c).append(") = 'integer'), 0)")
          .append(", coalesce(sum(typeof(").append(c).append(") = 'real'), 0)")
          .append(", coalesce(sum(typeof(").append(c).append(") = 'text'), 0)")
          .append(", coalesce(sum(typeof(").append(c).append(") = 'blob'), 0)")
          .append(", coalesce(sum(CASE WHEN typeof(").append(c).append(") IN ('text', 'blob') THEN length(CAST(")
          .append(c).append(" AS BLOB)) END), 0)")
          .append(", coalesce(sum(CASE WHEN typeof(").append(c).append(") = 'integer' THEN ").append(c)
          .append(" % ").append(PRIME).append(" END), 0)")
          // Reals to a thousandth: the product is exact IEEE arithmetic, the same on any SQLite.
          .append(", coalesce(sum(CASE WHEN typeof(").append(c).append(") = 'real' THEN CAST(").append(c)
          .append(" * 1000 AS INTEGER) % ").append(PRIME).append(" END), 0)");
    }
    return sb.append(" FROM ").append(SqlIdentifiers.quote(table)).toString();
  }

  /** The fingerprint of one result row of {@link #sql}, as D1 (JSON numbers) or JDBC returned it. */
  public static String of(List<?> row) {
    List<String> parts = new ArrayList<>(row.size());
    for (Object v : row) {
      parts.add(integer(v));
    }
    byte[] digest = BackupWriter.sha256().digest(String.join(",", parts).getBytes(StandardCharsets.UTF_8));
    return SCHEME + HexFormat.of().formatHex(digest);
  }

  /** The row count in a result row of {@link #sql}. */
  public static long rows(List<?> row) {
    return Long.parseLong(integer(row.get(0)));
  }

  /** Column names of {@code table} in a local SQLite file, in {@code pragma_table_info} order. */
  public static List<String> columns(Connection c, String table) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT name FROM pragma_table_info(?)")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /** The fingerprint of {@code table} in a local SQLite file, or null when it has no such table. */
  public static String take(Connection c, String table) throws SQLException {
    List<String> columns = columns(c, table);
    if (columns.isEmpty()) {
      return null;
    }
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql(table, columns))) {
      rs.next();
      List<Object> row = new ArrayList<>();
      for (int i = 1; i <= 1 + 7 * columns.size(); i++) {
        row.add(rs.getLong(i));
      }
      return of(row);
    }
  }

  private static String integer(Object v) {
    if (v == null) {
      return "0";
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (d != Math.rint(d)) {
        throw new IllegalArgumentException("a fingerprint aggregate is not an integer: " + v);
      }
      return Long.toString((long) d);
    }
    if (v instanceof Number n) {
      return Long.toString(n.longValue());
    }
    return Long.toString(Long.parseLong(v.toString().trim()));
  }
}
