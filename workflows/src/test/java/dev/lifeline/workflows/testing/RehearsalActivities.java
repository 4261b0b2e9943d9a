package dev.lifeline.workflows.testing;

import io.temporal.activity.ActivityInterface;

/** The activities of {@link GateRehearsal}; see {@link RehearsalStore} for the implementation. */
@ActivityInterface(namePrefix = "Rehearsal")
public interface RehearsalActivities {
  /** Counts rows, heartbeating for {@code millis} first. Read-only. */
  int inspect(String target, long millis);

  /** Copies the table; returns the snapshot id. Idempotent per target (same id). */
  String snapshot(String target);

  /** Rewrites every row's value to "rewritten"; returns the number of rows. Idempotent. */
  int apply(String target);

  /** Fails when asked to, otherwise checks the rewrite. Read-only. */
  void verify(String target, boolean fail);

  /** Marks the table finalized. Idempotent. */
  void finalizeTable(String target);

  /** Restores the table from a snapshot. Idempotent. */
  String restore(String target, String snapshotId);
}
