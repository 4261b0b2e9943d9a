package dev.lifeline.activities.backups;

import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.activities.crypto.BackupKeys;
import dev.lifeline.activities.crypto.WrappedKey;
import dev.lifeline.activities.s3.ObjectNotFoundException;
import dev.lifeline.activities.s3.ObjectStore;
import dev.lifeline.activities.s3.ObjectSummary;
import dev.lifeline.activities.s3.PutOptions;
import dev.lifeline.workflows.backup.BackupIds;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.BackupManifest.Encryption;
import dev.lifeline.workflows.backup.BackupManifest.StoredObject;
import dev.lifeline.workflows.backup.BackupQuery;
import io.temporal.failure.ApplicationFailure;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes backup manifests ({@code manifest.json} beside each backup's objects). Each is
 * authenticated with an HMAC from the backup key over its canonical JSON (keys sorted, nulls left
 * out, the {@code mac} field removed), so a manifest edited in the bucket — a changed checksum, a
 * swapped wrapped key — is refused instead of trusted.
 *
 * <p>During a key rotation the keys are a ring ({@link BackupKeys}): a manifest authenticated with
 * a previous key still loads, and every manifest saved is authenticated with the current key and
 * has its data keys re-wrapped to the current key first ({@link #withCurrentKeys}), so a save that
 * races a rotation (a verification recording its verdict) cannot put an old wrapping back.
 */
public final class ManifestStore {
  private static final Logger log = LoggerFactory.getLogger(ManifestStore.class);

  /** The manifest object name. */
  public static final String MANIFEST = "manifest.json";

  /** Failure type of a manifest whose MAC does not verify. */
  public static final String TAMPERED = "ManifestTampered";

  static final ObjectMapper CANONICAL =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .addModule(new Jdk8Module())
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private final ObjectStore store;
  private final BackupKeys keys;

  /**
   * @param store the backup bucket
   * @param keys the backup keys (for the MAC)
   */
  public ManifestStore(ObjectStore store, BackupKeys keys) {
    this.store = store;
    this.keys = keys;
  }

  /** The canonical bytes the MAC covers. */
  static byte[] canonical(BackupManifest m) {
    try {
      return CANONICAL.writeValueAsBytes(m.withMac(null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes {@code manifest} with its MAC under the current key, its data keys re-wrapped to the
   * current key where a previous one wrapped them; returns it as stored. Idempotent.
   */
  public BackupManifest save(BackupManifest manifest) {
    return put(BackupIds.prefix(manifest.backupId()) + MANIFEST, withCurrentKeys(manifest, false));
  }

  /** Writes {@code manifest}, MAC'd with the current key, to the object {@code objectKey} as is. */
  BackupManifest put(String objectKey, BackupManifest manifest) {
    BackupManifest signed = manifest.withMac(keys.mac(canonical(manifest)));
    byte[] json;
    try {
      json = CANONICAL.writerWithDefaultPrettyPrinter().writeValueAsBytes(signed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    store.upload(objectKey, new ByteArrayInputStream(json), new PutOptions("application/json", java.util.Map.of()));
    return signed;
  }

  /**
   * {@code manifest} with the data key of each stored object (data, lossy patches, index) wrapped
   * under the current key: the same manifest when they already are, or when one names a key the
   * ring does not hold (that is for whoever reads the backup to report, not for a save to refuse).
   *
   * @param strict whether a previous key's wrapping that does not open fails (the rotation, which
   *     must report it) or is left as it is (a save, which must still record, say, the failed
   *     verification of that very backup)
   * @throws dev.lifeline.activities.crypto.BackupKeyException when {@code strict} and a previous
   *     key's wrapping does not open (altered, or moved from another backup)
   */
  public BackupManifest withCurrentKeys(BackupManifest manifest, boolean strict) {
    StoredObject data = current(manifest.backupId(), manifest.data(), strict);
    StoredObject lossy = current(manifest.backupId(), manifest.lossyPatches(), strict);
    StoredObject index = current(manifest.backupId(), manifest.index(), strict);
    if (data == manifest.data() && lossy == manifest.lossyPatches() && index == manifest.index()) {
      return manifest;
    }
    BackupManifest m = manifest;
    return new BackupManifest(m.formatVersion(), m.backupId(), m.kind(), m.source(), m.databaseId(),
        m.databaseName(), m.createdAt(), m.completedAt(), m.tier(), m.timeTravelBookmark(), m.exportMethod(),
        m.plaintextFormat(), m.tables(), m.skippedVirtualTables(), data, lossy, index, m.lossy(), m.verification(),
        m.baseBackupId(), m.parentBackupId(), m.keyCount(), m.labels(), m.mac());
  }

  private StoredObject current(String backupId, StoredObject o, boolean strict) {
    if (o == null || o.encryption() == null || o.encryption().keyId() == null
        || o.encryption().keyId().equals(keys.keyId()) || !keys.knows(o.encryption().keyId())) {
      return o;
    }
    WrappedKey w;
    try {
      // Every object of a backup has its data key wrapped with the backup id as associated data.
      w = keys.toCurrent(BackupActivitiesImpl.wrapped(o), BackupActivitiesImpl.aad(backupId));
    } catch (dev.lifeline.activities.crypto.BackupKeyException e) {
      if (strict) {
        throw e;
      }
      return o;
    }
    return new StoredObject(o.key(), o.storedBytes(), o.storedSha256(), o.plaintextBytes(), o.plaintextSha256(),
        o.compression(), new Encryption(o.encryption().scheme(), w.keyId(), w.wrappedKeysetBase64()));
  }

  /**
   * Reads the manifest of {@code backupId}.
   *
   * @throws ApplicationFailure {@code NotFound} when there is none, {@value #TAMPERED} when its MAC
   *     does not verify (both non-retryable)
   */
  public BackupManifest get(String backupId) {
    String key;
    try {
      key = BackupIds.prefix(backupId) + MANIFEST;
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), "NotFound");
    }
    try {
      return read(key);
    } catch (ObjectNotFoundException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "no backup " + backupId + " in bucket " + store.bucket() + " (list them with `lifeline backups list`)",
          "NotFound");
    }
  }

  private BackupManifest read(String key) {
    return load(key).manifest();
  }

  /** A manifest as loaded, with the id of the key in the ring whose MAC it carries. */
  record Loaded(BackupManifest manifest, String macKeyId) {}

  /**
   * Reads and authenticates the manifest object {@code key} (under {@code backups/} or {@code
   * trash/}).
   *
   * @throws ApplicationFailure {@value #TAMPERED} when no key in the ring verifies its MAC
   * @throws ObjectNotFoundException when it is gone
   */
  Loaded load(String key) {
    try (InputStream in = store.openStream(key, 0)) {
      BackupManifest m = CANONICAL.readValue(in, BackupManifest.class);
      String macKeyId = m.mac() == null ? null : keys.macKeyId(canonical(m), m.mac());
      if (macKeyId == null) {
        throw ApplicationFailure.newNonRetryableFailure(
            "the manifest " + key + " failed its authenticity check (it was changed after it was written,"
                + " or it was written with another BACKUP_ENCRYPTION_KEY"
                + (keys.previousKeyIds().isEmpty() ? "" : " than those configured, current and previous")
                + "); it is not trusted",
            TAMPERED);
      }
      return new Loaded(m, macKeyId);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + key, e);
    }
  }

  /**
   * Passes the key of every manifest object in the bucket, live ones ({@code backups/}) and trashed
   * ones ({@code trash/}), to {@code action}, page by page as the listing streams (memory does not
   * grow with the bucket). Overwriting a manifest from {@code action} is safe: it adds no key.
   */
  void forEachManifestKey(java.util.function.Consumer<String> action) {
    for (String prefix : List.of("backups/", "trash/")) {
      try (Stream<ObjectSummary> objects = store.list(prefix)) {
        objects.map(ObjectSummary::key).filter(k -> k.endsWith("/" + MANIFEST)).forEach(action);
      }
    }
  }

  /** The keys the manifests are authenticated with. */
  BackupKeys keys() {
    return keys;
  }

  /** Backups matching {@code q}, newest first; untrusted manifests are logged and left out. */
  public List<BackupManifest> list(BackupQuery q) {
    String prefix =
        q.kind() == null ? "backups/" : q.name() == null ? "backups/" + q.kind() + "/" : BackupIds.prefix(q.kind(), q.name());
    List<BackupManifest> out = new ArrayList<>();
    try (Stream<ObjectSummary> objects = store.list(prefix)) {
      objects.filter(o -> o.key().endsWith("/" + MANIFEST)).forEach(o -> {
        try {
          BackupManifest m = read(o.key());
          if (q.name() != null && !matchesName(m, q.name())) {
            return;
          }
          if (Boolean.TRUE.equals(q.usableOnly()) && !m.usable()) {
            return;
          }
          out.add(m);
        } catch (ApplicationFailure e) {
          log.warn("skipping {}: {}", o.key(), e.getOriginalMessage());
        }
      });
    }
    out.sort(Comparator.comparing(BackupManifest::createdAt).reversed());
    return q.limit() == null ? out : out.subList(0, Math.min(q.limit(), out.size()));
  }

  private static boolean matchesName(BackupManifest m, String name) {
    if ("sqlite".equals(m.kind())) {
      return sameSqliteFile(m.databaseName(), name);
    }
    return name.equals(m.databaseName()) || name.equals(m.databaseId())
        || BackupIds.safe(name).equals(BackupIds.safe(m.databaseName() == null ? "" : m.databaseName()));
  }

  /**
   * Whether a SQLite backup taken of {@code backedUp} (the path as the worker was given it) is of
   * {@code name}: the same path once made absolute, or, when {@code name} is a bare file name
   * ({@code lifeline backups list sqlite app.db}), the same file name.
   */
  static boolean sameSqliteFile(String backedUp, String name) {
    if (backedUp == null) {
      return false;
    }
    if (backedUp.equals(name)) {
      return true;
    }
    java.nio.file.Path a = java.nio.file.Path.of(backedUp).toAbsolutePath().normalize();
    java.nio.file.Path b = java.nio.file.Path.of(name);
    if (b.getNameCount() == 1 && !b.isAbsolute()) {
      return a.getFileName() != null && a.getFileName().toString().equals(name);
    }
    return a.equals(b.toAbsolutePath().normalize());
  }
}
