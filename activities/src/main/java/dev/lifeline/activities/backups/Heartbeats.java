package dev.lifeline.activities.backups;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;

/**
 * Heartbeats progress that {@code lifeline watch} shows: a phase and a count. Safe to call from
 * any thread of the activity; the SDK throttles what it sends. Outside an activity (a CLI import,
 * a test, a benchmark) it does nothing.
 */
public final class Heartbeats {
  /** What an activity reports. */
  public record Progress(String phase, long done, long total, String unit) {}

  private final ActivityExecutionContext ctx;

  /** Heartbeats for the activity running on this thread, if any. */
  public Heartbeats() {
    ActivityExecutionContext c;
    try {
      c = Activity.getExecutionContext();
    } catch (IllegalStateException e) {
      c = null; // called outside an activity (a CLI import, a test): nobody to tell
    }
    this.ctx = c;
  }

  /** Reports {@code done} of {@code total} {@code unit} in {@code phase}. */
  public void beat(String phase, long done, long total, String unit) {
    if (ctx != null) {
      ctx.heartbeat(new Progress(phase, done, total, unit));
    }
  }

  /** Reports {@code phase}. */
  public void beat(String phase) {
    beat(phase, 0, 0, null);
  }
}
