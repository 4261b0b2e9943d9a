package dev.lifeline.activities.cloudflare;

import java.time.Duration;

/**
 * How the client waits: between retries, for request budget, between job polls.
 *
 * <p>A seam for tests, which pair it with a fake {@link java.time.Clock} so that waiting advances
 * the clock instead of the wall. Production code uses {@link #SYSTEM}.
 */
@FunctionalInterface
public interface Sleeper {
  /** Sleeps on the current thread. */
  Sleeper SYSTEM = d -> Thread.sleep(Math.max(0, d.toMillis()));

  /** Waits for {@code duration}; an interrupt ends the wait early with the exception. */
  void sleep(Duration duration) throws InterruptedException;
}
