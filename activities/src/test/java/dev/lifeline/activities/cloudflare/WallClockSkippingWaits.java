package dev.lifeline.activities.cloudflare;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * For clients talking to a real server (the sandbox, which keeps real time): the wall clock plus
 * every wait the client asked for, with a sleeper that records the wait and skips it instead of
 * blocking. Time moves forward as it really does, so timestamps the client checks against "now"
 * agree with the server's, and waits (retries, Retry-After, job polls, resume backoff) cost no
 * wall time while tests can still assert how long the client chose to wait.
 */
final class WallClockSkippingWaits extends Clock {
  private final AtomicLong skippedMillis = new AtomicLong();
  final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  /** A sleeper that records the wait and moves this clock past it at once. */
  Sleeper sleeper() {
    return d -> {
      sleeps.add(d);
      skippedMillis.addAndGet(Math.max(0, d.toMillis()));
    };
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public long millis() {
    return System.currentTimeMillis() + skippedMillis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }
}
