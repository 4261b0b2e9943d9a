package dev.lifeline.workflows.assess;

import dev.lifeline.workflows.backup.BackupActivities;
import dev.lifeline.workflows.common.ActivityPolicies;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;

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
    return ActivityPolicies.longRunning(6, PERMANENT);
  }

  static AssessmentActivities assessments() {
    return Workflow.newActivityStub(AssessmentActivities.class, options());
  }

  static BackupActivities backups() {
    return Workflow.newActivityStub(BackupActivities.class, options());
  }
}
