package dev.lifeline.workflows.pitr;

import dev.lifeline.workflows.pitr.RecoveryWindow.BackupPoint;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;

/**
 * Chooses the recovery point for a restore, purely from the window and the input (so workflow
 * code can call it), or refuses clearly, naming the nearest points there are.
 */
public final class RecoveryPoints {
  /** Failure type when no recovery point fits. */
  public static final String NO_RECOVERY_POINT = "NoRecoveryPoint";

  private RecoveryPoints() {}

  /**
   * The recovery point.
   *
   * @param method auto, time-travel or backup
   * @param targetTime the wanted moment, or null
   * @param backupId a pinned backup, or null
   * @param now the current time
   * @throws ApplicationFailure ({@value #NO_RECOVERY_POINT}, non-retryable) when none fits
   */
  public static RecoveryPoint choose(
      RecoveryWindow w, String method, Instant targetTime, String backupId, Instant now) {
    if (targetTime != null && targetTime.isAfter(now)) {
      throw refuse("targetTime " + targetTime + " is in the future (now is " + now + ")");
    }
    if (backupId != null) {
      BackupPoint b =
          w.backups().stream().filter(p -> p.backupId().equals(backupId)).findFirst()
              .orElseThrow(() -> refuse("backup " + backupId + " is not a verified backup of " + w.target()
                  + "; verified backups: " + newest(w)));
      return fromBackup(b);
    }
    boolean ttFits =
        targetTime != null
            && w.timeTravelAvailable()
            && !targetTime.isBefore(w.timeTravelEarliest())
            && !targetTime.isAfter(w.timeTravelLatest());
    if (method.equals("time-travel")) {
      if (!w.timeTravelAvailable()) {
        throw refuse("Time Travel is not available for " + w.target() + ": " + w.timeTravelReason());
      }
      if (!ttFits) {
        throw refuse("targetTime " + targetTime + " is outside the Time Travel window of " + w.target()
            + " (" + w.timeTravelEarliest() + " to " + w.timeTravelLatest() + ")");
      }
      return timeTravel(targetTime);
    }
    if (method.equals("auto") && ttFits) {
      return timeTravel(targetTime);
    }
    if (targetTime == null) {
      return w.backups().stream().max(Comparator.comparing(BackupPoint::at)).map(RecoveryPoints::fromBackup)
          .orElseThrow(() -> refuse("there is no verified backup of " + w.target()
              + timeTravelNote(w) + "; take one with `lifeline start backup-d1` first"));
    }
    Optional<BackupPoint> before =
        w.backups().stream().filter(b -> !b.at().isAfter(targetTime)).max(Comparator.comparing(BackupPoint::at));
    if (before.isPresent()) {
      return fromBackup(before.get());
    }
    Optional<BackupPoint> after =
        w.backups().stream().filter(b -> b.at().isAfter(targetTime)).min(Comparator.comparing(BackupPoint::at));
    throw refuse("no recovery point of " + w.target() + " at or before " + targetTime + ". Nearest: "
        + after.map(b -> "backup " + b.backupId() + " at " + b.at() + " (after the target time)")
            .orElse("no verified backups at all")
        + timeTravelNote(w));
  }

  private static String timeTravelNote(RecoveryWindow w) {
    return w.timeTravelAvailable()
        ? "; Time Travel reaches back to " + w.timeTravelEarliest()
        : "; Time Travel is not available (" + w.timeTravelReason() + ")";
  }

  private static String newest(RecoveryWindow w) {
    if (w.backups().isEmpty()) {
      return "none";
    }
    return String.join(", ", w.backups().stream().limit(3).map(b -> b.backupId() + " (" + b.at() + ")").toList());
  }

  private static RecoveryPoint fromBackup(BackupPoint b) {
    return new RecoveryPoint(RecoveryPoint.BACKUP, b.at(), b.backupId(), null,
        "verified backup " + b.backupId() + " taken at " + b.at());
  }

  private static RecoveryPoint timeTravel(Instant at) {
    return new RecoveryPoint(RecoveryPoint.TIME_TRAVEL, at, null, null, "Time Travel to " + at);
  }

  private static ApplicationFailure refuse(String why) {
    return ApplicationFailure.newNonRetryableFailure(why, NO_RECOVERY_POINT);
  }
}
