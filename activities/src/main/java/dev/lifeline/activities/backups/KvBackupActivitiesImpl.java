package dev.lifeline.activities.backups;

import dev.lifeline.activities.backup.BackupObject;
import dev.lifeline.activities.backup.BackupReader;
import dev.lifeline.activities.backup.BackupWriter;
import dev.lifeline.activities.backup.VerifiedPlaintext;
import dev.lifeline.activities.backup.WriterOptions;
import dev.lifeline.activities.cloudflare.CloudflareValidationException;
import dev.lifeline.activities.cloudflare.KvApi;
import dev.lifeline.activities.cloudflare.KvBulkValue;
import dev.lifeline.activities.cloudflare.KvKey;
import dev.lifeline.activities.cloudflare.KvNamespace;
import dev.lifeline.activities.cloudflare.KvValue;
import dev.lifeline.activities.crypto.BackupKeys;
import dev.lifeline.activities.crypto.DataKey;
import dev.lifeline.activities.crypto.WrappedKey;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.replication.Utf8Order;
import dev.lifeline.activities.s3.ObjectStore;
import dev.lifeline.workflows.backup.BackupIds;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.BackupManifest.TableManifest;
import dev.lifeline.workflows.backup.KvBackupActivities;
import dev.lifeline.workflows.backup.KvCaptureRequest;
import dev.lifeline.workflows.backup.Verification;
import io.temporal.failure.ApplicationFailure;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Workers KV backups (see {@link KvBackupActivities}). Keys are listed a page (1,000) at a time and
 * their values read with bulk get (100 per request; a page holding a binary value falls back to
 * single reads), so memory stays flat. Incrementals merge the listing with the parent's index, both
 * in key order.
 */
public final class KvBackupActivitiesImpl implements KvBackupActivities {
  static final String KV_DATA = "data.ndjson.zst.tink";
  static final String KV_INDEX = "index.tsv.zst.tink";

  private final Backends backends;
  private final BackupActivitiesImpl d1;
  private final Clock clock;

  /** @param backends connections */
  public KvBackupActivitiesImpl(Backends backends) {
    this(backends, Clock.systemUTC());
  }

  KvBackupActivitiesImpl(Backends backends, Clock clock) {
    this.backends = backends;
    this.d1 = new BackupActivitiesImpl(backends, clock);
    this.clock = clock;
  }

  /** The namespace by title or id. */
  static KvNamespace namespace(KvApi kv, String titleOrId) {
    return kv.findNamespaceByTitle(titleOrId).orElseGet(() -> {
      try {
        return kv.getNamespace(titleOrId);
      } catch (RuntimeException e) {
        throw ApplicationFailure.newNonRetryableFailure(
            "no KV namespace titled or with id " + titleOrId, "NotFound");
      }
    });
  }

  @Override
  public BackupManifest capture(KvCaptureRequest request) {
    return ActivityFailures.call(() -> {
      Heartbeats hb = new Heartbeats();
      KvApi kv = backends.cloudflare().kv();
      KvNamespace ns = namespace(kv, request.namespace());
      String id = request.backupId();
      BackupKeys keys = d1.keys();
      DataKey dataKey = keys.newDataKey();
      WrappedKey wrapped = keys.wrap(dataKey, BackupActivitiesImpl.aad(id));
      ObjectStore store = backends.backupStore();
      String prefix = BackupIds.prefix(id);
      Path work = backends.newWorkDir("kv-backup-" + id);
      try {
        Path indexFile = work.resolve("index.tsv");
        AtomicLong keyCount = new AtomicLong();
        AtomicLong changes = new AtomicLong();
        BackupObject data;
        try (BackupActivitiesImpl.Piped pipe = new BackupActivitiesImpl.Piped("kv-list-" + id,
            out -> list(kv, ns.id(), request.parent(), keys, store, work, indexFile, out, keyCount, changes, hb))) {
          data = new BackupWriter().write(pipe.input(), store, prefix + KV_DATA, dataKey,
              BackupActivitiesImpl.aad(id, KV_DATA), WriterOptions.defaults());
          pipe.finish();
        }
        BackupObject index;
        try (InputStream in = Files.newInputStream(indexFile)) {
          index = new BackupWriter().write(in, store, prefix + KV_INDEX, dataKey,
              BackupActivitiesImpl.aad(id, KV_INDEX), WriterOptions.defaults());
        }
        BackupManifest parent = request.parent();
        String base = parent == null ? null : parent.baseBackupId() != null ? parent.baseBackupId() : parent.backupId();
        Map<String, String> labels = new LinkedHashMap<>();
        if (request.labels() != null) {
          labels.putAll(request.labels());
        }
        labels.put("records", Long.toString(changes.get()));
        return new BackupManifest(BackupManifest.FORMAT_VERSION, id, "kv", "kv:" + ns.title(), ns.id(), ns.title(),
            request.requestedAt(), clock.instant(), request.tier(), null, "kv-list", "kv-ndjson",
            List.of(new TableManifest(ns.title(), keyCount.get(), null, null, null, index.plaintextSha256())),
            List.of(), BackupActivitiesImpl.stored(data, wrapped), null, BackupActivitiesImpl.stored(index, wrapped),
            List.of(), Verification.pending(), base, parent == null ? null : parent.backupId(), keyCount.get(),
            labels, null);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        Backends.deleteWorkDir(work);
      }
    });
  }

  /** Lists the namespace into NDJSON records and the index file. */
  private void list(KvApi kv, String nsId, BackupManifest parent, BackupKeys keys, ObjectStore store, Path work,
      Path indexFile, OutputStream out, AtomicLong keyCount, AtomicLong changes, Heartbeats hb) throws IOException {
    try (BufferedWriter index = Files.newBufferedWriter(indexFile, StandardCharsets.UTF_8);
        ParentIndex previous = parent == null ? ParentIndex.EMPTY : ParentIndex.open(parent, store, keys, work)) {
      // A key deleted between listing and reading is not in this backup.
      for (KvEntries.Entry listed : new KvEntries(kv, nsId, n -> hb.beat("listing and reading KV keys", n, 0, "keys"))) {
        KvKey k = listed.key();
        KvRecords.Entry e = new KvRecords.Entry(k.name(), listed.value(), k.metadata(), k.expiration());
        String hash = KvRecords.hash(e);
        index.write(KvRecords.indexLine(k.name(), hash));
        keyCount.incrementAndGet();
        // Keys the parent had and the listing passed are gone.
        for (String gone : previous.keysBefore(k.name())) {
          KvRecords.writeDelete(out, gone);
          changes.incrementAndGet();
        }
        String before = previous.hashOf(k.name());
        if (before == null || !before.equals(hash)) {
          KvRecords.writePut(out, e);
          changes.incrementAndGet();
        }
      }
      for (String gone : previous.rest()) {
        KvRecords.writeDelete(out, gone);
        changes.incrementAndGet();
      }
    }
  }

  /** Values of {@code keys}: bulk get, or single reads when the page holds a binary value. */
  static Map<String, byte[]> values(KvApi kv, String nsId, List<KvKey> keys) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    List<String> names = keys.stream().map(KvKey::name).toList();
    for (int from = 0; from < names.size(); from += 100) {
      List<String> batch = names.subList(from, Math.min(names.size(), from + 100));
      try {
        Map<String, KvBulkValue> bulk = kv.bulkGet(nsId, batch, false);
        bulk.forEach((k, v) -> out.put(k, v.value().getBytes(StandardCharsets.UTF_8)));
      } catch (CloudflareValidationException e) {
        // bulk/get serves text only; a binary value in the batch makes it refuse the whole batch.
        for (String k : batch) {
          kv.getValue(nsId, k).map(KvValue::bytes).ifPresent(v -> out.put(k, v));
        }
      }
    }
    return out;
  }

  /** The parent backup's index, read in key order alongside the listing. */
  static class ParentIndex implements AutoCloseable {
    static final ParentIndex EMPTY = new ParentIndex(null, null);
    private final BufferedReader in;
    private final VerifiedPlaintext plaintext;
    private String[] head;

    ParentIndex(BufferedReader in, VerifiedPlaintext plaintext) {
      this.in = in;
      this.plaintext = plaintext;
    }

    static ParentIndex open(BackupManifest parent, ObjectStore store, BackupKeys keys, Path work) {
      if (parent.index() == null) {
        throw ApplicationFailure.newNonRetryableFailure(
            "backup " + parent.backupId() + " has no key index; an incremental cannot build on it", "InvalidInput");
      }
      DataKey dk = keys.unwrap(BackupActivitiesImpl.wrapped(parent.index()), BackupActivitiesImpl.aad(parent.backupId()));
      VerifiedPlaintext p = new BackupReader().open(store, parent.index().key(),
          BackupActivitiesImpl.expected(parent.index()), dk,
          BackupActivitiesImpl.aad(parent.backupId(), KV_INDEX), work, false);
      return new ParentIndex(new BufferedReader(new InputStreamReader(p.openStream(), StandardCharsets.UTF_8)), p);
    }

    private String[] peek() throws IOException {
      if (head == null && in != null) {
        String line = in.readLine();
        head = line == null ? null : KvRecords.parseIndexLine(line);
      }
      return head;
    }

    /** Parent keys sorting before {@code key}, consumed. */
    List<String> keysBefore(String key) throws IOException {
      List<String> out = new ArrayList<>();
      while (peek() != null && Utf8Order.INSTANCE.compare(head[1], key) < 0) {
        out.add(head[1]);
        head = null;
      }
      return out;
    }

    /** The parent's hash of {@code key} (consuming it), or null when the parent lacked it. */
    String hashOf(String key) throws IOException {
      if (peek() != null && head[1].equals(key)) {
        String h = head[0];
        head = null;
        return h;
      }
      return null;
    }

    /** Every remaining parent key. */
    List<String> rest() throws IOException {
      List<String> out = new ArrayList<>();
      while (peek() != null) {
        out.add(head[1]);
        head = null;
      }
      return out;
    }

    @Override
    public void close() throws IOException {
      if (in != null) {
        in.close();
      }
      if (plaintext != null) {
        plaintext.close();
      }
    }
  }

  @Override
  public Verification verify(List<BackupManifest> chain) {
    return ActivityFailures.call(() -> {
      Heartbeats hb = new Heartbeats();
      BackupManifest last = chain.get(chain.size() - 1);
      Path work = backends.newWorkDir("kv-verify-" + last.backupId());
      KvChainReplay opened;
      try {
        opened = ActivityFailures.call(() -> KvChainReplay.replay(chain, backends.backupStore(), d1.keys(), work,
            work.resolve("kv.sqlite"), n -> hb.beat("replaying the chain", n, 0, "records")));
      } catch (ApplicationFailure e) {
        Backends.deleteWorkDir(work);
        if (List.of("BackupIntegrity", "WrongBackupKey").contains(e.getType())) {
          return new Verification(Verification.Status.FAILED, clock.instant(), List.of(e.getOriginalMessage()),
              null, 0, List.of());
        }
        throw e;
      }
      try (KvChainReplay replay = opened) {
        List<String> reasons = new ArrayList<>();
        long keys = replay.keyCount();
        if (last.keyCount() != null && keys != last.keyCount()) {
          reasons.add("the chain replays to " + keys + " keys but " + last.keyCount() + " were captured");
        }
        String indexSha = replay.indexSha256();
        if (last.index() != null && !indexSha.equals(last.index().plaintextSha256())) {
          reasons.add("the replayed keys and values do not match the captured index of " + last.backupId());
        }
        return new Verification(reasons.isEmpty() ? Verification.Status.PASSED : Verification.Status.FAILED,
            clock.instant(), reasons, "ok", 0,
            List.of(new Verification.TableCensus(last.databaseName(), keys, "sha256:" + indexSha)));
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      } finally {
        Backends.deleteWorkDir(work);
      }
    });
  }
}
