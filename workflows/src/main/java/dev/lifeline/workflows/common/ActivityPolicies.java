package dev.lifeline.workflows.common;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * The activity options every playbook uses for work that talks to Cloudflare, S3 or SQLite: a
 * start-to-close long enough for big databases, a heartbeat timeout so a dead worker is noticed
 * within minutes (long activities heartbeat their progress), exponential backoff for transient
 * failures, and no retry of failure types that say retrying cannot help.
 */
public final class ActivityPolicies {
  /** How often a long activity must heartbeat before the server treats its worker as gone. */
  public static final Duration HEARTBEAT_TIMEOUT = Duration.ofMinutes(2);

  private ActivityPolicies() {}

  /**
   * Options for long work.
   *
   * @param startToClose the longest one attempt may take
   * @param initialInterval the first retry's delay; it doubles up to {@code maximumInterval}
   * @param maximumInterval the longest delay between attempts
   * @param maximumAttempts attempts in all, the first included
   * @param permanent {@code ApplicationFailure} types never retried
   */
  public static ActivityOptions longRunning(Duration startToClose, Duration initialInterval, Duration maximumInterval,
      int maximumAttempts, String... permanent) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(startToClose)
        .setHeartbeatTimeout(HEARTBEAT_TIMEOUT)
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(initialInterval)
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(maximumInterval)
                .setMaximumAttempts(maximumAttempts)
                .setDoNotRetry(permanent)
                .build())
        .build();
  }

  /** {@link #longRunning} with six hours an attempt and retries from 5 s doubling up to 5 min. */
  public static ActivityOptions longRunning(int maximumAttempts, String... permanent) {
    return longRunning(Duration.ofHours(6), Duration.ofSeconds(5), Duration.ofMinutes(5), maximumAttempts, permanent);
  }
}
