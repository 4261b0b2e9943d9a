package dev.lifeline.activities.backups;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Heartbeats progress that {@code lifeline watch} shows: a phase and a count. Safe to call from
 * any thread of the activity; the SDK throttles what it sends. Outside an activity (a CLI import,
 * a test, a benchmark) it does nothing.
 *
 * <p>Inside {@link #keepingAlive} (which {@link ActivityFailures#call} wraps every activity body in)
 * the last progress is also repeated from a shared daemon thread (every third of the activity's
 * heartbeat timeout, at most every {@link #REPEAT}), for steps
 * where one call runs longer than the heartbeat timeout: an {@code integrity_check} of a large file,
 * a full-table aggregate through the D1 API, writing a large import. Then only a dead worker times
 * out. A step silent for longer than {@link #MAX_SILENCE} is taken for hung: the repeating stops so
 * that the heartbeat timeout fires and the activity is retried.
 */
public final class Heartbeats {
  /** What an activity reports. */
  public record Progress(String phase, long done, long total, String unit) {}

  /** The longest the keep-alive waits between repeats of the last progress. */
  static final Duration REPEAT = Duration.ofSeconds(20);

  /** The longest a step may go without reporting before the keep-alive gives up on it. */
  static final Duration MAX_SILENCE = Duration.ofHours(1);

  private static final ThreadLocal<KeepAlive> CURRENT = new ThreadLocal<>();
  private static final ScheduledExecutorService TICKER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "heartbeat-keepalive");
    t.setDaemon(true);
    return t;
  });

  private final ActivityExecutionContext ctx;
  private final KeepAlive keepAlive;

  /** Heartbeats for the activity running on this thread, if any. */
  public Heartbeats() {
    this.ctx = context();
    this.keepAlive = CURRENT.get();
  }

  private static ActivityExecutionContext context() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException e) {
      return null; // called outside an activity (a CLI import, a test): nobody to tell
    }
  }

  /**
   * Runs {@code body} with the last progress repeated while it runs. Nested calls share the
   * outer keep-alive; outside an activity it just runs {@code body}.
   */
  public static <T> T keepingAlive(Supplier<T> body) {
    ActivityExecutionContext ctx = CURRENT.get() == null ? context() : null;
    if (ctx == null) {
      return body.get();
    }
    KeepAlive k = new KeepAlive(ctx);
    CURRENT.set(k);
    try {
      return body.get();
    } finally {
      CURRENT.remove();
      k.stop();
    }
  }

  /** Reports {@code done} of {@code total} {@code unit} in {@code phase}. */
  public void beat(String phase, long done, long total, String unit) {
    Progress p = new Progress(phase, done, total, unit);
    if (keepAlive != null) {
      keepAlive.reported(p);
    }
    if (ctx != null) {
      ctx.heartbeat(p);
    }
  }

  /** Reports {@code phase}. */
  public void beat(String phase) {
    beat(phase, 0, 0, null);
  }

  /** Repeats an activity's last progress until stopped or silent too long. */
  private static final class KeepAlive {
    private final ActivityExecutionContext ctx;
    private final ScheduledFuture<?> task;
    private volatile Progress last = new Progress("working", 0, 0, null);
    private volatile long lastReportNanos = System.nanoTime();

    KeepAlive(ActivityExecutionContext ctx) {
      this.ctx = ctx;
      // A third of the activity's own heartbeat timeout, so two repeats may be lost in transit.
      Duration timeout = ctx.getInfo().getHeartbeatTimeout();
      long period = timeout == null || timeout.isZero() ? REPEAT.toMillis()
          : Math.max(500, Math.min(REPEAT.toMillis(), timeout.toMillis() / 3));
      this.task = TICKER.scheduleAtFixedRate(this::repeat, period, period, TimeUnit.MILLISECONDS);
    }

    void reported(Progress p) {
      last = p;
      lastReportNanos = System.nanoTime();
    }

    private void repeat() {
      if (System.nanoTime() - lastReportNanos > MAX_SILENCE.toNanos()) {
        task.cancel(false);
        return;
      }
      try {
        ctx.heartbeat(last);
      } catch (RuntimeException e) {
        // Cancelled, or the server is away: the activity's own thread sees it at its next beat.
      }
    }

    void stop() {
      task.cancel(false);
    }
  }
}
