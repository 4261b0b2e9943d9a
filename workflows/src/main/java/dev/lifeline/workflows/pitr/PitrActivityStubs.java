package dev.lifeline.workflows.pitr;

import dev.lifeline.workflows.backup.BackupActivities;
import dev.lifeline.workflows.backup.KvBackupActivities;
import dev.lifeline.workflows.common.ActivityPolicies;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;

/** Activity stubs for restores: long timeouts, heartbeats, no retry of permanent failures. */
final class PitrActivityStubs {
  private static final String[] PERMANENT = {
    "InvalidInput", "NotFound", "WrongBackupKey", "BackupIntegrity", "BackupVerificationFailed",
    "AuthenticationFailed", "ValidationFailed", "D1SqlError", "ManifestTampered", "NoRecoveryPoint",
    "ImportFailed", "TimeTravelUnavailable"
  };

  private PitrActivityStubs() {}

  private static ActivityOptions options() {
    return ActivityPolicies.longRunning(8, PERMANENT);
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
