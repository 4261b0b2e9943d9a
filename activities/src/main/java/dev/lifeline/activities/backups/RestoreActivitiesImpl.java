package dev.lifeline.activities.backups;

import dev.lifeline.activities.backup.DatabaseCensus;
import dev.lifeline.activities.cloudflare.D1Api;
import dev.lifeline.activities.cloudflare.D1Database;
import dev.lifeline.activities.cloudflare.D1ImportResult;
import dev.lifeline.activities.cloudflare.KvApi;
import dev.lifeline.activities.cloudflare.KvBulkEntry;
import dev.lifeline.activities.cloudflare.KvBulkResult;
import dev.lifeline.activities.cloudflare.KvKey;
import dev.lifeline.activities.cloudflare.KvKeyPage;
import dev.lifeline.activities.cloudflare.KvNamespace;
import dev.lifeline.activities.cloudflare.TimeTravelRestoreResult;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.BackupManifest.TableManifest;
import dev.lifeline.workflows.backup.BackupQuery;
import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.pitr.RecoveryWindow;
import dev.lifeline.workflows.pitr.RestoreActivities;
import dev.lifeline.workflows.pitr.RestoreOutcome;
import dev.lifeline.workflows.pitr.RestoreRequest;
import dev.lifeline.workflows.pitr.TargetCheck;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Restores (see {@link RestoreActivities}). Every restore from a backup first rebuilds the backup
 * into a local SQLite file through the verifying reader — checksum before decryption, exact
 * values, counts checked — and only then writes to the target.
 */
public final class RestoreActivitiesImpl implements RestoreActivities {
  /** D1 Time Travel retention on paid plans. */
  static final Duration TIME_TRAVEL_RETENTION = Duration.ofDays(30);

  private final Backends backends;
  private final BackupActivitiesImpl backups;
  private final Clock clock;
  private final RestoreHooks hooks;

  /** @param backends connections */
  public RestoreActivitiesImpl(Backends backends) {
    this(backends, Clock.systemUTC(), RestoreHooks.NONE);
  }

  RestoreActivitiesImpl(Backends backends, Clock clock, RestoreHooks hooks) {
    this.backends = backends;
    this.backups = new BackupActivitiesImpl(backends, clock);
    this.clock = clock;
    this.hooks = hooks;
  }

  /** Test seams: points where a test can make an attempt die, like a killed worker. */
  interface RestoreHooks {
    RestoreHooks NONE = new RestoreHooks() {};

    /** Called once the D1 import file is built, before the import starts. */
    default void beforeImport(Path importFile) {}

    /** Called with each progress report while D1 runs the import. */
    default void duringImport(dev.lifeline.activities.cloudflare.D1Progress progress) {}
  }

  // ------------------------------------------------------------------ window

  @Override
  public RecoveryWindow window(Target target) {
    return ActivityFailures.call(() -> {
      Instant now = clock.instant();
      List<RecoveryWindow.BackupPoint> points = new ArrayList<>();
      String kind = target.kind().name().toLowerCase(java.util.Locale.ROOT);
      String name = target.value();
      boolean tt = false;
      String why = "Time Travel is a D1 feature; " + kind + " targets restore from backups";
      Instant earliest = null;
      String current = null;
      if (target.kind() == Target.Kind.D1) {
        D1Database db = backends.cloudflare().d1().get(target.value());
        name = db.name();
        if ("alpha".equals(db.version())) {
          why = "Time Travel is not available for alpha databases";
        } else {
          tt = true;
          why = null;
          Instant created = db.createdAt() == null ? null : Instant.parse(db.createdAt());
          earliest = now.minus(TIME_TRAVEL_RETENTION);
          if (created != null && created.isAfter(earliest)) {
            earliest = created;
          }
          current = backends.cloudflare().d1().currentBookmark(db.uuid());
        }
      } else if (target.kind() == Target.Kind.KV) {
        name = KvBackupActivitiesImpl.namespace(backends.cloudflare().kv(), target.value()).title();
      }
      for (BackupManifest m : backups.manifests().list(new BackupQuery(kind, name, true, null))) {
        long items = m.keyCount() != null ? m.keyCount() : m.totalRows();
        points.add(new RecoveryWindow.BackupPoint(m.backupId(), m.createdAt(), m.tier(), items));
      }
      return new RecoveryWindow(target.label(), tt, why, earliest, tt ? now : null, current, points);
    });
  }

  @Override
  public String bookmark(Target target, Instant at) {
    return ActivityFailures.call(() -> {
      D1Api d1 = backends.cloudflare().d1();
      String uuid = d1.get(target.value()).uuid();
      return at == null ? d1.currentBookmark(uuid) : d1.bookmarkAt(uuid, at);
    });
  }

  // ------------------------------------------------------------------ restore

  @Override
  public RestoreOutcome restore(RestoreRequest request) {
    return ActivityFailures.call(() -> switch (request.target().kind()) {
      case D1 -> restoreD1(request);
      case SQLITE -> restoreSqlite(request);
      case KV -> restoreKv(request);
    });
  }

  private RestoreOutcome restoreD1(RestoreRequest request) {
    Heartbeats hb = new Heartbeats();
    BackupManifest m = request.chain().get(request.chain().size() - 1);
    D1Api d1 = backends.cloudflare().d1();
    D1Database db = d1.get(request.target().value());
    Path work = backends.newWorkDir("restore-" + request.restoreId());
    try {
      Path staging = work.resolve("verified.sqlite");
      backups.restoreLocally(m, staging, hb);
      requireCounts(m, staging, true);
      hb.beat("writing the import");
      D1Source source = new D1Source(d1, db.uuid());
      List<ImportSqlWriter.Existing> existing = new ArrayList<>();
      for (List<Object> r : source.rows(
          "SELECT type, name FROM sqlite_schema WHERE type IN ('table', 'view', 'trigger')"
              + " AND substr(name, 1, 7) <> 'sqlite_' AND substr(name, 1, 4) <> '_cf_' ORDER BY rowid", List.of())) {
        existing.add(new ImportSqlWriter.Existing(String.valueOf(r.get(0)), String.valueOf(r.get(1))));
      }
      // Shadow tables of virtual tables go with them.
      List<String> virtual = existing.stream().filter(e -> e.type().equals("table"))
          .map(ImportSqlWriter.Existing::name)
          .filter(n -> source.tables().stream().anyMatch(t -> t.virtual() && t.name().equals(n))).toList();
      existing.removeIf(e -> virtual.stream().anyMatch(v -> !v.equals(e.name()) && e.name().startsWith(v + "_")));
      Path sql = work.resolve("import.sql");
      long rows = ImportSqlWriter.write(staging, existing,
          m.skippedVirtualTables() == null ? List.of() : m.skippedVirtualTables(), sql);
      long size = Files.size(sql);
      if (size > D1Api.MAX_IMPORT_BYTES) {
        throw ApplicationFailure.newNonRetryableFailure("the import would be " + size + " bytes; D1 imports at most "
            + D1Api.MAX_IMPORT_BYTES + " bytes in one transaction, so this restore cannot be atomic", "ImportTooLarge");
      }
      hooks.beforeImport(sql);
      String before = d1.currentBookmark(db.uuid());
      hb.beat("importing " + rows + " rows into " + db.name(), 0, size, "bytes");
      D1ImportResult result = d1.importSql(db.uuid(), sql, p -> {
        hb.beat("D1 import " + p.phase()
            + (p.messages().isEmpty() ? "" : ": " + p.messages().get(p.messages().size() - 1)),
            p.bytesTransferred(), p.totalBytes(), "bytes");
        hooks.duringImport(p);
      });
      return new RestoreOutcome("d1-import", rows, 0, result.finalBookmark(), before, null,
          "imported backup " + m.backupId() + " into " + db.name() + ": " + rows + " rows in one transaction ("
              + result.numQueries() + " statements)");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      Backends.deleteWorkDir(work);
    }
  }

  /** Fails (before anything is written) when the verified copy does not hold what was captured. */
  private static void requireCounts(BackupManifest m, Path staging, boolean foreignKeysMustHold) {
    DatabaseCensus census = DatabaseCensus.take(staging, new DatabaseCensus.Options(
        DatabaseCensus.IntegrityCheck.QUICK, foreignKeysMustHold, false, List.of("_cf_", "sqlite_stat")));
    if (foreignKeysMustHold && !census.foreignKeyViolations().isEmpty()) {
      // D1 enforces foreign keys and cannot turn them off inside its import transaction, so the
      // import would fail at commit; say so before touching anything.
      throw ApplicationFailure.newNonRetryableFailure("backup " + m.backupId() + " holds rows that violate foreign"
          + " keys " + census.foreignKeyViolations() + "; D1 refuses to import them, so this backup cannot be"
          + " restored into D1 as it is (restore it to SQLite, repair, and import that); nothing was written",
          "ImportFailed");
    }
    for (TableManifest t : m.tables()) {
      long rows = census.tables().stream().filter(c -> c.name().equals(t.name())).mapToLong(
          DatabaseCensus.TableCensus::rowCount).findFirst().orElse(-1);
      if (rows != t.rows()) {
        throw ApplicationFailure.newNonRetryableFailure("backup " + m.backupId() + " restores " + rows + " rows of "
            + t.name() + " but " + t.rows() + " were captured; nothing was written", "BackupIntegrity");
      }
    }
    if (!census.integrityMessages().equals(List.of("ok"))) {
      throw ApplicationFailure.newNonRetryableFailure("the restored copy of " + m.backupId()
          + " fails quick_check: " + census.integrityMessages() + "; nothing was written", "BackupIntegrity");
    }
  }

  /**
   * Restores a SQLite file by building the restored copy beside it and renaming it over the target
   * in one atomic step, so the target path names a complete database at every moment: the original
   * until the rename, the restored copy after it (never a missing file that the application would
   * recreate empty, never the restored file next to the original's WAL, which SQLite would replay
   * into it). Before the rename the original is checkpointed, so its main file holds every
   * committed transaction, and kept under a second name by a hard link (a copy where links are not
   * supported) for the undo.
   */
  private RestoreOutcome restoreSqlite(RestoreRequest request) {
    Heartbeats hb = new Heartbeats();
    BackupManifest m = request.chain().get(request.chain().size() - 1);
    Path target = Path.of(request.target().value()).toAbsolutePath();
    Path fresh = target.resolveSibling(target.getFileName() + ".restoring-" + safe(request.restoreId()));
    Path preserved = target.resolveSibling(target.getFileName() + ".pre-restore-" + safe(request.restoreId()));
    try {
      if (Files.exists(preserved) && !Files.exists(fresh)) {
        // A previous attempt already renamed the restored copy in: the restore is done.
        return new RestoreOutcome("sqlite-swap", m.totalRows(), 0, null, null, preserved.toString(),
            "restored " + target + " from " + m.backupId() + " (the original is kept as " + preserved + ")");
      }
      // A previous attempt stopped before its rename: the target is still the original, and
      // `preserved` (if there) is a link to it or a copy of it that can be made again.
      Files.deleteIfExists(preserved);
      Files.deleteIfExists(fresh);
      backups.restoreLocally(m, fresh, hb);
      requireCounts(m, fresh, false);
      settle(fresh); // its own WAL (from read-only checks) is folded in and removed before the rename
      hb.beat("preserving the original");
      boolean hadOriginal = Files.exists(target);
      if (hadOriginal) {
        try {
          settle(target);
        } catch (RuntimeException e) {
          Files.deleteIfExists(fresh);
          throw e;
        }
        keep(target, preserved);
      }
      hb.beat("renaming the restored file over the target");
      Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return new RestoreOutcome("sqlite-swap", m.totalRows(), 0, null, null, hadOriginal ? preserved.toString() : null,
          "restored " + target + " from " + m.backupId() + " by an atomic rename"
              + (hadOriginal ? " (the original is kept as " + preserved + ")" : " (there was no file before)"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Checkpoints {@code db} and closes it, so its main file holds every committed transaction
   * (a hot journal is rolled back, a WAL folded in), and refuses when another process still has it
   * open in WAL mode: renaming a file under a live connection would leave that connection writing
   * to the preserved original, and its WAL beside the restored one.
   */
  private static void settle(Path db) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA schema_version"); // reads the header: rolls back a hot journal
        st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
    } catch (SQLException e) {
      throw ApplicationFailure.newFailureWithCause(db + " cannot be opened to settle it before the restore: "
          + e.getMessage() + "; nothing was changed", "TargetUnreadable", e);
    }
    for (String suffix : List.of("-wal", "-shm", "-journal")) {
      Path side = db.resolveSibling(db.getFileName() + suffix);
      if (Files.exists(side)) {
        throw ApplicationFailure.newFailure(db + " is still open in another process (" + side.getFileName()
            + " remains after a checkpoint); stop the application that uses it (the step is retried"
            + " with backoff for about ten minutes); nothing was changed", "TargetInUse");
      }
    }
  }

  /** Keeps {@code file} under the name {@code as}: a hard link, or a copy where links are not supported. */
  private static void keep(Path file, Path as) throws IOException {
    try {
      Files.createLink(as, file);
    } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
      Files.copy(file, as, StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  private static String safe(String s) {
    return s.replaceAll("[^A-Za-z0-9.-]", "-");
  }

  @Override
  public RestoreOutcome swapBack(Target target, String preservedOriginal) {
    return ActivityFailures.call(() -> {
      Path t = Path.of(target.value()).toAbsolutePath();
      Path p = Path.of(preservedOriginal);
      try {
        if (!Files.exists(p)) {
          return new RestoreOutcome("sqlite-swap", 0, 0, null, null, null,
              "nothing to put back: " + p + " is gone (already swapped back?)");
        }
        Path undone = t.resolveSibling(t.getFileName() + ".undone-" + clock.millis());
        if (Files.exists(t)) {
          settle(t);
          keep(t, undone);
        }
        Files.move(p, t, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new RestoreOutcome("sqlite-swap", 0, 0, null, null, null,
            "put the original " + t + " back by an atomic rename (the restored file is kept as " + undone + ")");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private RestoreOutcome restoreKv(RestoreRequest request) {
    Heartbeats hb = new Heartbeats();
    KvApi kv = backends.cloudflare().kv();
    KvNamespace ns = KvBackupActivitiesImpl.namespace(kv, request.target().value());
    BackupManifest last = request.chain().get(request.chain().size() - 1);
    Path work = backends.newWorkDir("kv-restore-" + request.restoreId());
    String mode = request.kvMode() == null ? "replace" : request.kvMode();
    Set<String> only = request.keys() == null ? null : new HashSet<>(request.keys());
    try (KvChainReplay replay = KvChainReplay.replay(request.chain(), backends.backupStore(), backups.keys(), work,
        work.resolve("kv.sqlite"), n -> hb.beat("replaying the backup chain", n, 0, "records"));
        Connection current = DriverManager.getConnection("jdbc:sqlite:" + work.resolve("current.sqlite"))) {
      // What the namespace holds now, for skip-existing and clear.
      try (Statement st = current.createStatement()) {
        st.execute("CREATE TABLE k(key TEXT PRIMARY KEY)");
      }
      if (!"replace".equals(mode)) {
        current.setAutoCommit(false);
        try (PreparedStatement ps = current.prepareStatement("INSERT OR IGNORE INTO k VALUES(?)")) {
          String cursor = null;
          do {
            KvKeyPage page = kv.listKeysPage(ns.id(), null, cursor, 1000);
            for (KvKey k : page.keys()) {
              ps.setString(1, k.name());
              ps.addBatch();
            }
            ps.executeBatch();
            cursor = page.cursor();
          } while (cursor != null);
        }
        current.commit();
      }
      long now = clock.instant().getEpochSecond();
      List<KvBulkEntry> batch = new ArrayList<>();
      long[] written = {0};
      long[] skipped = {0};
      List<String> failed = new ArrayList<>();
      replay.forEach(e -> {
        if (only != null && !only.contains(e.key())) {
          return;
        }
        if ("skip-existing".equals(mode) && exists(current, e.key())) {
          skipped[0]++;
          return;
        }
        Long exp = e.expiration();
        if (exp != null && exp <= now) {
          skipped[0]++; // expired since the backup: KV would drop it anyway
          return;
        }
        if (exp != null && exp < now + 60) {
          exp = now + 60; // KV refuses expirations less than 60 s ahead
        }
        String text = KvRecords.utf8(e.value());
        batch.add(text != null
            ? new KvBulkEntry(e.key(), text, null, exp, null, e.metadata())
            : new KvBulkEntry(e.key(), Base64.getEncoder().encodeToString(e.value()), true, exp, null, e.metadata()));
        if (batch.size() >= 1000) {
          flush(kv, ns.id(), batch, written, failed);
          hb.beat("writing keys", written[0], last.keyCount() == null ? 0 : last.keyCount(), "keys");
        }
      });
      flush(kv, ns.id(), batch, written, failed);
      long deleted = 0;
      if ("clear".equals(mode)) {
        List<String> extra = new ArrayList<>();
        try (Statement st = current.createStatement(); var rs = st.executeQuery("SELECT key FROM k ORDER BY key")) {
          while (rs.next()) {
            String key = rs.getString(1);
            if (replay.get(key) == null) {
              extra.add(key);
            }
          }
        }
        if (!extra.isEmpty()) {
          KvBulkResult r = kv.bulkDelete(ns.id(), extra);
          deleted = r.successfulKeyCount();
          failed.addAll(r.unsuccessfulKeys());
        }
      }
      if (!failed.isEmpty()) {
        throw ApplicationFailure.newFailure("KV refused " + failed.size() + " key(s) after retries, e.g. "
            + failed.subList(0, Math.min(5, failed.size())), "KvWriteIncomplete");
      }
      return new RestoreOutcome("kv-bulk", written[0], deleted, null, null, null,
          "restored " + written[0] + " key(s) of " + ns.title() + " from " + last.backupId() + " (mode " + mode
              + (skipped[0] > 0 ? ", " + skipped[0] + " skipped" : "") + (deleted > 0 ? ", " + deleted + " deleted" : "") + ")");
    } catch (SQLException e) {
      throw new IllegalStateException("KV restore staging failed: " + e.getMessage(), e);
    } finally {
      Backends.deleteWorkDir(work);
    }
  }

  private static boolean exists(Connection c, String key) {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM k WHERE key = ?")) {
      ps.setString(1, key);
      try (var rs = ps.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void flush(KvApi kv, String ns, List<KvBulkEntry> batch, long[] written, List<String> failed) {
    if (batch.isEmpty()) {
      return;
    }
    KvBulkResult r = kv.bulkPut(ns, new ArrayList<>(batch));
    written[0] += r.successfulKeyCount();
    failed.addAll(r.unsuccessfulKeys());
    batch.clear();
  }

  @Override
  public RestoreOutcome restoreTimeTravel(Target target, String bookmark) {
    return ActivityFailures.call(() -> {
      D1Api d1 = backends.cloudflare().d1();
      D1Database db = d1.get(target.value());
      TimeTravelRestoreResult r = d1.restoreToBookmark(db.uuid(), bookmark);
      return new RestoreOutcome("d1-time-travel", 0, 0, r.bookmark(), r.previousBookmark(), null,
          "restored " + db.name() + " to bookmark " + bookmark + " (previous bookmark " + r.previousBookmark() + ")");
    });
  }

  // ------------------------------------------------------------------ check

  @Override
  public TargetCheck check(Target target, List<TableManifest> expected, long foreignKeyViolationsAllowed) {
    return ActivityFailures.call(() -> switch (target.kind()) {
      case D1 -> checkD1(target, expected, foreignKeyViolationsAllowed);
      case SQLITE -> checkSqlite(target, expected, foreignKeyViolationsAllowed);
      case KV -> checkKv(target, expected);
    });
  }

  private TargetCheck checkD1(Target target, List<TableManifest> expected, long fkAllowed) {
    D1Api d1 = backends.cloudflare().d1();
    D1Source source = new D1Source(d1, d1.get(target.value()).uuid());
    List<String> integrity = new ArrayList<>();
    for (List<Object> r : source.rows("PRAGMA quick_check", List.of())) {
      integrity.add(String.valueOf(r.get(0)));
    }
    long fk = source.rows("PRAGMA foreign_key_check", List.of()).size();
    java.util.Map<String, Long> counts =
        source.rowCounts(expected.stream().map(TableManifest::name).toList());
    return verdict(integrity, fk, fkAllowed, expected, counts);
  }

  private TargetCheck checkSqlite(Target target, List<TableManifest> expected, long fkAllowed) {
    DatabaseCensus census = DatabaseCensus.take(Path.of(target.value()), new DatabaseCensus.Options(
        DatabaseCensus.IntegrityCheck.QUICK, true, false, List.of("_cf_", "sqlite_stat")));
    java.util.Map<String, Long> counts = new java.util.HashMap<>();
    census.tables().forEach(t -> counts.put(t.name(), t.rowCount()));
    long fk = census.foreignKeyViolations().values().stream().mapToLong(Long::longValue).sum();
    return verdict(census.integrityMessages(), fk, fkAllowed, expected, counts);
  }

  private TargetCheck checkKv(Target target, List<TableManifest> expected) {
    KvApi kv = backends.cloudflare().kv();
    KvNamespace ns = KvBackupActivitiesImpl.namespace(kv, target.value());
    long keys;
    try (var s = kv.listKeys(ns.id(), null)) {
      keys = s.count();
    }
    java.util.Map<String, Long> counts = new java.util.HashMap<>();
    counts.put(target.value(), keys);
    counts.put(ns.title(), keys);
    return verdict(List.of("ok"), 0, 0, expected, counts);
  }

  private static TargetCheck verdict(List<String> integrity, long fk, long fkAllowed, List<TableManifest> expected,
      java.util.Map<String, Long> counts) {
    List<String> problems = new ArrayList<>();
    String integrityText = String.join("; ", integrity.subList(0, Math.min(5, integrity.size())));
    if (!integrity.equals(List.of("ok"))) {
      problems.add("integrity: " + integrityText);
    }
    if (fk > fkAllowed) {
      problems.add(fk + " foreign-key violation(s), more than the recovery point's " + fkAllowed);
    }
    List<TargetCheck.TableCount> tables = new ArrayList<>();
    for (TableManifest t : expected) {
      long actual = counts.getOrDefault(t.name(), -1L);
      tables.add(new TargetCheck.TableCount(t.name(), t.rows(), actual));
      if (actual != t.rows()) {
        problems.add(t.name() + " has " + actual + " rows, the recovery point had " + t.rows());
      }
    }
    return new TargetCheck(problems.isEmpty(), integrityText, fk, tables, problems);
  }
}
