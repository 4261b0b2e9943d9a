package dev.lifeline.workflows.backup;

import dev.lifeline.workflows.common.ActivityPolicies;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;

/**
 * Activity stubs with the timeouts and retry policies backups need: long start-to-close for big
 * databases, heartbeats to notice a dead worker within minutes, retries with backoff for transient
 * failures, and none for failures that say retrying cannot help.
 */
final class BackupActivityStubs {
  /** Failure types that retrying cannot fix. */
  static final String[] PERMANENT = {
    "InvalidInput", "NotFound", "WrongBackupKey", "BackupIntegrity", "BackupVerificationFailed",
    "AuthenticationFailed", "ValidationFailed", "D1SqlError", "ManifestTampered"
  };

  private BackupActivityStubs() {}

  static BackupActivities backups() {
    return Workflow.newActivityStub(BackupActivities.class, options());
  }

  static KvBackupActivities kv() {
    return Workflow.newActivityStub(KvBackupActivities.class, options());
  }

  static R2ReplicationActivities r2() {
    return Workflow.newActivityStub(R2ReplicationActivities.class, options());
  }

  private static ActivityOptions options() {
    return ActivityPolicies.longRunning(8, PERMANENT);
  }
}
