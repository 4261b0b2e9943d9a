package dev.lifeline.activities.backups;

import dev.lifeline.activities.crypto.BackupKeyException;
import dev.lifeline.activities.crypto.BackupKeys;
import dev.lifeline.activities.s3.ObjectNotFoundException;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.KeyRotationReport;
import io.temporal.failure.ApplicationFailure;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves every manifest in the backup bucket to the current backup key: each stored object's data
 * key re-wrapped from the previous key that wrapped it to the current one, and the manifest saved
 * authenticated with the current key. Only manifests are read and written; the encrypted data
 * objects are never touched, so the rotation costs a few kilobytes per backup.
 *
 * <p>Each manifest is independent: one that fails is left as it was and reported, the rest rotate.
 * A manifest is written only after its new wrappings have been opened with the current key, and it
 * is read back afterwards to check its MAC verifies under the current key.
 */
final class BackupKeyRotator {
  private static final Logger log = LoggerFactory.getLogger(BackupKeyRotator.class);

  private final ManifestStore manifests;
  private final BackupKeys keys;

  BackupKeyRotator(ManifestStore manifests) {
    this.manifests = manifests;
    this.keys = manifests.keys();
  }

  /** What happened to one manifest. */
  private enum Outcome { REWRAPPED, ALREADY_CURRENT, GONE }

  KeyRotationReport rotate(boolean dryRun, Heartbeats hb) {
    long[] counts = new long[4]; // manifests, rewrapped, already current, failed
    List<KeyRotationReport.Failure> failures = new ArrayList<>();
    String verb = dryRun ? "checking (dry run)" : "re-wrapping";
    hb.beat(verb + " data keys to key id " + keys.keyId(), 0, 0, "manifests");
    manifests.forEachManifestKey(objectKey -> {
      Outcome outcome;
      try {
        outcome = rotateOne(objectKey, dryRun);
      } catch (ApplicationFailure e) {
        outcome = null;
        fail(failures, counts, objectKey, e.getOriginalMessage());
      } catch (BackupKeyException e) {
        // Its message names key ids only, never key material.
        outcome = null;
        fail(failures, counts, objectKey, e.getMessage());
      } catch (IllegalStateException e) {
        outcome = null;
        fail(failures, counts, objectKey, e.getMessage());
      } catch (UncheckedIOException e) {
        outcome = null;
        fail(failures, counts, objectKey, "cannot read it: " + (e.getCause() == null ? e.getMessage()
            : e.getCause().getMessage()));
      }
      if (outcome != Outcome.GONE) {
        counts[0]++;
      }
      if (outcome == Outcome.REWRAPPED) {
        counts[1]++;
      } else if (outcome == Outcome.ALREADY_CURRENT) {
        counts[2]++;
      }
      hb.beat(verb + " data keys to key id " + keys.keyId() + ": " + counts[1] + " re-wrapped, " + counts[2]
          + " already current, " + counts[3] + " failed", counts[0], 0, "manifests");
    });
    KeyRotationReport report = new KeyRotationReport(dryRun, keys.keyId(), keys.previousKeyIds(), counts[0],
        counts[1], counts[2], counts[3], List.copyOf(failures));
    log.info("backup key rotation{} to key id {}: {} manifests, {} re-wrapped, {} already current, {} failed",
        dryRun ? " (dry run)" : "", keys.keyId(), counts[0], counts[1], counts[2], counts[3]);
    return report;
  }

  private Outcome rotateOne(String objectKey, boolean dryRun) {
    ManifestStore.Loaded loaded;
    try {
      loaded = manifests.load(objectKey);
    } catch (ObjectNotFoundException e) {
      return Outcome.GONE; // deleted (retention, trash) since it was listed: nothing to rotate
    }
    BackupManifest m = loaded.manifest();
    // An object under a key the ring lacks: refuse to re-sign a manifest whose backup nobody here
    // can read (withCurrentKeys would leave it alone), and say which key id it needs.
    for (BackupManifest.StoredObject o : java.util.Arrays.asList(m.data(), m.lossyPatches(), m.index())) {
      if (o != null && o.encryption() != null && !keys.knows(o.encryption().keyId())) {
        keys.unwrap(BackupActivitiesImpl.wrapped(o), BackupActivitiesImpl.aad(m.backupId())); // throws, naming ids
      }
    }
    BackupManifest rewrapped = manifests.withCurrentKeys(m, true);
    if (rewrapped == m && keys.keyId().equals(loaded.macKeyId())) {
      return Outcome.ALREADY_CURRENT;
    }
    if (dryRun) {
      return Outcome.REWRAPPED;
    }
    manifests.put(objectKey, rewrapped);
    ManifestStore.Loaded back = manifests.load(objectKey);
    if (!keys.keyId().equals(back.macKeyId())) {
      throw new IllegalStateException("the manifest " + objectKey + " read back is not authenticated by key id "
          + keys.keyId() + " (another writer replaced it?); run the rotation again");
    }
    return Outcome.REWRAPPED;
  }

  private static void fail(List<KeyRotationReport.Failure> failures, long[] counts, String objectKey, String why) {
    counts[3]++;
    if (failures.size() < KeyRotationReport.MAX_FAILURES_LISTED) {
      failures.add(new KeyRotationReport.Failure(objectKey, why));
    }
    log.warn("backup key rotation: {} not rotated: {}", objectKey, why);
  }
}
