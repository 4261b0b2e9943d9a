package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What a backup key rotation did (or, in a dry run, would do) to the manifests in the backup bucket.
 * Key ids are public fingerprints; no key material appears here.
 *
 * @param dryRun whether nothing was written
 * @param currentKeyId the key id everything was re-wrapped to ({@code BACKUP_ENCRYPTION_KEY})
 * @param previousKeyIds the key ids of {@code BACKUP_ENCRYPTION_KEY_PREVIOUS}
 * @param manifests manifests found (live and trashed)
 * @param rewrapped manifests whose data keys were re-wrapped to the current key and which were saved
 *     authenticated by it (in a dry run: would have been)
 * @param alreadyCurrent manifests already entirely under the current key, left alone
 * @param failed manifests that could not be rotated; they are unchanged
 * @param failures why, per manifest object key (at most {@link #MAX_FAILURES_LISTED}; {@code
 *     failed} counts them all)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record KeyRotationReport(
    boolean dryRun,
    String currentKeyId,
    List<String> previousKeyIds,
    long manifests,
    long rewrapped,
    long alreadyCurrent,
    long failed,
    List<Failure> failures) {

  /** How many failures are listed by name; the rest are only counted, to keep the history small. */
  public static final int MAX_FAILURES_LISTED = 100;

  /**
   * A manifest that could not be rotated.
   *
   * @param manifest its object key in the backup bucket
   * @param reason why, naming key ids only
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Failure(String manifest, String reason) {}

  /** Whether every manifest is now (or, in a dry run, could be) under the current key. */
  public boolean complete() {
    return failed == 0;
  }
}
