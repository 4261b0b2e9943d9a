package dev.lifeline.workflows.backup;

/** The {@link BackupKeyRotation} workflow. */
public class BackupKeyRotationImpl implements BackupKeyRotation {
  // Long-running options with a heartbeat timeout: the activity beats once per manifest, and a
  // retry resumes cheaply because manifests already under the current key are skipped.
  private final BackupActivities backups = BackupActivityStubs.backups();

  @Override
  public KeyRotationReport rotate(KeyRotationInput input) {
    return backups.rotateKeys(input == null ? new KeyRotationInput(false) : input);
  }
}
