package dev.lifeline.activities.replication;

import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.s3.ObjectInfo;
import dev.lifeline.activities.s3.ObjectStore;
import dev.lifeline.activities.s3.ObjectStoreException;
import dev.lifeline.activities.s3.ObjectSummary;
import dev.lifeline.workflows.backup.R2ReplicationActivities;
import dev.lifeline.workflows.backup.ReplicationReport;
import dev.lifeline.workflows.backup.ReplicationRequest;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicates R2 buckets into the secondary bucket (see {@link R2ReplicationActivities}). Both
 * listings are walked in key order and merged, so memory stays flat whatever the bucket size; the
 * last key handled and the counters are heartbeated, and a retried attempt resumes after that key.
 */
public final class R2ReplicationActivitiesImpl implements R2ReplicationActivities {
  private static final Logger log = LoggerFactory.getLogger(R2ReplicationActivitiesImpl.class);

  /** The user-metadata field objects record their SHA-256 in. */
  public static final String SHA256_METADATA = "sha256";

  private final Backends backends;
  private final Clock clock;

  /** @param backends connections */
  public R2ReplicationActivitiesImpl(Backends backends) {
    this(backends, Clock.systemUTC());
  }

  R2ReplicationActivitiesImpl(Backends backends, Clock clock) {
    this.backends = backends;
    this.clock = clock;
  }

  @Override
  public List<String> replicableBuckets() {
    String backup = backends.settings().backupBucket();
    String secondary = backends.settings().secondaryBucket();
    try (Stream<dev.lifeline.activities.cloudflare.R2Bucket> buckets =
        backends.cloudflare().r2().listBuckets(null)) {
      return buckets.map(dev.lifeline.activities.cloudflare.R2Bucket::name)
          .filter(n -> !n.equals(backup) && !n.equals(secondary))
          .sorted()
          .toList();
    }
  }

  /** What a retried attempt resumes from. */
  record Checkpoint(
      String lastKey, long objects, long copied, long bytesCopied, long missingBefore, long changedBefore,
      long verified, List<String> mismatches, long deleted, long extraneous, Instant oldestUnreplicated) {}

  @Override
  public ReplicationReport replicate(ReplicationRequest request) {
    String secondary =
        request.secondaryBucket() != null ? request.secondaryBucket() : backends.settings().secondaryBucket();
    if (secondary == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "no secondary bucket: set SECONDARY_R2_BUCKET on the worker or secondaryBucket in the input",
          "InvalidInput");
    }
    if (secondary.equals(request.bucket())) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the secondary bucket cannot be the bucket being replicated (" + secondary + ")", "InvalidInput");
    }
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Optional<Checkpoint> resume = ctx.getHeartbeatDetails(Checkpoint.class);
    Progress p = new Progress(resume.orElse(null));
    String resumedAfter = resume.map(Checkpoint::lastKey).orElse(null);
    if (resumedAfter != null) {
      log.info("resuming replication of {} after key {}", request.bucket(), resumedAfter);
    }
    ObjectStore source = backends.store(request.bucket());
    ObjectStore target = backends.store(secondary);
    String prefix = request.bucket() + "/";
    try (Stream<ObjectSummary> primary = source.list("");
        Stream<ObjectSummary> copies = target.list(prefix)) {
      Iterator<ObjectSummary> it = primary.iterator();
      Iterator<ObjectSummary> ct = copies.iterator();
      ObjectSummary copy = next(ct, prefix, resumedAfter);
      while (it.hasNext()) {
        ObjectSummary obj = it.next();
        if (resumedAfter != null && Utf8Order.INSTANCE.compare(obj.key(), resumedAfter) <= 0) {
          continue;
        }
        // Copies whose key sorts before this object have no primary.
        while (copy != null && Utf8Order.INSTANCE.compare(copy.key(), obj.key()) < 0) {
          extraneous(request, target, prefix, copy, p);
          copy = next(ct, prefix, null);
        }
        ObjectSummary existing = null;
        if (copy != null && copy.key().equals(obj.key())) {
          existing = copy;
          copy = next(ct, prefix, null);
        }
        handle(request, source, target, secondary, prefix, obj, existing, p);
        p.lastKey = obj.key();
        // The SDK throttles what it sends; recording every object means a failed attempt reports
        // the exact last key done, so the retry neither skips nor repeats work.
        ctx.heartbeat(p.checkpoint());
      }
      while (copy != null) {
        extraneous(request, target, prefix, copy, p);
        copy = next(ct, prefix, null);
      }
    }
    ctx.heartbeat(p.checkpoint());
    long lag = p.oldestUnreplicated == null ? 0
        : Math.max(0, Duration.between(p.oldestUnreplicated, clock.instant()).toSeconds());
    log.info("replicated {} to {}/{}: {} objects, {} copied, {} checksum mismatches",
        request.bucket(), secondary, prefix, p.objects, p.copied, p.mismatches.size());
    return new ReplicationReport(request.bucket(), secondary, p.objects, p.copied, p.bytesCopied, p.missingBefore,
        p.changedBefore, p.verified, List.copyOf(p.mismatches), p.deleted, p.extraneous, lag, resumedAfter);
  }

  private void handle(
      ReplicationRequest request, ObjectStore source, ObjectStore target, String secondary, String prefix,
      ObjectSummary obj, ObjectSummary existing, Progress p) {
    // Counters change only once the object is fully handled: a heartbeat sent half way (while
    // hashing a large object) must describe the objects before this one, which is where a retry
    // resumes.
    boolean missing = existing == null;
    // A copy is stale when its size differs, or its ETag differs and the primary changed after the
    // copy was made (multipart copies get a different ETag for the same bytes, so the ETag alone
    // would recopy large objects on every run).
    boolean changed =
        !missing
            && (existing.size() != obj.size()
                || (!existing.etag().equals(obj.etag())
                    && (obj.lastModified() == null || existing.lastModified() == null
                        || obj.lastModified().isAfter(existing.lastModified()))));
    boolean check = shouldVerify(request, obj.key(), clock);
    boolean verified = false;
    if (check || missing || changed) {
      // Never replace a good copy with bytes that no longer match their recorded checksum: the
      // primary's reference is its recorded SHA-256, else its ETag when that is a single-part MD5
      // (bit rot changes neither).
      Optional<ObjectInfo> head = source.head(obj.key());
      String recorded = head.map(h -> h.userMetadata().get(SHA256_METADATA)).orElse(null);
      String md5Etag = singlePartMd5(obj.etag());
      if (check || (recorded != null || md5Etag != null) && (missing || changed)) {
        verified = true;
        Digests primary = digests(source, obj.key(), p);
        boolean primaryBad = recorded != null ? !recorded.equalsIgnoreCase(primary.sha256())
            : md5Etag != null && !md5Etag.equalsIgnoreCase(primary.md5());
        if (primaryBad) {
          log.warn("{}/{} does not match its recorded {}; not replicated, the copy is kept", request.bucket(),
              obj.key(), recorded != null ? "SHA-256" : "ETag (MD5)");
          p.objects++;
          p.verified++;
          p.mismatches.add(obj.key());
          return;
        }
        if (check && !missing && !changed) {
          // The copy must hold the primary's bytes.
          Digests copy = digests(target, prefix + obj.key(), p);
          if (!copy.sha256().equals(primary.sha256())) {
            p.mismatches.add(obj.key());
            if (recorded != null || md5Etag != null) {
              log.warn("{}/{}{} differs from its primary, which matches its checksum; copying it again", secondary,
                  prefix, obj.key());
              changed = true;
            } else {
              log.warn("{}/{}{} differs from its primary and neither has a checksum to tell which is right;"
                  + " both kept", secondary, prefix, obj.key());
            }
          }
        }
      }
    }
    if (missing || changed) {
      source.copy(obj.key(), secondary, prefix + obj.key());
      if (missing) {
        p.missingBefore++;
      } else {
        p.changedBefore++;
      }
      if (obj.lastModified() != null
          && (p.oldestUnreplicated == null || obj.lastModified().isBefore(p.oldestUnreplicated))) {
        p.oldestUnreplicated = obj.lastModified();
      }
      p.copied++;
      p.bytesCopied += obj.size();
    }
    p.objects++;
    if (verified) {
      p.verified++;
    }
  }

  private static void extraneous(
      ReplicationRequest request, ObjectStore target, String prefix, ObjectSummary copy, Progress p) {
    p.extraneous++;
    if (request.deleteExtraneous()) {
      target.delete(prefix + copy.key());
      p.deleted++;
    }
  }

  /** The next secondary copy (key without the prefix) after {@code after}, or null. */
  private static ObjectSummary next(Iterator<ObjectSummary> it, String prefix, String after) {
    while (it.hasNext()) {
      ObjectSummary s = it.next();
      String key = s.key().substring(prefix.length());
      if (after != null && Utf8Order.INSTANCE.compare(key, after) <= 0) {
        continue;
      }
      return new ObjectSummary(key, s.size(), s.etag(), s.lastModified());
    }
    return null;
  }

  /**
   * Whether to read {@code key} back this run. A sample is drawn anew each UTC day, so successive
   * runs check different objects.
   */
  private static boolean shouldVerify(ReplicationRequest r, String key, Clock clock) {
    return switch (r.verify() == null ? "none" : r.verify()) {
      case "all" -> true;
      case "sample" -> Math.floorMod((LocalDate.now(clock) + "/" + key).hashCode(), 100)
          < Math.max(1, r.samplePercent());
      default -> false;
    };
  }

  /** The MD5 an S3/R2 ETag is for a single-part upload, or null for a multipart or unknown ETag. */
  static String singlePartMd5(String etag) {
    if (etag == null) {
      return null;
    }
    String e = etag.replace("\"", "").toLowerCase(Locale.ROOT);
    return e.matches("[0-9a-f]{32}") ? e : null;
  }

  record Digests(String sha256, String md5) {}

  private static Digests digests(ObjectStore store, String key, Progress p) {
    try (InputStream in = store.openStream(key, 0)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      byte[] buf = new byte[64 * 1024];
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        sha.update(buf, 0, n);
        md5.update(buf, 0, n);
        // Keep the checkpoint as the details: a null here would erase the resume point.
        Activity.getExecutionContext().heartbeat(p.checkpoint());
      }
      return new Digests(HexFormat.of().formatHex(sha.digest()), HexFormat.of().formatHex(md5.digest()));
    } catch (IOException e) {
      throw new ObjectStoreException("reading " + key + " to check its checksum failed: " + e.getMessage(),
          store.bucket(), key, 0, true, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Mutable counters of one attempt, seeded from the checkpoint. */
  private static final class Progress {
    String lastKey;
    long objects;
    long copied;
    long bytesCopied;
    long missingBefore;
    long changedBefore;
    long verified;
    final List<String> mismatches = new ArrayList<>();
    long deleted;
    long extraneous;
    Instant oldestUnreplicated;

    Progress(Checkpoint c) {
      if (c != null) {
        lastKey = c.lastKey();
        objects = c.objects();
        copied = c.copied();
        bytesCopied = c.bytesCopied();
        missingBefore = c.missingBefore();
        changedBefore = c.changedBefore();
        verified = c.verified();
        mismatches.addAll(c.mismatches());
        deleted = c.deleted();
        extraneous = c.extraneous();
        oldestUnreplicated = c.oldestUnreplicated();
      }
    }

    Checkpoint checkpoint() {
      return new Checkpoint(lastKey, objects, copied, bytesCopied, missingBefore, changedBefore, verified,
          List.copyOf(mismatches.subList(0, Math.min(mismatches.size(), 1000))), deleted, extraneous,
          oldestUnreplicated);
    }
  }
}
