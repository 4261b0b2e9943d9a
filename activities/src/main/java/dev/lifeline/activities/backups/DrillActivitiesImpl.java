package dev.lifeline.activities.backups;

import dev.lifeline.activities.backup.DatabaseCensus;
import dev.lifeline.activities.backup.LoadOptions;
import dev.lifeline.activities.backup.LoadProgress;
import dev.lifeline.activities.backup.LoadProgressListener;
import dev.lifeline.activities.backup.SqliteLoader;
import dev.lifeline.activities.cloudflare.D1Api;
import dev.lifeline.activities.cloudflare.D1Database;
import dev.lifeline.activities.cloudflare.KvApi;
import dev.lifeline.activities.cloudflare.KvKey;
import dev.lifeline.activities.cloudflare.KvKeyPage;
import dev.lifeline.activities.cloudflare.KvNamespace;
import dev.lifeline.activities.cloudflare.KvWriteOptions;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.sqlite.SqlIdentifiers;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.Verification;
import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.drill.DrillActivities;
import io.temporal.failure.ApplicationFailure;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** The drill's own activities (see {@link DrillActivities}). */
public final class DrillActivitiesImpl implements DrillActivities {
  private final Backends backends;

  /** @param backends connections */
  public DrillActivitiesImpl(Backends backends) {
    this.backends = backends;
  }

  @Override
  public String prepareCopy(Target copy) {
    return ActivityFailures.call(() -> switch (copy.kind()) {
      case D1 -> {
        D1Api d1 = backends.cloudflare().d1();
        if (d1.find(copy.value()).isPresent()) {
          yield "exists";
        }
        d1.create(copy.value(), null, null);
        yield "created";
      }
      case KV -> {
        KvApi kv = backends.cloudflare().kv();
        if (kv.findNamespaceByTitle(copy.value()).isPresent()) {
          yield "exists";
        }
        // Not idempotent on Cloudflare's side: a retry after a lost answer finds it above.
        kv.createNamespace(copy.value());
        yield "created";
      }
      case SQLITE -> throw ApplicationFailure.newNonRetryableFailure(
          "drill copies are D1 databases and KV namespaces", "InvalidInput");
    });
  }

  @Override
  public DrillInjection inject(Target target, long seed) {
    return ActivityFailures.call(() -> switch (target.kind()) {
      case D1 -> injectD1(target);
      case KV -> injectKv(target, seed);
      case SQLITE -> throw ApplicationFailure.newNonRetryableFailure(
          "drills damage D1 databases and KV namespaces, not local SQLite files", "InvalidInput");
    });
  }

  private DrillInjection injectD1(Target target) {
    D1Api d1 = backends.cloudflare().d1();
    D1Database db = d1.get(target.value());
    D1Source source = new D1Source(d1, db.uuid());
    List<D1Source.SourceTable> tables = source.tables().stream().filter(t -> !t.virtual()).toList();
    Map<String, Long> counts = source.rowCounts(tables.stream().map(D1Source.SourceTable::name).toList());
    List<String> changes = new ArrayList<>();
    long rows = 0;
    java.time.Instant at = java.time.Instant.now();
    boolean monotask = counts.containsKey("tasks") && source.columns("tasks").stream().anyMatch(c -> c.startsWith("state"));
    if (monotask) {
      // The runbook's systemic pattern: a bad deploy writes invalid task states and loses events.
      long n = Math.max(5, counts.get("tasks") / 5);
      d1.execute(db.uuid(), "UPDATE tasks SET state = 'INVALID' WHERE rowid IN (SELECT rowid FROM tasks ORDER BY rowid LIMIT ?)", n);
      changes.add("set tasks.state to INVALID on " + n + " rows");
      rows += n;
      if (counts.containsKey("task_events")) {
        long m = Math.max(5, counts.get("task_events") / 5);
        d1.execute(db.uuid(), "DELETE FROM task_events WHERE rowid IN (SELECT rowid FROM task_events ORDER BY rowid DESC LIMIT ?)", m);
        changes.add("deleted " + m + " task_events rows");
        rows += m;
      }
    } else {
      String largest = counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
          .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure("the database has no tables to damage", "InvalidInput"));
      long n = Math.max(1, counts.get(largest) / 5);
      d1.execute(db.uuid(), "DELETE FROM " + SqlIdentifiers.quote(largest)
          + " WHERE rowid IN (SELECT rowid FROM " + SqlIdentifiers.quote(largest) + " ORDER BY rowid DESC LIMIT ?)", n);
      changes.add("deleted " + n + " rows of " + largest);
      rows += n;
    }
    return new DrillInjection(target.label(), changes, rows, at);
  }

  private DrillInjection injectKv(Target target, long seed) {
    KvApi kv = backends.cloudflare().kv();
    KvNamespace ns = KvBackupActivitiesImpl.namespace(kv, target.value());
    KvKeyPage page = kv.listKeysPage(ns.id(), null, null, 1000);
    List<KvKey> keys = page.keys();
    if (keys.size() < 2) {
      throw ApplicationFailure.newNonRetryableFailure("KV namespace " + ns.title() + " has too few keys to drill on",
          "InvalidInput");
    }
    int n = Math.max(1, keys.size() / 5);
    Heartbeats hb = new Heartbeats();
    List<String> changes = new ArrayList<>();
    int offset = (int) Math.floorMod(seed, keys.size());
    java.time.Instant at = java.time.Instant.now();
    List<String> deleted = new ArrayList<>();
    List<String> garbled = new ArrayList<>();
    for (int i = 0; i < 2 * n && i < keys.size(); i++) {
      KvKey k = keys.get((offset + i) % keys.size());
      hb.beat("damaging " + ns.title(), i, 2L * n, "keys");
      if (i % 2 == 0) {
        kv.delete(ns.id(), k.name());
        deleted.add(k.name());
      } else {
        kv.put(ns.id(), k.name(), "{\"truncated\": ".getBytes(StandardCharsets.UTF_8), KvWriteOptions.NONE);
        garbled.add(k.name());
      }
    }
    changes.add("deleted " + deleted.size() + " keys of " + ns.title());
    changes.add("overwrote " + garbled.size() + " values of " + ns.title() + " with malformed JSON");
    return new DrillInjection(target.label(), changes, deleted.size() + garbled.size(), at);
  }

  @Override
  public DrillComparison compare(Target target, BackupManifest backup) {
    return ActivityFailures.call(() -> switch (target.kind()) {
      case D1 -> compareD1(target, backup);
      case KV -> compareKv(target, backup);
      case SQLITE -> compareSqlite(target, backup);
    });
  }

  private DrillComparison compareD1(Target target, BackupManifest backup) {
    Heartbeats hb = new Heartbeats();
    D1Api d1 = backends.cloudflare().d1();
    D1Database db = d1.get(target.value());
    Path work = backends.newWorkDir("drill-compare");
    try {
      // Read through the query API, as a backup of a database with virtual tables does: lossless
      // by construction, so the comparison sees the data and not an export format's rounding.
      D1Source source = new D1Source(d1, db.uuid());
      Path dump = work.resolve("now.sql");
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dump))) {
        new D1QueryDumper(source).dump(source.tables(), out,
            n -> hb.beat("reading " + db.name() + " to compare it with " + backup.backupId(), n, backup.totalRows(), "rows"));
      }
      Path staging = work.resolve("now.sqlite");
      new SqliteLoader().load(dump, staging, LoadOptions.defaults(), new LoadProgressListener() {
        @Override
        public void onProgress(LoadProgress p) {
          hb.beat("loading the copy into SQLite", p.rowsLoaded(), backup.totalRows(), "rows");
        }
      });
      hb.beat("counting and checksumming every table");
      return compareCensus(DatabaseCensus.take(staging), backup);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      Backends.deleteWorkDir(work);
    }
  }

  private DrillComparison compareSqlite(Target target, BackupManifest backup) {
    return compareCensus(DatabaseCensus.take(Path.of(target.value())), backup);
  }

  private static DrillComparison compareCensus(DatabaseCensus now, BackupManifest backup) {
    List<String> differences = new ArrayList<>();
    Verification v = backup.verification();
    if (v == null || v.tables() == null || v.tables().isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure("backup " + backup.backupId() + " has no verified census to compare with",
          "InvalidInput");
    }
    for (Verification.TableCensus t : v.tables()) {
      DatabaseCensus.TableCensus c = now.tables().stream().filter(x -> x.name().equals(t.name())).findFirst().orElse(null);
      if (c == null) {
        differences.add("table " + t.name() + " is missing");
      } else if (c.rowCount() != t.rows()) {
        differences.add(t.name() + ": " + c.rowCount() + " rows now, " + t.rows() + " in the backup");
      } else if (t.checksum() != null && !t.checksum().equals(c.checksum())) {
        differences.add(t.name() + ": same row count, different contents");
      }
    }
    return new DrillComparison(differences.isEmpty(), differences);
  }

  private DrillComparison compareKv(Target target, BackupManifest backup) {
    KvApi kv = backends.cloudflare().kv();
    KvNamespace ns = KvBackupActivitiesImpl.namespace(kv, target.value());
    Heartbeats hb = new Heartbeats();
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long keys = 0;
    long expected = backup.keyCount() == null ? 0 : backup.keyCount();
    for (KvEntries.Entry listed : new KvEntries(kv, ns.id(),
        n -> hb.beat("hashing every key and value of " + ns.title(), n, expected, "keys"))) {
      KvKey k = listed.key();
      KvRecords.Entry e = new KvRecords.Entry(k.name(), listed.value(), k.metadata(), k.expiration());
      sha.update(KvRecords.indexLine(k.name(), KvRecords.hash(e)).getBytes(StandardCharsets.UTF_8));
      keys++;
    }
    List<String> differences = new ArrayList<>();
    if (backup.keyCount() != null && keys != backup.keyCount()) {
      differences.add(keys + " keys now, " + backup.keyCount() + " in the backup");
    }
    if (backup.index() != null && !HexFormat.of().formatHex(sha.digest()).equals(backup.index().plaintextSha256())) {
      differences.add("keys, values, metadata or expirations differ from the backup");
    }
    return new DrillComparison(differences.isEmpty(), differences);
  }
}
