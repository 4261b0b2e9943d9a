package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Input of {@link BackupKeyRotation}.
 *
 * @param dryRun when true, every manifest is read and its data keys re-wrapped in memory to prove
 *     the rotation would work, but nothing is written; null means false
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record KeyRotationInput(Boolean dryRun) {
  /** Whether nothing may be written. */
  public boolean dryRunOrDefault() {
    return Boolean.TRUE.equals(dryRun);
  }
}
