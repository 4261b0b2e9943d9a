package dev.lifeline.workflows.backup;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

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
    return ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofHours(6))
            .setHeartbeatTimeout(Duration.ofMinutes(2))
            .setRetryOptions(
                RetryOptions.newBuilder()
                    .setInitialInterval(Duration.ofSeconds(5))
                    .setBackoffCoefficient(2.0)
                    .setMaximumInterval(Duration.ofMinutes(5))
                    .setMaximumAttempts(8)
                    .setDoNotRetry(PERMANENT)
                    .build())
            .build();
  }
}
