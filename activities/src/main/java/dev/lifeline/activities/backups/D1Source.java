package dev.lifeline.activities.backups;

import dev.lifeline.activities.backup.LossyExportDetector;
import dev.lifeline.activities.backup.SourceFingerprint;
import dev.lifeline.activities.cloudflare.D1Api;
import dev.lifeline.activities.cloudflare.D1RawResult;
import dev.lifeline.activities.cloudflare.D1Statement;
import dev.lifeline.activities.cloudflare.Idempotency;
import dev.lifeline.activities.sqlite.SqlIdentifiers;
import dev.lifeline.workflows.backup.BackupManifest.TableManifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A D1 database seen through the REST {@code raw} API: its tables (virtual ones and their shadow
 * tables told apart), columns, indexes and row counts. Read-only; every statement is a read the
 * client may retry.
 */
final class D1Source implements LossyExportDetector.SourceQuery {
  /** Count queries per batch request. */
  private static final int COUNT_BATCH = 25;

  private final D1Api d1;
  private final String databaseId;

  D1Source(D1Api d1, String databaseId) {
    this.d1 = d1;
    this.databaseId = databaseId;
  }

  @Override
  public List<List<Object>> rows(String sql, List<String> params) {
    List<D1RawResult> r =
        d1.raw(databaseId, new D1Statement(sql, new ArrayList<>(params)), Idempotency.IDEMPOTENT);
    return r.isEmpty() ? List.of() : r.get(0).results().rows();
  }

  /** A table or virtual table of the source. */
  record SourceTable(String name, String sql, boolean virtual) {}

  /** User tables in schema order; virtual tables flagged, their shadow tables left out. */
  List<SourceTable> tables() {
    List<List<Object>> rows =
        rows("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_'"
            + " AND substr(name, 1, 4) <> '_cf_' ORDER BY rowid", List.of());
    List<String> virtual = new ArrayList<>();
    for (List<Object> r : rows) {
      String sql = r.get(1) == null ? "" : String.valueOf(r.get(1));
      if (sql.regionMatches(true, 0, "CREATE VIRTUAL TABLE", 0, 20)) {
        virtual.add(String.valueOf(r.get(0)));
      }
    }
    List<SourceTable> out = new ArrayList<>();
    for (List<Object> r : rows) {
      String name = String.valueOf(r.get(0));
      boolean shadow = virtual.stream().anyMatch(v -> !v.equals(name) && name.startsWith(v + "_"));
      if (!shadow) {
        out.add(new SourceTable(name, r.get(1) == null ? "" : String.valueOf(r.get(1)), virtual.contains(name)));
      }
    }
    return out;
  }

  /** Shadow tables of virtual tables (FTS5's {@code _data}, {@code _idx}...), which exports skip too. */
  List<String> shadowTables(List<SourceTable> tables) {
    List<String> virtual = tables.stream().filter(SourceTable::virtual).map(SourceTable::name).toList();
    List<String> out = new ArrayList<>();
    for (List<Object> r : rows("SELECT name FROM sqlite_schema WHERE type = 'table'", List.of())) {
      String name = String.valueOf(r.get(0));
      if (virtual.stream().anyMatch(v -> !v.equals(name) && name.startsWith(v + "_"))) {
        out.add(name);
      }
    }
    return out;
  }

  /** {@code name type} of each column. */
  List<String> columns(String table) {
    List<String> out = new ArrayList<>();
    for (List<Object> c : rows(LossyExportDetector.TABLE_INFO_SQL, List.of(table))) {
      String type = c.get(1) == null ? "" : String.valueOf(c.get(1));
      out.add((String.valueOf(c.get(0)) + " " + type).trim());
    }
    return out;
  }

  /** Explicit index DDL per table. */
  Map<String, List<String>> indexes() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (List<Object> r :
        rows("SELECT tbl_name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name", List.of())) {
      out.computeIfAbsent(String.valueOf(r.get(0)).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(String.valueOf(r.get(1)));
    }
    return out;
  }

  /** Row counts of {@code tables}, a batch of count queries per request. */
  Map<String, Long> rowCounts(List<String> tables) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (int from = 0; from < tables.size(); from += COUNT_BATCH) {
      List<String> group = tables.subList(from, Math.min(tables.size(), from + COUNT_BATCH));
      List<D1Statement> batch = new ArrayList<>();
      for (String t : group) {
        batch.add(new D1Statement("SELECT count(*) FROM " + SqlIdentifiers.quote(t), List.of()));
      }
      List<D1RawResult> results = d1.rawBatch(databaseId, batch, Idempotency.IDEMPOTENT);
      for (int i = 0; i < group.size(); i++) {
        Object v = results.get(i).results().rows().get(0).get(0);
        out.put(group.get(i), Long.parseLong(String.valueOf(v)));
      }
    }
    return out;
  }

  /**
   * The {@link SourceFingerprint} aggregate row of each of {@code tables}, computed by D1: the
   * column lists in one batch request, then the aggregates a batch at a time.
   */
  Map<String, List<Object>> fingerprints(List<String> tables) {
    Map<String, List<Object>> out = new LinkedHashMap<>();
    for (int from = 0; from < tables.size(); from += COUNT_BATCH) {
      List<String> group = tables.subList(from, Math.min(tables.size(), from + COUNT_BATCH));
      List<D1Statement> info = new ArrayList<>();
      for (String t : group) {
        info.add(new D1Statement("SELECT name FROM pragma_table_info(?)", List.of(t)));
      }
      List<D1RawResult> columns = d1.rawBatch(databaseId, info, Idempotency.IDEMPOTENT);
      List<D1Statement> batch = new ArrayList<>();
      for (int i = 0; i < group.size(); i++) {
        List<String> names = columns.get(i).results().rows().stream().map(r -> String.valueOf(r.get(0))).toList();
        batch.add(new D1Statement(SourceFingerprint.sql(group.get(i), names), List.of()));
      }
      List<D1RawResult> results = d1.rawBatch(databaseId, batch, Idempotency.IDEMPOTENT);
      for (int i = 0; i < group.size(); i++) {
        out.put(group.get(i), results.get(i).results().rows().get(0));
      }
    }
    return out;
  }

  /** The table manifests of {@code tables} with {@code rows} and, where known, their fingerprints. */
  List<TableManifest> manifests(List<SourceTable> tables, Map<String, Long> rows, Map<String, String> checksums) {
    Map<String, List<String>> idx = indexes();
    List<TableManifest> out = new ArrayList<>();
    for (SourceTable t : tables) {
      if (t.virtual()) {
        continue;
      }
      out.add(new TableManifest(t.name(), rows.getOrDefault(t.name(), 0L), t.sql(), columns(t.name()),
          idx.getOrDefault(t.name().toLowerCase(Locale.ROOT), List.of()), checksums.get(t.name())));
    }
    return out;
  }
}
