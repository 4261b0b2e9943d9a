package dev.lifeline.activities.backups;

import dev.lifeline.activities.backup.BackupObject;
import dev.lifeline.activities.backup.BackupWriter;
import dev.lifeline.activities.backup.DatabaseCensus;
import dev.lifeline.activities.backup.DumpParser;
import dev.lifeline.activities.backup.DumpStatement;
import dev.lifeline.activities.backup.LoadOptions;
import dev.lifeline.activities.backup.SqlValue;
import dev.lifeline.activities.backup.SqliteLoader;
import dev.lifeline.activities.backup.WriterOptions;
import dev.lifeline.activities.crypto.BackupKeys;
import dev.lifeline.activities.crypto.DataKey;
import dev.lifeline.activities.crypto.WrappedKey;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.sqlite.SqliteSchema;
import dev.lifeline.workflows.backup.BackupIds;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.BackupManifest.LossyColumn;
import dev.lifeline.workflows.backup.BackupManifest.TableManifest;
import dev.lifeline.workflows.backup.Verification;
import dev.lifeline.workflows.common.Target;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns an existing dump into a verified Lifeline backup: a {@code wrangler d1 export} file (with
 * or without column lists in its INSERTs), a {@code sqlite3 .dump} file, or a SQLite database
 * file. The dump is loaded locally to count and checksum it, scanned for the values D1's exporter
 * may already have lost (integers past 2^53, oversized integers it rendered as doubles, text it
 * wrote with the ambiguous newline escape) — those cannot be recovered from a dump, so they are
 * flagged in the manifest and the verdict — then stored through the usual pipeline and verified
 * by restoring it.
 */
public final class BackupImporter {
  private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

  private final Backends backends;
  private final BackupActivitiesImpl backups;
  private final Clock clock;

  /** @param backends the backup bucket and key */
  public BackupImporter(Backends backends) {
    this(backends, Clock.systemUTC());
  }

  BackupImporter(Backends backends, Clock clock) {
    this.backends = backends;
    this.backups = new BackupActivitiesImpl(backends, clock);
    this.clock = clock;
  }

  /**
   * Imports {@code file} as a backup of D1 database {@code database} taken at {@code takenAt}.
   *
   * @return the stored, verified manifest
   */
  public BackupManifest importFile(Path file, String database, Instant takenAt) {
    return ActivityFailures.call(() -> {
      boolean sqliteFile = isSqliteFile(file);
      Instant at = takenAt != null ? takenAt : lastModified(file);
      String id = BackupIds.newId(Target.d1(database), at, UUID.randomUUID().toString());
      Path work = backends.newWorkDir("import-" + id);
      try {
        Path staging = work.resolve("staging.sqlite");
        if (sqliteFile) {
          Files.copy(file, staging);
        } else {
          new SqliteLoader().load(file, staging, LoadOptions.defaults(), null);
        }
        DatabaseCensus census = DatabaseCensus.take(staging);
        List<TableManifest> tables = BackupActivitiesImpl.tableManifests(staging, census, true);
        List<LossyColumn> lossy = sqliteFile ? List.of() : scanForLosses(file, staging);

        BackupKeys keys = backups.keys();
        DataKey dataKey = keys.newDataKey();
        WrappedKey wrapped = keys.wrap(dataKey, BackupActivitiesImpl.aad(id));
        String object = sqliteFile ? BackupActivitiesImpl.SQLITE_DATA : BackupActivitiesImpl.SQL_DATA;
        BackupObject data;
        try (InputStream in = Files.newInputStream(file)) {
          data = new BackupWriter().write(in, backends.backupStore(), BackupIds.prefix(id) + object, dataKey,
              BackupActivitiesImpl.aad(id, object), WriterOptions.defaults());
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("importedFrom", file.getFileName().toString());
        labels.put("importedAt", clock.instant().toString());
        BackupManifest m = new BackupManifest(BackupManifest.FORMAT_VERSION, id, "d1", "d1:" + database, null,
            database, at, clock.instant(), "imported", null, "imported-dump",
            sqliteFile ? "sqlite-file" : "sql-dump", tables, List.of(), BackupActivitiesImpl.stored(data, wrapped),
            null, null, lossy, Verification.pending(), null, null, null, labels, null);
        ManifestStore manifests = backups.manifests();
        manifests.save(m);
        Verification v = backups.verify(m);
        if (v.status() == Verification.Status.PASSED && !lossy.isEmpty()) {
          List<String> reasons = new ArrayList<>(v.reasons());
          for (LossyColumn l : lossy) {
            reasons.add("warning: " + l.rows() + " value(s) of " + l.table() + "." + l.column() + " " + l.problem()
                + "; a dump cannot tell the original, so they are restored as the dump has them");
          }
          v = new Verification(v.status(), v.verifiedAt(), reasons, v.integrityCheck(), v.foreignKeyViolations(),
              v.tables());
        }
        return manifests.save(m.withVerification(v));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        Backends.deleteWorkDir(work);
      }
    });
  }

  static boolean isSqliteFile(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return Arrays.equals(in.readNBytes(SQLITE_MAGIC.length), SQLITE_MAGIC);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static Instant lastModified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toInstant();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Per column, the values the exporter may already have changed. */
  private static List<LossyColumn> scanForLosses(Path file, Path staging) throws IOException {
    Map<String, List<String>> columnsOf = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + staging + "?mode=ro")) {
      for (SqliteSchema.Table t : SqliteSchema.read(c).tables()) {
        columnsOf.put(t.name(), t.columns().stream().map(SqliteSchema.Column::name).toList());
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the staged schema: " + e.getMessage(), e);
    }
    Map<String, long[]> counts = new LinkedHashMap<>();
    // sqlite3 picks a newline placeholder the text does not contain, so only D1's exporter (whose
    // dumps open with PRAGMA defer_foreign_keys) writes the ambiguous form.
    boolean d1Exporter;
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      d1Exporter = lines.findFirst().map(l -> l.startsWith("PRAGMA defer_foreign_keys")).orElse(false);
    }
    try (DumpParser parser = DumpParser.open(Files.newInputStream(file))) {
      for (DumpStatement s = parser.next(); s != null; s = parser.next()) {
        if (!(s instanceof DumpStatement.Insert insert) || insert.table().startsWith("sqlite_")) {
          continue;
        }
        List<String> columns = insert.columns().isEmpty()
            ? columnsOf.getOrDefault(insert.table(), List.of()) : insert.columns();
        for (List<SqlValue> row : insert.rows()) {
          for (int i = 0; i < row.size() && i < columns.size(); i++) {
            String problem = problem(row.get(i), d1Exporter);
            if (problem != null) {
              counts.computeIfAbsent(insert.table() + "\u0000" + columns.get(i) + "\u0000" + problem,
                  k -> new long[1])[0]++;
            }
          }
        }
      }
    }
    List<LossyColumn> out = new ArrayList<>();
    counts.forEach((k, n) -> {
      String[] p = k.split("\u0000", 3);
      out.add(new LossyColumn(p[0], p[1], p[2], n[0], false));
    });
    return out;
  }

  private static String problem(SqlValue v, boolean d1Exporter) {
    if (v instanceof SqlValue.Real r && r.fromOversizedIntegerLiteral()) {
      return "is an integer beyond 64 bits in the dump (the exporter rendered a 64-bit integer as a double)";
    }
    if (d1Exporter && v instanceof SqlValue.Int i && i.exceedsSafeInteger()) {
      return "is an integer beyond 2^53 (the exporter may have rounded it)";
    }
    if (d1Exporter && v instanceof SqlValue.Text t && t.exporterNewlineEscape()) {
      // The exporter writes a newline and a literal backslash-n the same way, so any value in
      // that form may have held a backslash-n that the dump turns into a newline.
      return "was written with the exporter's newline escape (a literal backslash-n in it would now be a newline)";
    }
    return null;
  }
}
