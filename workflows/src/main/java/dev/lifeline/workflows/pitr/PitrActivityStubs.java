package dev.lifeline.workflows.pitr;

import dev.lifeline.workflows.backup.BackupActivities;
import dev.lifeline.workflows.backup.KvBackupActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/** Activity stubs for restores: long timeouts, heartbeats, no retry of permanent failures. */
final class PitrActivityStubs {
  private static final String[] PERMANENT = {
    "InvalidInput", "NotFound", "WrongBackupKey", "BackupIntegrity", "BackupVerificationFailed",
    "AuthenticationFailed", "ValidationFailed", "D1SqlError", "ManifestTampered", "NoRecoveryPoint",
    "ImportFailed", "TimeTravelUnavailable"
  };

  private PitrActivityStubs() {}

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

  static RestoreActivities restores() {
    return Workflow.newActivityStub(RestoreActivities.class, options());
  }

  static BackupActivities backups() {
    return Workflow.newActivityStub(BackupActivities.class, options());
  }

  static KvBackupActivities kvBackups() {
    return Workflow.newActivityStub(KvBackupActivities.class, options());
  }
}
