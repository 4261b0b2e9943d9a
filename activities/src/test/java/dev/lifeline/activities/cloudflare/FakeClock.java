package dev.lifeline.activities.cloudflare;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that only moves when told to, and a sleeper that moves it instead of waiting. */
final class FakeClock extends Clock {
  private final AtomicLong millis;
  final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  FakeClock(Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
  }

  /** A sleeper that records the wait and advances this clock by it. */
  Sleeper sleeper() {
    return d -> {
      sleeps.add(d);
      millis.addAndGet(d.toMillis());
    };
  }

  void advance(Duration d) {
    millis.addAndGet(d.toMillis());
  }

  Duration totalSlept() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
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
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public long millis() {
    return millis.get();
  }
}
