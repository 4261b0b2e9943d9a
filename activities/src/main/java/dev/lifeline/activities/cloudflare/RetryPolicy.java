package dev.lifeline.activities.cloudflare;

import java.time.Duration;
import java.util.Objects;

/**
 * How the client retries a failed call by itself before giving up with an exception.
 *
 * <p>Backoff is exponential ({@code initialBackoff * 2^(attempt-1)}, capped at {@code maxBackoff})
 * with "equal jitter": a random point in the upper half of that interval, so that workers that failed
 * together do not retry together. A {@code Retry-After} from the server replaces the computed
 * backoff (plus at most {@code jitter} of itself). Retries stop after {@code maxAttempts} attempts in
 * total or when the next wait would end after {@code maxElapsed} since the first attempt, whichever
 * comes first; the last failure is then thrown, still carrying its {@code Retry-After} so that a
 * Temporal retry can wait the rest.
 *
 * <p>Which failures are retried at all is decided by the call's {@link Idempotency}.
 *
 * @param maxAttempts total attempts including the first, at least 1
 * @param initialBackoff wait before the second attempt (before jitter)
 * @param maxBackoff cap for a computed backoff
 * @param maxElapsed give up when waiting again would pass this much time since the first attempt
 * @param jitter fraction in [0, 1] of random extra added to a server-given Retry-After
 */
public record RetryPolicy(
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration maxElapsed,
    double jitter) {

  /** 6 attempts, 500 ms doubling to 30 s, at most 2 minutes in total, 10% jitter on Retry-After. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(2), 0.1);

  /** A single attempt: every failure is thrown at once (the caller retries). */
  public static final RetryPolicy NONE =
      new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1");
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(maxElapsed, "maxElapsed");
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter must be in [0, 1]");
    }
  }

  /**
   * The backoff before attempt {@code attempt + 1}, given a random number in [0, 1).
   *
   * @param attempt the attempt that just failed, 1-based
   */
  Duration backoff(int attempt, double random) {
    long base = initialBackoff.toMillis();
    long cap = maxBackoff.toMillis();
    long exp = attempt >= 31 ? cap : Math.min(cap, base * (1L << (attempt - 1)));
    long half = exp / 2;
    return Duration.ofMillis(half + (long) (random * (exp - half + 1)));
  }

  /** A server-given wait plus up to {@code jitter} of itself. */
  Duration serverWait(Duration retryAfter, double random) {
    return retryAfter.plusMillis((long) (retryAfter.toMillis() * jitter * random));
  }
}
