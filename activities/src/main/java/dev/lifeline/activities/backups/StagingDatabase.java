package dev.lifeline.activities.backups;

import dev.lifeline.activities.backup.DatabaseCensus;
import dev.lifeline.activities.backup.LoadOptions;
import dev.lifeline.activities.backup.LoadProgress;
import dev.lifeline.activities.backup.LoadProgressListener;
import dev.lifeline.activities.backup.LoadResult;
import dev.lifeline.activities.backup.SqliteLoader;
import dev.lifeline.activities.cloudflare.D1Api;
import dev.lifeline.activities.cloudflare.D1Database;
import dev.lifeline.activities.cloudflare.D1ExportOptions;
import dev.lifeline.activities.cloudflare.D1ExportResult;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.BackupManifest.TableManifest;
import dev.lifeline.workflows.common.Target;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fresh local copy of a database, for checks that must not load production: a D1 database is
 * exported once and loaded with the type-exact {@link SqliteLoader} (a database with virtual
 * tables, which D1 refuses to export, is read once through the query API instead), a SQLite file
 * is copied with SQLite's online backup API. A backup can be restored into a second file the same
 * way verification restores it, to compare against.
 *
 * <p>Idempotent: every call builds a new file (callers give a path in a fresh work directory and
 * delete the directory afterwards); the source is only read.
 */
public final class StagingDatabase {
  private final Backends backends;
  private final Clock clock;

  /** @param backends connections */
  public StagingDatabase(Backends backends) {
    this(backends, Clock.systemUTC());
  }

  StagingDatabase(Backends backends, Clock clock) {
    this.backends = backends;
    this.clock = clock;
  }

  /**
   * The copy and how it was obtained.
   *
   * @param file the local SQLite file
   * @param method {@code d1-export}, {@code d1-query} or {@code sqlite-backup-api}
   * @param source the target label
   * @param takenAt when the copy was started
   * @param bookmark the D1 Time Travel bookmark the export reflects, when known
   * @param bytes the file's size
   * @param rows rows loaded (for SQLite files: counted afterwards)
   * @param millis how long it took
   * @param caveats what the copy may not show exactly
   */
  public record Copy(
      Path file, String method, String source, Instant takenAt, String bookmark, long bytes, long rows, long millis,
      List<String> caveats) {}

  /** Copies {@code target} into the new file {@code file}. */
  public Copy stage(Target target, Path file, Heartbeats hb) {
    return ActivityFailures.call(() -> switch (target.kind()) {
      case D1 -> d1(target, file, hb);
      case SQLITE -> sqlite(target, file, hb);
      case KV -> throw ApplicationFailure.newNonRetryableFailure(
          "a KV namespace is not a database; name it in kvNamespaces", "InvalidInput");
    });
  }

  private Copy d1(Target target, Path file, Heartbeats hb) {
    Instant started = clock.instant();
    long t0 = System.nanoTime();
    D1Api d1 = backends.cloudflare().d1();
    hb.beat("resolving " + target.value());
    D1Database db = d1.get(target.value());
    D1Source source = new D1Source(d1, db.uuid());
    List<D1Source.SourceTable> tables = source.tables();
    boolean virtual = tables.stream().anyMatch(D1Source.SourceTable::virtual);
    LoadProgressListener progress = new LoadProgressListener() {
      @Override
      public void onProgress(LoadProgress p) {
        hb.beat("loading the copy into local SQLite", p.rowsLoaded(), 0, "rows");
      }
    };
    List<String> caveats = new ArrayList<>();
    String bookmark;
    String method;
    LoadResult loaded;
    if (!virtual) {
      AtomicReference<D1ExportResult> exported = new AtomicReference<>();
      try (BackupActivitiesImpl.Piped pipe = new BackupActivitiesImpl.Piped("assess-export-" + db.uuid(),
          out -> exported.set(d1.exportTo(db.uuid(), D1ExportOptions.full(), out,
              p -> hb.beat("D1 export " + p.phase(), p.bytesTransferred(), p.totalBytes(), "bytes"))))) {
        loaded = new SqliteLoader().load(pipe.input(), file, LoadOptions.defaults(), progress);
        pipe.finish();
      }
      bookmark = exported.get().atBookmark();
      method = "d1-export";
      caveats.add("D1's export writes integers beyond ±2^53 through JavaScript doubles and cannot tell a literal"
          + " backslash-n from a newline in text holding both; such values are checked as the export wrote them");
      caveats.add("invalid UTF-8 bytes arrive as U+FFFD, which the encoding rules count as damage");
    } else {
      // D1 refuses to export a database with a virtual table: read it once through the query API.
      bookmark = currentBookmark(d1, db.uuid());
      D1QueryDumper dumper = new D1QueryDumper(source);
      List<D1Source.SourceTable> real = tables.stream().filter(t -> !t.virtual()).toList();
      try (BackupActivitiesImpl.Piped pipe = new BackupActivitiesImpl.Piped("assess-query-dump-" + db.uuid(),
          out -> dumper.dump(real, out, n -> hb.beat("reading rows through the query API", n, 0, "rows")))) {
        loaded = new SqliteLoader().load(pipe.input(), file, LoadOptions.defaults(), progress);
        pipe.finish();
      }
      method = "d1-query";
      caveats.add("D1 cannot export a database with virtual tables, so the copy was read through the query API in"
          + " pages of " + D1QueryDumper.PAGE + " rows (lossless); the virtual tables themselves ("
          + String.join(", ", tables.stream().filter(D1Source.SourceTable::virtual).map(D1Source.SourceTable::name).toList())
          + ") are not in the copy");
    }
    return new Copy(file, method, target.label(), started, bookmark, size(file), loaded.rows(),
        (System.nanoTime() - t0) / 1_000_000, List.copyOf(caveats));
  }

  private static String currentBookmark(D1Api d1, String uuid) {
    try {
      return d1.currentBookmark(uuid);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private Copy sqlite(Target target, Path file, Heartbeats hb) {
    Instant started = clock.instant();
    long t0 = System.nanoTime();
    Path source = Path.of(target.value());
    if (!Files.isRegularFile(source)) {
      throw ApplicationFailure.newNonRetryableFailure(
          "SQLite file " + source + " does not exist on this worker", "NotFound");
    }
    hb.beat("copying with SQLite's online backup API");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + source + "?mode=ro");
        Statement st = c.createStatement()) {
      st.executeUpdate("backup to " + file);
    } catch (SQLException e) {
      throw ApplicationFailure.newFailure("SQLite online backup of " + source + " failed: " + e.getMessage(),
          "SqliteBackupFailed");
    }
    long rows = 0;
    for (TableManifest t : tables(file)) {
      rows += t.rows();
    }
    return new Copy(file, "sqlite-backup-api", target.label(), started, null, size(file), rows,
        (System.nanoTime() - t0) / 1_000_000, List.of());
  }

  /**
   * Restores backup {@code m} into the new file {@code file}, checked before it is decrypted, as
   * verification does.
   */
  public void restore(BackupManifest m, Path file, Heartbeats hb) {
    new BackupActivitiesImpl(backends, clock).restoreLocally(m, file, hb);
  }

  /**
   * The user tables of a local SQLite file in the shape of a backup manifest's tables (schema SQL,
   * {@code name type} columns, index DDL, row counts; no checksums), so drift is a comparison of
   * like with like.
   */
  public static List<TableManifest> tables(Path file) {
    DatabaseCensus census = DatabaseCensus.take(file,
        new DatabaseCensus.Options(DatabaseCensus.IntegrityCheck.NONE, false, false, List.of("_cf_", "sqlite_stat")));
    return BackupActivitiesImpl.tableManifests(file, census, false);
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
