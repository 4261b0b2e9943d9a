package dev.lifeline.workflows.drill;

import dev.lifeline.workflows.backup.BackupActivities;
import dev.lifeline.workflows.pitr.RestoreActivities;
import dev.lifeline.workflows.common.ActivityPolicies;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/** Activity stubs of the drill: heartbeats on long work, no retry of permanent failures. */
final class DrillActivityStubs {
  private static final String[] PERMANENT = {
    "InvalidInput", "NotFound", "WrongBackupKey", "BackupIntegrity", "BackupVerificationFailed",
    "AuthenticationFailed", "ValidationFailed", "D1SqlError", "ManifestTampered", "ImportFailed"
  };

  private DrillActivityStubs() {}

  private static ActivityOptions options(Duration startToClose) {
    return ActivityPolicies.longRunning(startToClose, Duration.ofSeconds(2), Duration.ofMinutes(2), 6, PERMANENT);
  }

  static DrillActivities drills() {
    return Workflow.newActivityStub(DrillActivities.class, options(Duration.ofHours(2)));
  }

  static RestoreActivities restores() {
    return Workflow.newActivityStub(RestoreActivities.class, options(Duration.ofHours(6)));
  }

  static BackupActivities backups() {
    return Workflow.newActivityStub(BackupActivities.class, options(Duration.ofMinutes(10)));
  }
}
