package dev.lifeline.workflows.pitr;

import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.common.Target;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Instant;
import java.util.List;

/** Restoring targets, and looking at what they can be restored to. */
@ActivityInterface
public interface RestoreActivities {
  /** The Time Travel window and the verified backups of {@code target}. Read-only. */
  @ActivityMethod(name = "DescribeRecoveryWindow")
  RecoveryWindow window(Target target);

  /**
   * The D1 Time Travel bookmark at {@code at} (the nearest at or before it), or the current one
   * when {@code at} is null. Read-only.
   */
  @ActivityMethod(name = "TimeTravelBookmark")
  String bookmark(Target target, Instant at);

  /**
   * Restores a verified backup into the target. D1: one import that replaces schema and data in a
   * single transaction (never half-restored), rebuilding skipped virtual tables and applying the
   * captured lossy values; SQLite: restore into a new file beside it and swap atomically, keeping
   * the original; KV: replay the chain in the chosen mode. The backup is verified again before a
   * byte is written. Heartbeats a resumable checkpoint (import etag and bookmark, KV key cursor).
   * Idempotent per {@code restoreId}.
   */
  @ActivityMethod(name = "RestoreFromBackup")
  RestoreOutcome restore(RestoreRequest request);

  /**
   * Restores a D1 database to a Time Travel bookmark; returns the previous bookmark as the undo
   * handle. Idempotent: restoring to the bookmark the database is already at changes nothing.
   */
  @ActivityMethod(name = "RestoreTimeTravel")
  RestoreOutcome restoreTimeTravel(Target target, String bookmark);

  /** Puts a SQLite target's preserved original back in place (the undo of a swap). Idempotent. */
  @ActivityMethod(name = "SwapBackSqlite")
  RestoreOutcome swapBack(Target target, String preservedOriginal);

  /**
   * Checks the target after a restore: integrity, foreign keys (no more violations than the
   * recovery point itself had) and row counts (keys for KV) against {@code expected}. Read-only.
   */
  @ActivityMethod(name = "CheckTarget")
  TargetCheck check(Target target, List<BackupManifest.TableManifest> expected, long foreignKeyViolationsAllowed);
}
