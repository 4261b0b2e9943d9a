package dev.lifeline.activities.cloudflare;

import dev.lifeline.activities.secrets.Secret;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client-side token bucket that keeps this JVM under Cloudflare's per-token request limit
 * (1,200 requests per 5 minutes, counted across every client of the same account and token), so
 * that one busy worker never puts the whole account into five minutes of HTTP 429.
 *
 * <p>Sizing: the bucket holds {@code burst} tokens and refills at {@code (limit - burst) / window}.
 * In any window of length {@code window} at most {@code burst + (limit - burst) = limit} requests
 * pass, so the account limit holds for a sliding window too (a bucket that held the whole limit
 * and refilled at limit/window could let 2x the limit through in one window).
 *
 * <p>{@link #acquire()} blocks until a token is available; every wait is logged at debug and
 * counted ({@link #waits()}, {@link #waitedMillis()}). Thread-safe.
 *
 * <p>{@link #shared(String, Secret)} returns the JVM-wide instance for an account and token, which
 * is what {@link CloudflareClient} uses unless told otherwise. Requests made elsewhere with the same
 * token (dashboard, wrangler, other hosts) are not seen; lower the limit if they are common.
 */
public final class RequestBudget {
  private static final Logger log = LoggerFactory.getLogger(RequestBudget.class);
  private static final Map<String, RequestBudget> SHARED = new ConcurrentHashMap<>();

  /** Cloudflare's documented limit per token. */
  public static final int DEFAULT_LIMIT = 1200;
  /** The window of that limit. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
  /** Requests allowed back to back before the refill rate applies. */
  public static final int DEFAULT_BURST = 100;

  private final int limit;
  private final Duration window;
  private final int burst;
  private final double tokensPerMilli;
  private final Clock clock;
  private final Sleeper sleeper;
  private final AtomicLong waits = new AtomicLong();
  private final AtomicLong waitedMillis = new AtomicLong();

  private double tokens;
  private long lastRefillMillis;

  private RequestBudget(int limit, Duration window, int burst, Clock clock, Sleeper sleeper) {
    if (limit < 1 || burst < 1 || burst > limit) {
      throw new IllegalArgumentException("need 1 <= burst <= limit");
    }
    if (window.isZero() || window.isNegative()) {
      throw new IllegalArgumentException("window must be positive");
    }
    this.limit = limit;
    this.window = window;
    this.burst = burst;
    // With burst == limit there would be no refill; keep a trickle so the budget never deadlocks.
    this.tokensPerMilli = Math.max(limit - burst, 1) / (double) window.toMillis();
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.tokens = burst;
    this.lastRefillMillis = clock.millis();
  }

  /**
   * A private budget (not shared), for tests and for callers that manage sharing themselves.
   *
   * @param limit requests allowed per window
   * @param window the window
   * @param burst requests allowed back to back, at most {@code limit}
   */
  public static RequestBudget create(
      int limit, Duration window, int burst, Clock clock, Sleeper sleeper) {
    return new RequestBudget(limit, window, burst, clock, sleeper);
  }

  /**
   * The JVM-wide budget for this account and token, created with the defaults on first use. Keyed
   * by account id and the token's one-way fingerprint, never by the token itself.
   */
  public static RequestBudget shared(String accountId, Secret apiToken) {
    String key = accountId + ':' + apiToken.fingerprint();
    return SHARED.computeIfAbsent(
        key,
        k ->
            new RequestBudget(
                DEFAULT_LIMIT, DEFAULT_WINDOW, DEFAULT_BURST, Clock.systemUTC(), Sleeper.SYSTEM));
  }

  /**
   * Takes one request's worth of budget, waiting (with the configured sleeper) while the bucket is
   * empty.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public void acquire() throws InterruptedException {
    while (true) {
      long waitMillis;
      synchronized (this) {
        refill();
        if (tokens >= 1) {
          tokens -= 1;
          return;
        }
        waitMillis = (long) Math.ceil((1 - tokens) / tokensPerMilli);
      }
      waits.incrementAndGet();
      waitedMillis.addAndGet(waitMillis);
      log.debug(
          "Request budget exhausted ({} requests per {}); waiting {} ms",
          limit,
          window,
          waitMillis);
      sleeper.sleep(Duration.ofMillis(waitMillis));
    }
  }

  private void refill() {
    long now = clock.millis();
    long elapsed = now - lastRefillMillis;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * tokensPerMilli);
      lastRefillMillis = now;
    }
  }

  /** How many times a caller had to wait for budget. */
  public long waits() {
    return waits.get();
  }

  /** Total milliseconds callers were told to wait for budget. */
  public long waitedMillis() {
    return waitedMillis.get();
  }

  /** Tokens available right now (after refill), for diagnostics. */
  public synchronized double available() {
    refill();
    return tokens;
  }

  @Override
  public String toString() {
    return "RequestBudget[limit=" + limit + ", window=" + window + ", burst=" + burst + "]";
  }
}
