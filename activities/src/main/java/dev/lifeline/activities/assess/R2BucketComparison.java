package dev.lifeline.activities.assess;

import dev.lifeline.activities.backups.Heartbeats;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.replication.R2ReplicationActivitiesImpl;
import dev.lifeline.activities.replication.Utf8Order;
import dev.lifeline.activities.s3.ObjectInfo;
import dev.lifeline.activities.s3.ObjectStore;
import dev.lifeline.activities.s3.ObjectStoreException;
import dev.lifeline.activities.s3.ObjectSummary;
import dev.lifeline.workflows.assess.KeySet;
import dev.lifeline.workflows.assess.R2Facts;
import dev.lifeline.workflows.assess.R2FactsRequest;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Compares an R2 bucket with its copy in the secondary bucket ({@code <secondary>/<bucket>/...},
 * where {@link R2ReplicationActivitiesImpl} keeps it): both listings are walked in key order, so
 * memory stays flat; objects chosen by the verify mode are read and hashed against the SHA-256 in
 * their {@code sha256} user metadata, and a mismatching object's copy is checked too. Read-only;
 * idempotent (the sample is chosen from the keys, not at random).
 */
final class R2BucketComparison {
  private final Backends backends;

  R2BucketComparison(Backends backends) {
    this.backends = backends;
  }

  R2Facts compare(R2FactsRequest r, Heartbeats hb) {
    String secondary = r.secondaryBucket() != null ? r.secondaryBucket() : backends.settings().secondaryBucket();
    if (secondary == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "no secondary bucket to compare " + r.bucket() + " with: set SECONDARY_R2_BUCKET on the worker or"
              + " secondaryBucket in the input", "InvalidInput");
    }
    ObjectStore primary = backends.store(r.bucket());
    ObjectStore copies = backends.store(secondary);
    String prefix = r.bucket() + "/";
    List<String> missing = new ArrayList<>();
    long missingCount = 0;
    List<String> mismatches = new ArrayList<>();
    long mismatchCount = 0;
    List<String> goodCopies = new ArrayList<>();
    long objects = 0;
    long copyCount = 0;
    long notReplicated = 0;
    long verified = 0;
    long withoutChecksum = 0;
    try (Stream<ObjectSummary> p = primary.list(""); Stream<ObjectSummary> c = copies.list(prefix)) {
      Iterator<ObjectSummary> it = p.iterator();
      Iterator<ObjectSummary> ct = c.iterator();
      String copy = next(ct, prefix);
      while (it.hasNext()) {
        ObjectSummary obj = it.next();
        objects++;
        while (copy != null && Utf8Order.INSTANCE.compare(copy, obj.key()) < 0) {
          copyCount++;
          missingCount++;
          if (missing.size() < r.recordLimit()) {
            missing.add(copy);
          }
          copy = next(ct, prefix);
        }
        boolean hasCopy = copy != null && copy.equals(obj.key());
        if (hasCopy) {
          copyCount++;
          copy = next(ct, prefix);
        } else {
          notReplicated++;
        }
        if (chosen(r, obj.key())) {
          Optional<ObjectInfo> head = primary.head(obj.key());
          String recorded = head.map(h -> h.userMetadata().get(R2ReplicationActivitiesImpl.SHA256_METADATA)).orElse(null);
          verified++;
          if (recorded == null) {
            withoutChecksum++;
          } else if (!recorded.equalsIgnoreCase(sha256(primary, obj.key(), hb))) {
            mismatchCount++;
            if (mismatches.size() < r.recordLimit()) {
              mismatches.add(obj.key());
            }
            if (hasCopy && recorded.equalsIgnoreCase(sha256(copies, prefix + obj.key(), hb)) && goodCopies.size() < r.recordLimit()) {
              goodCopies.add(obj.key());
            }
          }
        }
        hb.beat("comparing R2 " + r.bucket() + " with " + secondary + "/" + prefix, objects, 0, "objects");
      }
      while (copy != null) {
        copyCount++;
        missingCount++;
        if (missing.size() < r.recordLimit()) {
          missing.add(copy);
        }
        copy = next(ct, prefix);
      }
    }
    List<String> notes = new ArrayList<>();
    if ("sample".equals(r.verify())) {
      notes.add("checksums verified on a sample of about " + r.samplePercent() + "% of the objects (" + verified + " of "
          + objects + "); mismatches among the others are not known");
    }
    return new R2Facts(r.bucket(), secondary, objects, copyCount,
        new KeySet(missingCount, List.copyOf(missing), missingCount <= missing.size()), notReplicated, r.verify(), verified,
        new KeySet(mismatchCount, List.copyOf(mismatches), mismatchCount <= mismatches.size()), withoutChecksum,
        List.copyOf(goodCopies), notes);
  }

  private static String next(Iterator<ObjectSummary> it, String prefix) {
    return it.hasNext() ? it.next().key().substring(prefix.length()) : null;
  }

  /** The same deterministic sample replication verifies: by the key's hash. */
  private static boolean chosen(R2FactsRequest r, String key) {
    return "all".equals(r.verify()) || Math.floorMod(key.hashCode(), 100) < Math.max(1, r.samplePercent());
  }

  private static String sha256(ObjectStore store, String key, Heartbeats hb) {
    try (InputStream in = store.openStream(key, 0)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      long read = 0;
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        sha.update(buf, 0, n);
        read += n;
        hb.beat("hashing " + key, read, 0, "bytes");
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new ObjectStoreException("reading " + key + " to check its checksum failed: " + e.getMessage(),
          store.bucket(), key, 0, true, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
