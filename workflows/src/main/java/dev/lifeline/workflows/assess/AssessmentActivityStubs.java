package dev.lifeline.workflows.assess;

import dev.lifeline.workflows.backup.BackupActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Activity stubs for assessments: long start-to-close (a staging copy of a large database takes a
 * while), heartbeats to notice a dead worker within minutes, retries with backoff for transient
 * failures and none for failures retrying cannot fix.
 */
final class AssessmentActivityStubs {
  private static final String[] PERMANENT = {
    "InvalidInput", "NotFound", "WrongBackupKey", "BackupIntegrity", "AuthenticationFailed", "ValidationFailed",
    "D1SqlError", "ManifestTampered", "DumpFormat"
  };

  private AssessmentActivityStubs() {}

  private static ActivityOptions options() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofHours(6))
        .setHeartbeatTimeout(Duration.ofMinutes(2))
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(5))
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(Duration.ofMinutes(5))
                .setMaximumAttempts(6)
                .setDoNotRetry(PERMANENT)
                .build())
        .build();
  }

  static AssessmentActivities assessments() {
    return Workflow.newActivityStub(AssessmentActivities.class, options());
  }

  static BackupActivities backups() {
    return Workflow.newActivityStub(BackupActivities.class, options());
  }
}
