package dev.lifeline.activities.backups;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lifeline.activities.cloudflare.KvApi;
import dev.lifeline.activities.cloudflare.KvKey;
import dev.lifeline.activities.cloudflare.KvNamespace;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.replication.Utf8Order;
import dev.lifeline.workflows.assess.KeySet;
import dev.lifeline.workflows.assess.KvFacts;
import dev.lifeline.workflows.assess.KvFactsRequest;
import dev.lifeline.workflows.backup.BackupManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Compares a KV namespace with its last verified backup, key by key: the backup chain is replayed
 * into a local SQLite file and walked in key order beside the namespace's listing (KV lists keys
 * in UTF-8 byte order, which is how SQLite orders the replayed keys), so memory holds one page of
 * the listing and a bounded list of keys per finding, whatever the namespace's size. Read-only;
 * idempotent (the same namespace and backup give the same facts).
 */
public final class KvNamespaceComparison {
  /** Share of values that must be JSON for a namespace to be expected to hold JSON. */
  static final int JSON_PERCENT = 95;

  /** Fewest values before a namespace without a backup is judged by its own majority. */
  static final int MIN_VALUES_FOR_MAJORITY = 20;

  /** An expiration this much earlier than the backup's is unexpected. */
  static final long EARLIER_SECONDS = 86_400;

  private static final ObjectMapper STRICT_JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private final Backends backends;
  private final Clock clock;

  /** @param backends connections */
  public KvNamespaceComparison(Backends backends) {
    this(backends, Clock.systemUTC());
  }

  KvNamespaceComparison(Backends backends, Clock clock) {
    this.backends = backends;
    this.clock = clock;
  }

  /** A counted key set that lists the first {@code limit} keys it is given (in the order given). */
  private static final class Keys {
    private final int limit;
    private final List<String> keys = new ArrayList<>();
    private long count;

    Keys(int limit) {
      this.limit = limit;
    }

    void add(String key) {
      count++;
      if (keys.size() < limit) {
        keys.add(key);
      }
    }

    KeySet set() {
      return new KeySet(count, List.copyOf(keys), count <= keys.size());
    }
  }

  /** The facts of {@code request}'s namespace. */
  public KvFacts compare(KvFactsRequest request, Heartbeats hb) {
    return ActivityFailures.call(() -> {
      KvApi kv = backends.cloudflare().kv();
      KvNamespace ns = KvBackupActivitiesImpl.namespace(kv, request.namespace());
      List<BackupManifest> chain = request.baseline() == null ? List.of() : request.baseline();
      if (chain.isEmpty()) {
        return withoutBaseline(kv, ns, request.recordLimit(), hb);
      }
      BackupManifest last = chain.get(chain.size() - 1);
      Path work = backends.newWorkDir("assess-kv-" + last.backupId());
      try (KvChainReplay replay = KvChainReplay.replay(chain, backends.backupStore(), new BackupActivitiesImpl(backends).keys(),
          work, work.resolve("baseline.sqlite"), n -> hb.beat("replaying backup " + last.backupId(), n, 0, "records"))) {
        return withBaseline(kv, ns, last, replay, request.recordLimit(), hb);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read the replayed backup: " + e.getMessage(), e);
      } finally {
        Backends.deleteWorkDir(work);
      }
    });
  }

  private KvFacts withBaseline(KvApi kv, KvNamespace ns, BackupManifest last, KvChainReplay replay, int limit,
      Heartbeats hb) throws SQLException {
    Instant now = clock.instant();
    long nowSeconds = now.getEpochSecond();
    // The backup's values decide what shape the namespace's values have.
    long[] shape = new long[2];
    replay.forEach(e -> {
      shape[0]++;
      if (isJson(e.value())) {
        shape[1]++;
      }
    });
    boolean json = shape[0] > 0 && shape[1] * 100 >= shape[0] * JSON_PERCENT;
    Keys missing = new Keys(limit);
    Keys added = new Keys(limit);
    Keys changed = new Keys(limit);
    Keys malformed = new Keys(limit);
    Keys expirations = new Keys(limit);
    Keys restorable = new Keys(limit);
    long expired = 0;
    long keys = 0;
    try (KvChainReplay.Cursor base = replay.cursor()) {
      String phase = "comparing KV " + ns.title() + " with backup " + last.backupId();
      for (KvEntries.Entry listed : new KvEntries(kv, ns.id(), n -> hb.beat(phase, n, 0, "keys"))) {
        KvKey k = listed.key();
        byte[] value = listed.value();
        keys++;
        // Backup keys sorting before this one are gone from the namespace.
        while (base.peek() != null && Utf8Order.INSTANCE.compare(base.peek().key(), k.name()) < 0) {
          KvRecords.Entry gone = base.next();
          if (gone.expiration() != null && gone.expiration() <= nowSeconds) {
            expired++;
          } else {
            missing.add(gone.key());
            restorable.add(gone.key());
          }
        }
        KvRecords.Entry before = base.peek() != null && base.peek().key().equals(k.name()) ? base.next() : null;
        boolean bad = json && !isJson(value);
        if (bad) {
          malformed.add(k.name());
        }
        boolean expiring = false;
        if (before == null) {
          added.add(k.name());
        } else {
          if (!Arrays.equals(before.value(), value) || !Objects.equals(before.expiration(), k.expiration())
              || !sameMetadata(before.metadata(), k.metadata())) {
            changed.add(k.name());
          }
          expiring = k.expiration() != null
              && (before.expiration() == null || k.expiration() < before.expiration() - EARLIER_SECONDS);
          if (expiring) {
            expirations.add(k.name());
          }
        }
        if (before != null && (bad || expiring) && (!json || isJson(before.value()))) {
          restorable.add(k.name());
        }
      }
      for (KvRecords.Entry gone = base.next(); gone != null; gone = base.next()) {
        if (gone.expiration() != null && gone.expiration() <= nowSeconds) {
          expired++;
        } else {
          missing.add(gone.key());
          restorable.add(gone.key());
        }
      }
    }
    return new KvFacts(ns.title(), ns.id(), now, last.backupId(), last.createdAt(), replay.keyCount(), keys,
        missing.set(), expired, added.set(), changed.set(), json ? "json" : null, malformed.set(), expirations.set(),
        restorable.set(), List.of());
  }

  private KvFacts withoutBaseline(KvApi kv, KvNamespace ns, int limit, Heartbeats hb) {
    Instant now = clock.instant();
    Keys notJson = new Keys(limit);
    long keys = 0;
    for (KvEntries.Entry listed : new KvEntries(kv, ns.id(), n -> hb.beat("reading KV " + ns.title(), n, 0, "keys"))) {
      keys++;
      if (!isJson(listed.value())) {
        notJson.add(listed.key().name());
      }
    }
    KeySet outliers = notJson.set();
    // With no backup, a namespace whose values are nearly all JSON is expected to hold JSON.
    boolean json = keys >= MIN_VALUES_FOR_MAJORITY && (keys - outliers.count()) * 100 >= keys * JSON_PERCENT;
    return new KvFacts(ns.title(), ns.id(), now, null, null, null, keys, KeySet.empty(), 0, KeySet.empty(),
        KeySet.empty(), json ? "json" : null, json ? outliers : KeySet.empty(), KeySet.empty(), KeySet.empty(),
        List.of("no verified backup: only the values' shape was checked, against the namespace's own majority"));
  }

  /** Whether {@code value} is one JSON document (nothing after it). */
  static boolean isJson(byte[] value) {
    if (value == null || value.length == 0) {
      return false;
    }
    try {
      JsonNode n = STRICT_JSON.readTree(value);
      return n != null && !n.isMissingNode();
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean sameMetadata(JsonNode a, JsonNode b) {
    boolean noA = a == null || a.isNull() || a.isMissingNode();
    boolean noB = b == null || b.isNull() || b.isMissingNode();
    return noA && noB || !noA && !noB && a.equals(b);
  }
}
