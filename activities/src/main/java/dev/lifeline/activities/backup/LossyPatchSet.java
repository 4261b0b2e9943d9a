package dev.lifeline.activities.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeline.activities.backup.LossyPatch.RowKey;
import dev.lifeline.activities.backup.LossyPatch.TypedValue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The exact values a D1 export lost, per row ({@link LossyPatch}), and the tables that could not be
 * checked; produced by {@link LossyExportDetector}, stored next to a backup as NDJSON ({@link
 * #writeNdjson}), and applied to a SQLite file loaded from the export ({@link #applyTo}) to make it
 * equal to the source.
 *
 * <p>NDJSON layout: a header line {@code {"format":"lifeline-lossy-patches/v1","uncheckedTables":
 * [...]}} followed by one {@link LossyPatch} per line. Text and blob values are hex, so the file is
 * ASCII and exact.
 *
 * @param patches one per affected row
 * @param uncheckedTables tables that could not be checked, each with the reason
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LossyPatchSet(List<LossyPatch> patches, List<String> uncheckedTables) {
  /** The header's format name. */
  public static final String FORMAT = "lifeline-lossy-patches/v1";

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public LossyPatchSet {
    patches = List.copyOf(patches);
    uncheckedTables = List.copyOf(uncheckedTables);
  }

  /** Whether the export lost nothing that was checked (and everything was checked). */
  public boolean lossless() {
    return patches.isEmpty() && uncheckedTables.isEmpty();
  }

  /** Affected rows per table, for manifests and reports. */
  public Map<String, Long> rowsPerTable() {
    Map<String, Long> out = new TreeMap<>();
    patches.forEach(p -> out.merge(p.table(), 1L, Long::sum));
    return out;
  }

  /** Writes the header and one line per patch. Does not close {@code out}. */
  public void writeNdjson(OutputStream out) {
    try {
      Map<String, Object> header = new LinkedHashMap<>();
      header.put("format", FORMAT);
      header.put("uncheckedTables", uncheckedTables);
      out.write(JSON.writeValueAsBytes(header));
      out.write('\n');
      for (LossyPatch p : patches) {
        out.write(JSON.writeValueAsBytes(p));
        out.write('\n');
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing the lossy patch set failed", e);
    }
  }

  /** Reads what {@link #writeNdjson} wrote. */
  public static LossyPatchSet readNdjson(InputStream in) {
    List<LossyPatch> patches = new ArrayList<>();
    List<String> unchecked = new ArrayList<>();
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      boolean first = true;
      while ((line = r.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        if (first) {
          first = false;
          Map<?, ?> header = JSON.readValue(line, Map.class);
          if (!FORMAT.equals(header.get("format"))) {
            throw new IllegalArgumentException("not a " + FORMAT + " file");
          }
          Object u = header.get("uncheckedTables");
          if (u instanceof List<?> list) {
            list.forEach(x -> unchecked.add(String.valueOf(x)));
          }
          continue;
        }
        patches.add(JSON.readValue(line, LossyPatch.class));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the lossy patch set failed", e);
    }
    return new LossyPatchSet(patches, unchecked);
  }

  /**
   * What applying did.
   *
   * @param patchedRows rows updated
   * @param unmatched patches whose row was not found (table and key kind only, no values): the
   *     loaded file does not come from the export the patches were taken with
   */
  public record ApplyResult(long patchedRows, List<String> unmatched) {
    public ApplyResult {
      unmatched = List.copyOf(unmatched);
    }
  }

  /**
   * Writes the exact values into {@code database} (loaded from the export), in one transaction.
   * Rows are found by primary key as the export rendered it (so a key that was itself altered by
   * the export is found), or by position in rowid order. Patches that change key columns are
   * applied last, so other patches of the same row still find it.
   */
  public ApplyResult applyTo(Path database) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath())) {
      c.setAutoCommit(false);
      long patched = 0;
      List<String> unmatched = new ArrayList<>();
      List<LossyPatch> first = new ArrayList<>();
      List<LossyPatch> last = new ArrayList<>();
      for (LossyPatch p : patches) {
        boolean changesKey = p.key().columns() != null
            && p.key().columns().stream().anyMatch(p.values()::containsKey);
        (changesKey ? last : first).add(p);
      }
      Map<String, Map<Long, Long>> ordinals = rowidsForOrdinals(c);
      for (List<LossyPatch> phase : List.of(first, last)) {
        for (LossyPatch p : phase) {
          if (apply(c, p, ordinals)) {
            patched++;
          } else {
            unmatched.add(p.table() + " (" + p.key().kind() + ")");
          }
        }
      }
      c.commit();
      return new ApplyResult(patched, unmatched);
    } catch (SQLException e) {
      throw new IllegalStateException("applying lossy-export patches to " + database + " failed: "
          + e.getMessage(), e);
    }
  }

  /** For ordinal keys: the rowid of each needed position, from one ordered scan per table. */
  private Map<String, Map<Long, Long>> rowidsForOrdinals(Connection c) throws SQLException {
    Map<String, TreeMap<Long, Long>> wanted = new HashMap<>();
    for (LossyPatch p : patches) {
      if (RowKey.ORDINAL.equals(p.key().kind())) {
        wanted.computeIfAbsent(p.table(), t -> new TreeMap<>()).put(p.key().ordinal(), null);
      }
    }
    Map<String, Map<Long, Long>> out = new HashMap<>();
    for (Map.Entry<String, TreeMap<Long, Long>> e : wanted.entrySet()) {
      TreeMap<Long, Long> positions = e.getValue();
      long maxWanted = positions.lastKey();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT _rowid_ FROM " + SqliteLoader.quote(e.getKey())
              + " ORDER BY _rowid_")) {
        long n = 0;
        while (rs.next() && n < maxWanted) {
          n++;
          if (positions.containsKey(n)) {
            positions.put(n, rs.getLong(1));
          }
        }
      }
      out.put(e.getKey(), positions);
    }
    return out;
  }

  private static boolean apply(Connection c, LossyPatch p, Map<String, Map<Long, Long>> ordinals)
      throws SQLException {
    StringBuilder sql = new StringBuilder("UPDATE ").append(SqliteLoader.quote(p.table())).append(" SET ");
    List<SqlValue> binds = new ArrayList<>();
    boolean firstCol = true;
    for (Map.Entry<String, TypedValue> e : p.values().entrySet()) {
      SqlValue v = e.getValue().toSqlValue();
      sql.append(firstCol ? "" : ", ").append(SqliteLoader.quote(e.getKey())).append(" = ")
          .append(v instanceof SqlValue.Text ? "CAST(? AS TEXT)" : "?");
      binds.add(v);
      firstCol = false;
    }
    sql.append(" WHERE ");
    if (RowKey.ORDINAL.equals(p.key().kind())) {
      Long rowid = ordinals.getOrDefault(p.table(), Map.of()).get(p.key().ordinal());
      if (rowid == null) {
        return false;
      }
      sql.append("_rowid_ = ?");
      binds.add(SqlValue.Int.of(rowid));
    } else {
      for (int i = 0; i < p.key().columns().size(); i++) {
        SqlValue k = asExported(p.key().values().get(i).toSqlValue());
        sql.append(i == 0 ? "" : " AND ").append(SqliteLoader.quote(p.key().columns().get(i)));
        if (k instanceof SqlValue.Null) {
          sql.append(" IS NULL");
          continue;
        }
        // `=` compares numbers numerically, so an INTEGER key matches the REAL an export made of it.
        sql.append(k instanceof SqlValue.Text ? " = CAST(? AS TEXT)" : " = ?");
        binds.add(k);
      }
    }
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < binds.size(); i++) {
        bind(ps, i + 1, binds.get(i));
      }
      return ps.executeUpdate() == 1;
    }
  }

  private static void bind(PreparedStatement ps, int i, SqlValue v) throws SQLException {
    if (v instanceof SqlValue.Null) {
      ps.setNull(i, Types.NULL);
    } else if (v instanceof SqlValue.Int n) {
      ps.setLong(i, n.value());
    } else if (v instanceof SqlValue.Real r) {
      ps.setDouble(i, r.value());
    } else if (v instanceof SqlValue.Text t) {
      // Bound as bytes and cast: exact even for text that is not valid UTF-8.
      ps.setBytes(i, t.utf8() != null ? t.utf8() : t.value().getBytes(StandardCharsets.UTF_8));
    } else {
      ps.setBytes(i, ((SqlValue.Blob) v).bytes());
    }
  }

  /**
   * What a database loaded from a D1 export holds for a source key value: integers beyond 2^53
   * as JavaScript printed them (an INTEGER if the digits fit 64 bits, else a REAL); text with
   * newlines after the exporter's escaping and SQLite's re-import of it.
   */
  static SqlValue asExported(SqlValue source) {
    if (source instanceof SqlValue.Int i && i.exceedsSafeInteger()) {
      String printed = JsNumberText.ofLong(i.value());
      try {
        return SqlValue.Int.of(Long.parseLong(printed));
      } catch (NumberFormatException e) {
        return new SqlValue.Real(Double.parseDouble(printed));
      }
    }
    if (source instanceof SqlValue.Text t && !t.malformedUtf8()) {
      String v = t.value();
      boolean lf = v.indexOf('\n') >= 0;
      boolean cr = v.indexOf('\r') >= 0;
      if (!lf && !cr) {
        return source;
      }
      // The exporter's escaping (see the class documentation of LossyExportDetector), then what
      // SQLite's replace() calls make of it on import: CR first, LF outermost.
      String e = v.replace("\n", "\\n").replace("\r", "\\r");
      if (cr) {
        e = e.replace("\\r", "\r");
      }
      if (lf) {
        e = e.replace("\\n", "\n");
      }
      return new SqlValue.Text(e);
    }
    return source;
  }

}
