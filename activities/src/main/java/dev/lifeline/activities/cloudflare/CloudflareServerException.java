package dev.lifeline.activities.cloudflare;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * HTTP 5xx. Retryable for idempotent calls. For a non-idempotent call the request may have been
 * executed, so {@link #outcomeUnknown()} is true and {@link #retryable()} false.
 */
public class CloudflareServerException extends CloudflareApiException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  public CloudflareServerException(
      int httpStatus,
      List<ApiError> errors,
      String method,
      String path,
      Idempotency idempotency,
      Duration retryAfter) {
    super(
        idempotency == Idempotency.IDEMPOTENT
            ? "Cloudflare server error"
            : "Cloudflare server error on a non-idempotent request; it may have been executed,"
                + " check the current state before repeating it",
        httpStatus,
        errors,
        method,
        path,
        idempotency == Idempotency.IDEMPOTENT,
        idempotency != Idempotency.IDEMPOTENT,
        null);
    this.retryAfter = retryAfter;
  }

  @Override
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
