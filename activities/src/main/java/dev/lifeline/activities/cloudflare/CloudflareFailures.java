package dev.lifeline.activities.cloudflare;

import io.temporal.failure.ApplicationFailure;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * Maps client exceptions to Temporal {@link ApplicationFailure}s for activity implementations, so
 * that the client itself stays free of Temporal types.
 *
 * <p>Permanent failures (bad input, not found, refused SQL, authentication, WAF block, a write whose
 * outcome is unknown) become non-retryable with the client's message, which says what to fix.
 * Transient ones (429, 5xx on idempotent calls, timeouts) stay retryable; a server-given
 * {@code Retry-After} becomes the next retry delay. The failure type is the exception's simple
 * class name (for example {@code D1SqlException}), stable for retry policies'
 * {@code doNotRetry} lists. The original exception is not attached as cause: its chain may hold
 * transport details; the message and details carry what a person needs.
 */
public final class CloudflareFailures {
  private CloudflareFailures() {}

  /** The Temporal failure for {@code e}. */
  public static ApplicationFailure toApplicationFailure(RuntimeException e) {
    if (e instanceof ApplicationFailure af) {
      return af;
    }
    if (e instanceof CloudflareApiException c) {
      ApplicationFailure.Builder b =
          ApplicationFailure.newBuilder()
              .setType(c.getClass().getSimpleName())
              .setMessage(c.getMessage())
              .setNonRetryable(!c.retryable())
              .setDetails(c.httpStatus(), c.codes(), c.method(), c.path(), c.outcomeUnknown());
      c.retryAfter().ifPresent(b::setNextRetryDelay);
      return b.build();
    }
    if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
      return ApplicationFailure.newBuilder()
          .setType("InvalidRequest")
          .setMessage(e.getMessage())
          .setNonRetryable(true)
          .build();
    }
    if (e instanceof UncheckedIOException) {
      return ApplicationFailure.newBuilder()
          .setType("LocalIOError")
          .setMessage(e.getMessage())
          .setNonRetryable(false)
          .build();
    }
    return ApplicationFailure.newBuilder()
        .setType(e.getClass().getSimpleName())
        .setMessage(String.valueOf(e.getMessage()))
        .setNonRetryable(false)
        .build();
  }

  /** Runs {@code body}, rethrowing any runtime exception as its Temporal failure. */
  public static <T> T call(Supplier<T> body) {
    try {
      return body.get();
    } catch (RuntimeException e) {
      throw toApplicationFailure(e);
    }
  }
}
