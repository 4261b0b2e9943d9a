package dev.lifeline.activities.backups;

import dev.lifeline.activities.backup.BackupObject;
import dev.lifeline.activities.backup.BackupReader;
import dev.lifeline.activities.backup.BackupWriter;
import dev.lifeline.activities.backup.DatabaseCensus;
import dev.lifeline.activities.backup.ExpectedIntegrity;
import dev.lifeline.activities.backup.LoadOptions;
import dev.lifeline.activities.backup.LossyExportDetector;
import dev.lifeline.activities.backup.LossyPatch;
import dev.lifeline.activities.backup.LossyPatchSet;
import dev.lifeline.activities.backup.SourceFingerprint;
import dev.lifeline.activities.backup.SqliteLoader;
import dev.lifeline.activities.backup.VerifiedPlaintext;
import dev.lifeline.activities.backup.WriterOptions;
import dev.lifeline.activities.cloudflare.D1Api;
import dev.lifeline.activities.cloudflare.D1Database;
import dev.lifeline.activities.cloudflare.D1ExportOptions;
import dev.lifeline.activities.cloudflare.D1ExportResult;
import dev.lifeline.activities.cloudflare.D1JobFailedException;
import dev.lifeline.activities.crypto.BackupKeys;
import dev.lifeline.activities.crypto.DataKey;
import dev.lifeline.activities.crypto.WrappedKey;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.s3.ObjectStore;
import dev.lifeline.activities.s3.ObjectSummary;
import dev.lifeline.workflows.backup.BackupActivities;
import dev.lifeline.workflows.backup.BackupIds;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.BackupManifest.Encryption;
import dev.lifeline.workflows.backup.BackupManifest.LossyColumn;
import dev.lifeline.workflows.backup.BackupManifest.StoredObject;
import dev.lifeline.workflows.backup.BackupManifest.TableManifest;
import dev.lifeline.workflows.backup.BackupQuery;
import dev.lifeline.workflows.backup.CaptureRequest;
import dev.lifeline.workflows.backup.KeyRotationInput;
import dev.lifeline.workflows.backup.KeyRotationReport;
import dev.lifeline.workflows.backup.Verification;
import dev.lifeline.workflows.common.Target;
import io.temporal.failure.ApplicationFailure;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backups of D1 databases and SQLite files (see {@link BackupActivities}).
 *
 * <p>Objects of a backup live under {@link BackupIds#prefix(String)}: {@code data.*.zst.tink}, the
 * captured lossy values {@code lossy.ndjson.zst.tink}, and {@code manifest.json}. Each backup has
 * a fresh data key, wrapped by the backup key with the backup id as associated data; each object
 * is encrypted with the backup id and its own name as associated data, so objects cannot be
 * swapped between backups or within one.
 */
public final class BackupActivitiesImpl implements BackupActivities {
  private static final Logger log = LoggerFactory.getLogger(BackupActivitiesImpl.class);
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

  /** Object names inside a backup's prefix. */
  static final String SQL_DATA = "data.sql.zst.tink";

  static final String SQLITE_DATA = "data.sqlite.zst.tink";
  static final String LOSSY = "lossy.ndjson.zst.tink";

  private final Backends backends;
  private final Clock clock;

  /** @param backends connections */
  public BackupActivitiesImpl(Backends backends) {
    this(backends, Clock.systemUTC());
  }

  BackupActivitiesImpl(Backends backends, Clock clock) {
    this.backends = backends;
    this.clock = clock;
  }

  BackupKeys keys() {
    if (backends.settings().backupKey() == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "BACKUP_ENCRYPTION_KEY is not set on the worker; backups cannot be written or read", "InvalidInput");
    }
    // The ring: the current key for everything new, previous ones (during a rotation) to read.
    return BackupKeys.fromSecrets(backends.settings().backupKey(), backends.settings().previousBackupKeys());
  }

  ManifestStore manifests() {
    return new ManifestStore(backends.backupStore(), keys());
  }

  static byte[] aad(String backupId) {
    return backupId.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] aad(String backupId, String object) {
    return (backupId + "/" + object).getBytes(StandardCharsets.UTF_8);
  }

  static StoredObject stored(BackupObject o, WrappedKey wk) {
    return new StoredObject(o.key(), o.storedBytes(), o.storedSha256(), o.plaintextBytes(), o.plaintextSha256(),
        o.compression(), new Encryption(o.encryptionScheme(), wk.keyId(), wk.wrappedKeysetBase64()));
  }

  static WrappedKey wrapped(StoredObject o) {
    return new WrappedKey(BackupKeys.WRAP_SCHEME, o.encryption().keyId(), o.encryption().wrappedKey());
  }

  static ExpectedIntegrity expected(StoredObject o) {
    return new ExpectedIntegrity(o.storedSha256(), o.storedBytes(), o.plaintextSha256(), o.plaintextBytes());
  }

  static String objectName(StoredObject o) {
    return o.key().substring(o.key().lastIndexOf('/') + 1);
  }

  // ------------------------------------------------------------------ capture

  @Override
  public BackupManifest capture(CaptureRequest request) {
    return ActivityFailures.call(() -> {
      Target target = request.target();
      if (target == null || target.kind() == null) {
        throw ApplicationFailure.newNonRetryableFailure("a D1 or SQLite target is required", "InvalidInput");
      }
      return switch (target.kind()) {
        case D1 -> captureD1(request);
        case SQLITE -> captureSqlite(request);
        case KV -> throw ApplicationFailure.newNonRetryableFailure(
            "KV namespaces are backed up by KvBackup, not D1Backup", "InvalidInput");
      };
    });
  }

  /**
   * The most values D1's export loses that a backup captures beside the export; above it the
   * database is read through the query API. Each is held in memory while captured and restored
   * (a few hundred bytes), so this bounds that memory at tens of megabytes.
   */
  static final int MAX_LOSSY_PATCHES = 100_000;

  /** {@link #MAX_LOSSY_PATCHES}, lowered by tests. */
  volatile int maxLossyPatches = MAX_LOSSY_PATCHES;

  /** Stops the lossy-value scan once {@link #maxLossyPatches} is passed. */
  private static final class TooManyLossyValues extends RuntimeException {
    TooManyLossyValues() {
      super(null, null, false, false);
    }
  }

  private BackupManifest captureD1(CaptureRequest request) {
    Heartbeats hb = new Heartbeats();
    String id = request.backupId();
    D1Api d1 = backends.cloudflare().d1();
    hb.beat("resolving " + request.target().value());
    D1Database db = d1.get(request.target().value());
    D1Source source = new D1Source(d1, db.uuid());
    List<D1Source.SourceTable> all = source.tables();
    List<D1Source.SourceTable> virtual = all.stream().filter(D1Source.SourceTable::virtual).toList();
    List<D1Source.SourceTable> selected = select(all, request.tables());
    BackupKeys keys = keys();
    DataKey dataKey = keys.newDataKey();
    WrappedKey wrapped = keys.wrap(dataKey, aad(id));
    ObjectStore store = backends.backupStore();
    String prefix = BackupIds.prefix(id);
    WriterOptions options =
        WriterOptions.defaults().withProgress(bytes -> hb.beat("compress, encrypt, upload", bytes, 0, "bytes"), 8 << 20);

    StoredObject lossyObject = null;
    List<LossyColumn> lossy = new ArrayList<>();
    Map<String, String> labels = new LinkedHashMap<>();
    if (request.labels() != null) {
      labels.putAll(request.labels());
    }
    List<String> emptied = virtual.stream().filter(v -> !ImportSqlWriter.rebuildsFromContent(v.sql()))
        .map(D1Source.SourceTable::name).toList();
    if (!emptied.isEmpty()) {
      labels.put("virtualTablesRestoredEmpty", String.join(", ", emptied) + ": the backup holds their definition,"
          + " not their rows (only external-content FTS5 indexes are rebuilt on restore)");
    }
    // Fingerprints before and after the export: where they agree, nothing changed the table while it
    // was exported, and verification must restore exactly that fingerprint.
    List<String> fingerprinted = selected.stream().filter(t -> !t.virtual()).map(D1Source.SourceTable::name).toList();
    hb.beat("fingerprinting " + fingerprinted.size() + " table(s) at the source");
    Map<String, List<Object>> before = source.fingerprints(fingerprinted);
    BackupObject data;
    Map<String, Long> rows;
    String bookmark;
    String method;
    // Values the export would round or mangle are captured exactly, before the export runs. They
    // are held in memory (and again on restore), so a database with more than MAX_LOSSY_PATCHES of
    // them is read through the query API instead, which is lossless by construction.
    LossyPatchSet patches = null;
    if (virtual.isEmpty()) {
      hb.beat("detecting values the export format loses");
      LossyExportDetector detector = new LossyExportDetector();
      Set<String> names = Set.copyOf(selected.stream().map(D1Source.SourceTable::name).toList());
      List<LossyExportDetector.TableSchema> schemas =
          detector.describe(source).stream().filter(t -> names.contains(t.name())).toList();
      List<LossyPatch> found = new ArrayList<>();
      try {
        List<String> unchecked = detector.detect(source, schemas, patch -> {
          if (found.size() == maxLossyPatches) {
            throw new TooManyLossyValues();
          }
          found.add(patch);
        });
        patches = new LossyPatchSet(found, unchecked);
      } catch (TooManyLossyValues e) {
        log.info("backup {}: more than {} values the export loses; reading through the query API", id,
            maxLossyPatches);
        labels.put("exportMethodReason", "more than " + maxLossyPatches + " values D1's export would lose:"
            + " read through the query API, losslessly");
      }
    }
    if (patches != null) {
      lossy = summarize(patches);
      if (!patches.patches().isEmpty()) {
        ByteArrayOutputStream ndjson = new ByteArrayOutputStream();
        patches.writeNdjson(ndjson);
        BackupObject o = new BackupWriter().write(new ByteArrayInputStream(ndjson.toByteArray()), store,
            prefix + LOSSY, dataKey, aad(id, LOSSY), WriterOptions.defaults());
        lossyObject = stored(o, wrapped);
      }
      for (String unchecked : patches.uncheckedTables()) {
        log.warn("backup {}: could not check {} for values the export loses", id, unchecked);
      }
      if (!patches.uncheckedTables().isEmpty()) {
        labels.put("lossyUnchecked", String.join("; ", patches.uncheckedTables()));
      }
      D1ExportOptions exportOptions =
          request.tables() == null || request.tables().isEmpty()
              ? D1ExportOptions.full()
              : D1ExportOptions.tables(selected.stream().map(D1Source.SourceTable::name).toList());
      AtomicReference<D1ExportResult> exported = new AtomicReference<>();
      InsertCounter counter;
      try (Piped pipe = new Piped("d1-export-" + id, out -> exported.set(
          d1.exportTo(db.uuid(), exportOptions, out, p -> hb.beat("D1 export " + p.phase(), p.bytesTransferred(),
              p.totalBytes(), "bytes"))))) {
        counter = new InsertCounter(pipe.input());
        data = new BackupWriter().write(counter, store, prefix + SQL_DATA, dataKey, aad(id, SQL_DATA), options);
        pipe.finish();
      }
      rows = userTables(counter.rows());
      bookmark = exported.get().atBookmark();
      method = "d1-export";
    } else {
      // D1 refuses to export any database with a virtual table (and one with very many lossy
      // values is cheaper to read exactly), so read it through the query API; this path is lossless
      // by construction.
      bookmark = currentBookmark(d1, db.uuid());
      D1QueryDumper dumper = new D1QueryDumper(source);
      AtomicReference<Map<String, Long>> counts = new AtomicReference<>();
      try (Piped pipe = new Piped("d1-query-dump-" + id, out -> counts.set(
          dumper.dump(selected, out, n -> hb.beat("reading rows through the query API", n, 0, "rows"))))) {
        data = new BackupWriter().write(pipe.input(), store, prefix + SQL_DATA, dataKey, aad(id, SQL_DATA), options);
        pipe.finish();
      }
      rows = counts.get();
      method = "d1-query";
    }
    hb.beat("fingerprinting " + fingerprinted.size() + " table(s) at the source again");
    Map<String, List<Object>> after = source.fingerprints(fingerprinted);
    Map<String, String> checksums = new LinkedHashMap<>();
    List<String> changed = new ArrayList<>();
    for (String t : fingerprinted) {
      String fp = SourceFingerprint.of(before.get(t));
      if (!fp.equals(SourceFingerprint.of(after.get(t)))) {
        changed.add(t);
        continue;
      }
      long atSource = SourceFingerprint.rows(before.get(t));
      long dumped = rows.getOrDefault(t, 0L);
      if (dumped != atSource) {
        // Retryable: a new export may be complete; the data stored under this id is replaced.
        throw ApplicationFailure.newFailure("the " + method + " of " + request.target().label() + " holds " + dumped
            + " row(s) of " + t + " but the table had " + atSource + ", unchanged while it was exported", "ExportIncomplete");
      }
      checksums.put(t, fp);
    }
    if (!changed.isEmpty()) {
      labels.put("unfingerprinted", "written to during the export, so verified against the export only: "
          + String.join(", ", changed));
    }
    hb.beat("recording the schema");
    List<TableManifest> tables =
        source.manifests(selected.stream().filter(t -> !t.virtual()).toList(), rows, checksums);
    List<TableManifest> skipped = new ArrayList<>();
    for (D1Source.SourceTable v : virtual) {
      skipped.add(new TableManifest(v.name(), 0, v.sql(), List.of(), List.of(), null));
    }
    return new BackupManifest(BackupManifest.FORMAT_VERSION, id, "d1", request.target().label(), db.uuid(),
        db.name(), request.requestedAt(), clock.instant(), request.tier(), bookmark, method, "sql-dump", tables,
        skipped, stored(data, wrapped), lossyObject, null, lossy, Verification.pending(), null, null, null,
        labels.isEmpty() ? null : labels, null);
  }

  private static String currentBookmark(D1Api d1, String uuid) {
    try {
      return d1.currentBookmark(uuid);
    } catch (RuntimeException e) {
      log.info("no Time Travel bookmark for {}: {}", uuid, e.getMessage());
      return null;
    }
  }

  private static List<D1Source.SourceTable> select(List<D1Source.SourceTable> all, List<String> wanted) {
    if (wanted == null || wanted.isEmpty()) {
      return all;
    }
    List<D1Source.SourceTable> out = new ArrayList<>();
    for (String w : wanted) {
      out.add(all.stream().filter(t -> t.name().equalsIgnoreCase(w)).findFirst()
          .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
              "table " + w + " does not exist; tables: "
                  + String.join(", ", all.stream().map(D1Source.SourceTable::name).toList()), "InvalidInput")));
    }
    return out;
  }

  private static Map<String, Long> userTables(Map<String, Long> counted) {
    Map<String, Long> out = new TreeMap<>();
    counted.forEach((t, n) -> {
      if (!t.startsWith("sqlite_")) {
        out.put(t, n);
      }
    });
    return out;
  }

  private static List<LossyColumn> summarize(LossyPatchSet patches) {
    Map<String, long[]> counts = new LinkedHashMap<>();
    Map<String, String> problems = new LinkedHashMap<>();
    for (LossyPatch p : patches.patches()) {
      for (String column : p.values().keySet()) {
        String k = p.table() + "\u0000" + column;
        counts.computeIfAbsent(k, x -> new long[1])[0]++;
        problems.putIfAbsent(k, p.reasons().isEmpty() ? "lossy" : String.join(", ", p.reasons()));
      }
    }
    List<LossyColumn> out = new ArrayList<>();
    counts.forEach((k, n) -> {
      String[] tc = k.split("\u0000", 2);
      out.add(new LossyColumn(tc[0], tc[1], problems.get(k), n[0], true));
    });
    return out;
  }

  private BackupManifest captureSqlite(CaptureRequest request) {
    Heartbeats hb = new Heartbeats();
    String id = request.backupId();
    Path source = Path.of(request.target().value());
    if (!Files.isRegularFile(source)) {
      throw ApplicationFailure.newNonRetryableFailure(
          "SQLite file " + source + " does not exist on this worker (" + hostName() + ")", "NotFound");
    }
    Path work = backends.newWorkDir("sqlite-backup-" + id);
    try {
      Path copy = work.resolve("snapshot.sqlite");
      hb.beat("copying with SQLite's online backup API");
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + source + "?mode=ro");
          Statement st = c.createStatement()) {
        st.executeUpdate("backup to " + copy);
      } catch (SQLException e) {
        throw ApplicationFailure.newFailure("SQLite online backup of " + source + " failed: " + e.getMessage(),
            "SqliteBackupFailed");
      }
      hb.beat("counting and checksumming the snapshot");
      DatabaseCensus census = DatabaseCensus.take(copy, DatabaseCensus.Options.defaults()
          .withIntegrity(DatabaseCensus.IntegrityCheck.QUICK));
      List<TableManifest> tables = tableManifests(copy, census, true);
      BackupKeys keys = keys();
      DataKey dataKey = keys.newDataKey();
      WrappedKey wrapped = keys.wrap(dataKey, aad(id));
      BackupObject data;
      try (InputStream in = Files.newInputStream(copy)) {
        data = new BackupWriter().write(in, backends.backupStore(), BackupIds.prefix(id) + SQLITE_DATA, dataKey,
            aad(id, SQLITE_DATA), WriterOptions.defaults()
                .withProgress(b -> hb.beat("compress, encrypt, upload", b, 0, "bytes"), 8 << 20));
      }
      return new BackupManifest(BackupManifest.FORMAT_VERSION, id, "sqlite", request.target().label(), null,
          source.toAbsolutePath().normalize().toString(), request.requestedAt(), clock.instant(), request.tier(), null, "sqlite-backup-api",
          "sqlite-file", tables, List.of(), stored(data, wrapped), null, null, List.of(), Verification.pending(), null,
          null, null, request.labels(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      Backends.deleteWorkDir(work);
    }
  }

  /** Table manifests of a local SQLite file, from its census. */
  static List<TableManifest> tableManifests(Path db, DatabaseCensus census, boolean withChecksums) {
    List<TableManifest> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro")) {
      var schema = dev.lifeline.activities.sqlite.SqliteSchema.read(c);
      for (DatabaseCensus.TableCensus t : census.tables()) {
        if (t.virtual() || t.name().startsWith("sqlite_")) {
          continue;
        }
        List<String> columns = schema.table(t.name())
            .map(tb -> tb.columns().stream()
                .map(col -> (col.name() + " " + (col.declaredType() == null ? "" : col.declaredType())).trim()).toList())
            .orElse(List.of());
        List<String> indexes = census.objects().stream()
            .filter(o -> o.type().equals("index") && t.name().equalsIgnoreCase(o.table()))
            .map(DatabaseCensus.SchemaObject::sql).toList();
        out.add(new TableManifest(t.name(), t.rowCount(), t.sql(), columns, indexes,
            withChecksums ? t.checksum() : null));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the schema of " + db + ": " + e.getMessage(), e);
    }
    return out;
  }

  // ------------------------------------------------------------------ verify

  @Override
  public Verification verify(BackupManifest m) {
    return ActivityFailures.call(() -> {
      Heartbeats hb = new Heartbeats();
      Path work = backends.newWorkDir("verify-" + m.backupId());
      try {
        Path db = work.resolve("restored.sqlite");
        try {
          restoreLocally(m, db, hb);
        } catch (ApplicationFailure e) {
          if (List.of("BackupIntegrity", "WrongBackupKey", "DumpFormat").contains(e.getType())) {
            return failed(List.of(e.getOriginalMessage()));
          }
          throw e;
        }
        hb.beat("integrity_check, foreign_key_check, row counts and checksums");
        DatabaseCensus census = DatabaseCensus.take(db, DatabaseCensus.Options.defaults());
        return verdict(m, census, fingerprints(m, db));
      } finally {
        Backends.deleteWorkDir(work);
      }
    });
  }

  /**
   * Downloads, checks, decrypts and loads backup {@code m} into the new SQLite file {@code db},
   * applying captured lossy values. Integrity failures surface as non-retryable failures.
   */
  void restoreLocally(BackupManifest m, Path db, Heartbeats hb) {
    ActivityFailures.call(() -> {
      BackupKeys keys = keys();
      DataKey dataKey = keys.unwrap(wrapped(m.data()), aad(m.backupId()));
      ObjectStore store = backends.backupStore();
      Path work = db.getParent();
      hb.beat("downloading and checking the stored object");
      try (VerifiedPlaintext plaintext = new BackupReader().open(store, m.data().key(), expected(m.data()), dataKey,
          aad(m.backupId(), objectName(m.data())), work)) {
        if ("sqlite-file".equals(m.plaintextFormat())) {
          hb.beat("decrypting the SQLite file");
          plaintext.copyTo(db);
        } else {
          new SqliteLoader().load(plaintext.openStream(), db, LoadOptions.defaults(),
              new dev.lifeline.activities.backup.LoadProgressListener() {
                @Override
                public void onProgress(dev.lifeline.activities.backup.LoadProgress p) {
                  hb.beat("loading the dump into SQLite", p.rowsLoaded(), m.totalRows(), "rows");
                }
              });
        }
      }
      if (m.lossyPatches() != null) {
        hb.beat("restoring the values the export format loses");
        try (VerifiedPlaintext patches = new BackupReader().open(store, m.lossyPatches().key(),
            expected(m.lossyPatches()), dataKey, aad(m.backupId(), objectName(m.lossyPatches())), work, false)) {
          LossyPatchSet set = LossyPatchSet.readNdjson(patches.openStream());
          LossyPatchSet.ApplyResult applied = set.applyTo(db);
          if (!applied.unmatched().isEmpty()) {
            throw ApplicationFailure.newNonRetryableFailure(
                "captured exact values did not match rows of the dump: " + applied.unmatched(), "BackupIntegrity");
          }
        }
      }
      return null;
    });
  }

  /** The restored copy's fingerprints of the tables whose manifest carries a source fingerprint. */
  private static Map<String, String> fingerprints(BackupManifest m, Path db) {
    Map<String, String> out = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath())) {
      for (TableManifest t : m.tables()) {
        String fp = SourceFingerprint.isFingerprint(t.checksum()) ? SourceFingerprint.take(c, t.name()) : null;
        if (fp != null) {
          out.put(t.name(), fp);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not fingerprint the restored copy " + db + ": " + e.getMessage(), e);
    }
    return out;
  }

  private Verification verdict(BackupManifest m, DatabaseCensus census, Map<String, String> fingerprints) {
    List<String> reasons = new ArrayList<>();
    String integrity = String.join("; ", census.integrityMessages());
    if (!census.integrityMessages().equals(List.of("ok"))) {
      reasons.add("integrity_check of the restored copy: " + integrity);
    }
    Map<String, String> earlier = new TreeMap<>();
    if (m.verification() != null && m.verification().tables() != null) {
      m.verification().tables().forEach(t -> earlier.put(t.name(), t.checksum()));
    }
    for (TableManifest t : m.tables()) {
      DatabaseCensus.TableCensus c = census.tables().stream().filter(x -> x.name().equals(t.name())).findFirst()
          .orElse(null);
      if (c == null) {
        reasons.add("table " + t.name() + " is missing from the restored copy");
        continue;
      }
      if (c.rowCount() != t.rows()) {
        reasons.add("table " + t.name() + " has " + c.rowCount() + " rows restored but " + t.rows()
            + " were captured");
      }
      if (SourceFingerprint.isFingerprint(t.checksum())) {
        if (!t.checksum().equals(fingerprints.get(t.name()))) {
          reasons.add("table " + t.name() + " restores with a different fingerprint than the source had when it was"
              + " exported (a value's type or length, or an integer, changed)");
        }
      } else if (t.checksum() != null && !t.checksum().equals(c.checksum())) {
        reasons.add("table " + t.name() + " restores with a different checksum than was captured (a value or its"
            + " type changed)");
      }
      String before = earlier.get(t.name());
      if (before != null && !before.equals(c.checksum())) {
        reasons.add("table " + t.name() + " restores with a different checksum than at its first verification");
      }
    }
    long fk = census.foreignKeyViolations().values().stream().mapToLong(Long::longValue).sum();
    List<Verification.TableCensus> tables = census.tables().stream().filter(t -> !t.virtual())
        .map(t -> new Verification.TableCensus(t.name(), t.rowCount(), t.checksum())).toList();
    Verification.Status status = reasons.isEmpty() ? Verification.Status.PASSED : Verification.Status.FAILED;
    if (status == Verification.Status.PASSED && fk > 0) {
      // Foreign-key violations that were in the data when it was backed up are a fact about the
      // data, not a fault of the backup: say so without failing it.
      reasons.add("note: " + fk + " foreign-key violation(s) were already in the data: " + census.foreignKeyViolations());
    }
    return new Verification(status, clock.instant(), reasons, integrity, fk, tables);
  }

  private Verification failed(List<String> reasons) {
    return new Verification(Verification.Status.FAILED, clock.instant(), reasons, null, 0, List.of());
  }

  // ------------------------------------------------------------------ catalogue

  @Override
  public BackupManifest saveManifest(BackupManifest manifest) {
    return ActivityFailures.call(() -> manifests().save(manifest));
  }

  @Override
  public List<BackupManifest> list(BackupQuery query) {
    return ActivityFailures.call(() -> manifests().list(query));
  }

  @Override
  public BackupManifest get(String backupId) {
    return ActivityFailures.call(() -> manifests().get(backupId));
  }

  @Override
  public KeyRotationReport rotateKeys(KeyRotationInput input) {
    boolean dryRun = input != null && input.dryRunOrDefault();
    return ActivityFailures.call(() -> new BackupKeyRotator(manifests()).rotate(dryRun, new Heartbeats()));
  }

  @Override
  public String trash(String backupId) {
    return ActivityFailures.call(() -> {
      ObjectStore store = backends.backupStore();
      String prefix = BackupIds.prefix(backupId);
      List<String> keys;
      try (Stream<ObjectSummary> s = store.list(prefix)) {
        keys = s.map(ObjectSummary::key).toList();
      }
      if (keys.isEmpty()) {
        return findTrashed(store, backupId) != null
            ? backupId + " is already in the trash"
            : "no objects of " + backupId + " (nothing to move)";
      }
      String trashPrefix = "trash/" + DAY.format(clock.instant()) + "/";
      // Copy everything first, then delete: a crash in between leaves two copies, never none.
      for (String key : keys) {
        store.copy(key, store.bucket(), trashPrefix + key);
      }
      store.deleteAll(keys);
      return "moved " + backupId + " (" + keys.size() + " objects) to " + trashPrefix;
    });
  }

  @Override
  public String untrash(String backupId) {
    return ActivityFailures.call(() -> {
      ObjectStore store = backends.backupStore();
      String trashed = findTrashed(store, backupId);
      if (trashed == null) {
        return "no trashed copy of " + backupId + " (nothing to restore)";
      }
      List<String> keys;
      try (Stream<ObjectSummary> s = store.list(trashed)) {
        keys = s.map(ObjectSummary::key).toList();
      }
      String dayPrefix = trashed.substring(0, "trash/yyyyMMdd/".length());
      for (String key : keys) {
        store.copy(key, store.bucket(), key.substring(dayPrefix.length()));
      }
      store.deleteAll(keys);
      return "restored " + backupId + " (" + keys.size() + " objects) from the trash";
    });
  }

  /** The trash prefix holding {@code backupId}, or null. */
  private static String findTrashed(ObjectStore store, String backupId) {
    String suffix = BackupIds.prefix(backupId);
    try (Stream<ObjectSummary> s = store.list("trash/")) {
      return s.map(ObjectSummary::key)
          .filter(k -> k.length() > 15 && k.startsWith(suffix, 15))
          .map(k -> k.substring(0, 15) + suffix)
          .findFirst()
          .orElse(null);
    }
  }

  @Override
  public List<String> purgeTrash(int olderThanDays) {
    return ActivityFailures.call(() -> {
      ObjectStore store = backends.backupStore();
      String cutoff = DAY.format(clock.instant().minus(java.time.Duration.ofDays(olderThanDays)));
      List<String> doomed = new ArrayList<>();
      Set<String> ids = new java.util.TreeSet<>();
      try (Stream<ObjectSummary> s = store.list("trash/")) {
        s.map(ObjectSummary::key).forEach(k -> {
          String day = k.substring("trash/".length(), Math.min(k.length(), "trash/".length() + 8));
          if (day.length() == 8 && day.compareTo(cutoff) < 0) {
            doomed.add(k);
            String[] parts = k.split("/");
            if (parts.length > 5) {
              ids.add(parts[5]);
            }
          }
        });
      }
      for (int from = 0; from < doomed.size(); from += 1000) {
        store.deleteAll(doomed.subList(from, Math.min(doomed.size(), from + 1000)));
      }
      return List.copyOf(ids);
    });
  }

  // ------------------------------------------------------------------ helpers


  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "this host";
    }
  }

  /**
   * A producer thread writing into a pipe the caller reads from. {@link #finish()} waits for the
   * producer and rethrows its failure; {@link #close()} stops it if the reader gave up.
   */
  static final class Piped implements AutoCloseable {
    interface Producer {
      void produce(java.io.OutputStream out) throws IOException;
    }

    private final PipedInputStream in;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    Piped(String name, Producer producer) {
      try {
        this.in = new PipedInputStream(1 << 20);
        PipedOutputStream out = new PipedOutputStream(in);
        this.thread = new Thread(() -> {
          try (out) {
            producer.produce(out);
          } catch (Throwable t) {
            failure.set(t);
          }
        }, name);
        thread.setDaemon(true);
        thread.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    InputStream input() {
      return new java.io.FilterInputStream(in) {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          try {
            return super.read(b, off, len);
          } catch (IOException e) {
            throw producerFailureOr(e);
          }
        }

        @Override
        public int read() throws IOException {
          try {
            return super.read();
          } catch (IOException e) {
            throw producerFailureOr(e);
          }
        }
      };
    }

    private IOException producerFailureOr(IOException e) {
      Throwable t = failure.get();
      if (t instanceof RuntimeException re) {
        throw re;
      }
      return e;
    }

    void finish() {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      Throwable t = failure.get();
      if (t instanceof RuntimeException re) {
        throw re;
      }
      if (t instanceof Error err) {
        throw err;
      }
      if (t != null) {
        throw new UncheckedIOException(new IOException(t.getMessage(), t));
      }
    }

    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException e) {
        // The producer sees a closed pipe and stops.
      }
      thread.interrupt();
    }
  }
}
