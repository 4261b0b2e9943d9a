package dev.lifeline.activities.backups;

import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.activities.crypto.BackupKeys;
import dev.lifeline.activities.s3.ObjectNotFoundException;
import dev.lifeline.activities.s3.ObjectStore;
import dev.lifeline.activities.s3.ObjectSummary;
import dev.lifeline.activities.s3.PutOptions;
import dev.lifeline.workflows.backup.BackupIds;
import dev.lifeline.workflows.backup.BackupManifest;
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

  /** Writes {@code manifest} with its MAC; returns it as stored. Idempotent. */
  public BackupManifest save(BackupManifest manifest) {
    BackupManifest signed = manifest.withMac(keys.mac(canonical(manifest)));
    byte[] json;
    try {
      json = CANONICAL.writerWithDefaultPrettyPrinter().writeValueAsBytes(signed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    store.upload(BackupIds.prefix(manifest.backupId()) + MANIFEST, new ByteArrayInputStream(json),
        new PutOptions("application/json", java.util.Map.of()));
    return signed;
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
    try (InputStream in = store.openStream(key, 0)) {
      BackupManifest m = CANONICAL.readValue(in, BackupManifest.class);
      if (m.mac() == null || !keys.verifyMac(canonical(m), m.mac())) {
        throw ApplicationFailure.newNonRetryableFailure(
            "the manifest " + key + " failed its authenticity check (it was changed after it was written,"
                + " or it was written with another BACKUP_ENCRYPTION_KEY); it is not trusted",
            TAMPERED);
      }
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + key, e);
    }
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
    return name.equals(m.databaseName()) || name.equals(m.databaseId())
        || BackupIds.safe(name).equals(BackupIds.safe(m.databaseName() == null ? "" : m.databaseName()));
  }
}
