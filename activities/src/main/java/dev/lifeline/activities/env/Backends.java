package dev.lifeline.activities.env;

import dev.lifeline.activities.cloudflare.CloudflareClient;
import dev.lifeline.activities.cloudflare.CloudflareClientOptions;
import dev.lifeline.activities.s3.ObjectStore;
import dev.lifeline.activities.s3.ObjectStoreOptions;
import dev.lifeline.activities.s3.S3ObjectStore;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections activity implementations share, built lazily and once per worker: a Cloudflare
 * client, one object store per bucket, and the local work directory. Thread-safe.
 */
public class Backends implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Backends.class);
  private final BackendSettings settings;
  private volatile CloudflareClient cloudflare;
  private final Map<String, ObjectStore> stores = new ConcurrentHashMap<>();

  /** @param settings where things are */
  public Backends(BackendSettings settings) {
    this.settings = settings;
  }

  /** The settings. */
  public BackendSettings settings() {
    return settings;
  }

  /** The Cloudflare client. */
  public CloudflareClient cloudflare() {
    CloudflareClient c = cloudflare;
    if (c == null) {
      synchronized (this) {
        if (cloudflare == null) {
          if (settings.accountId() == null || settings.apiToken() == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                "CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN must be set on the worker", "InvalidInput");
          }
          cloudflare =
              CloudflareClient.create(
                  CloudflareClientOptions.newBuilder()
                      .baseUrl(settings.cloudflareApiBaseUrl().toString())
                      .accountId(settings.accountId())
                      .apiToken(settings.apiToken())
                      .build());
        }
        c = cloudflare;
      }
    }
    return c;
  }

  /** The store of the backup bucket. */
  public ObjectStore backupStore() {
    if (settings.backupBucket() == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "BACKUP_R2_BUCKET must be set on the worker", "InvalidInput");
    }
    return store(settings.backupBucket());
  }

  /** The store of {@code bucket}. */
  public ObjectStore store(String bucket) {
    return stores.computeIfAbsent(bucket, this::open);
  }

  /** Opens a store; tests override this to wrap stores. */
  protected ObjectStore open(String bucket) {
    ObjectStoreOptions.Builder b =
        ObjectStoreOptions.newBuilder()
            .endpoint(settings.s3Endpoint())
            .region(settings.s3Region() == null ? "auto" : settings.s3Region())
            .pathStyle(true)
            .bucket(bucket);
    if (settings.s3AccessKeyId() != null && settings.s3SecretAccessKey() != null) {
      b.credentials(settings.s3AccessKeyId(), settings.s3SecretAccessKey());
    }
    return S3ObjectStore.create(b.build());
  }

  /** A fresh directory under the work directory, for one activity's staging files. */
  public Path newWorkDir(String purpose) {
    try {
      Files.createDirectories(settings.workDir());
      return Files.createTempDirectory(settings.workDir(), purpose.replaceAll("[^A-Za-z0-9.-]", "-") + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a work directory under " + settings.workDir(), e);
    }
  }

  /**
   * Deletes a work directory and everything in it. Cleanup runs in {@code finally} blocks, so it
   * never throws: what cannot be deleted is logged and left for the operator.
   */
  public static void deleteWorkDir(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          log.warn("could not delete {}: {}", p, e.getMessage());
        }
      });
    } catch (IOException | UncheckedIOException e) {
      log.warn("could not clean {}: {}", dir, e.getMessage());
    }
  }

  @Override
  public void close() {
    stores.values().forEach(ObjectStore::close);
    stores.clear();
  }
}
