package dev.lifeline.activities.cloudflare;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * HTTP 429: the account's request limit (1,200 per 5 minutes) was exceeded. The request was not
 * executed, so it is always retryable, after {@link #retryAfter()} when the server said how long.
 */
public class CloudflareRateLimitedException extends CloudflareApiException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  public CloudflareRateLimitedException(
      List<ApiError> errors, String method, String path, Duration retryAfter) {
    super(
        "Cloudflare rate limit exceeded"
            + (retryAfter == null ? "" : "; retry after " + retryAfter.toSeconds() + " s"),
        429,
        errors,
        method,
        path,
        true,
        false,
        null);
    this.retryAfter = retryAfter;
  }

  @Override
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
