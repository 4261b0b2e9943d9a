package dev.lifeline.activities.cloudflare;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A Cloudflare API call that failed, after the client's own retries.
 *
 * <p>Carries what a person (or a retry policy) needs: the HTTP status (0 when no answer arrived),
 * Cloudflare's error codes and messages, the method and URL path that failed (never the query string
 * of a signed URL, never the API token), and {@link #retryable()}: whether repeating the same call
 * later is both safe and likely to help. A non-idempotent request that hit a 5xx or a timeout is
 * <em>not</em> retryable, because it may have been executed; {@link #outcomeUnknown()} says so, and
 * the caller has to look at the current state before trying again.
 *
 * <p>Subclasses name the failure kinds callers branch on. The hierarchy is unchecked so that it
 * passes through streams and iterators of paginated results.
 */
public class CloudflareApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int httpStatus;
  private final transient List<ApiError> errors;
  private final String method;
  private final String path;
  private final boolean retryable;
  private final boolean outcomeUnknown;

  /**
   * @param summary what went wrong, in words a person can act on
   * @param httpStatus the HTTP status, or 0 when no response was received
   * @param errors Cloudflare's errors from the envelope, possibly empty
   * @param method HTTP method of the failed request
   * @param path URL path of the failed request (no query string)
   * @param retryable whether repeating the call later is safe and may succeed
   * @param outcomeUnknown whether the request may have been executed despite the failure
   * @param cause the underlying exception, or null
   */
  public CloudflareApiException(
      String summary,
      int httpStatus,
      List<ApiError> errors,
      String method,
      String path,
      boolean retryable,
      boolean outcomeUnknown,
      Throwable cause) {
    super(compose(summary, httpStatus, errors, method, path), cause);
    this.httpStatus = httpStatus;
    this.errors = errors == null ? List.of() : List.copyOf(errors);
    this.method = method;
    this.path = path;
    this.retryable = retryable;
    this.outcomeUnknown = outcomeUnknown;
  }

  private static String compose(
      String summary, int status, List<ApiError> errors, String method, String path) {
    StringBuilder sb = new StringBuilder(summary == null ? "Cloudflare API call failed" : summary);
    if (errors != null && !errors.isEmpty()) {
      String text = errors.stream().map(ApiError::toString).collect(Collectors.joining("; "));
      if (summary == null || !summary.contains(text)) {
        sb.append(": ").append(text);
      }
    }
    sb.append(" (").append(method).append(' ').append(path);
    if (status > 0) {
      sb.append(", HTTP ").append(status);
    }
    return sb.append(')').toString();
  }

  /** HTTP status of the answer, or 0 when the request got no answer (timeout, connection). */
  public int httpStatus() {
    return httpStatus;
  }

  /** Cloudflare's errors from the envelope, possibly empty. */
  public List<ApiError> errors() {
    return errors == null ? List.of() : errors;
  }

  /** The Cloudflare error codes, in order. */
  public List<Integer> codes() {
    return errors().stream().map(ApiError::code).toList();
  }

  /** True if any error in the envelope carries {@code code}. */
  public boolean hasCode(int code) {
    return errors().stream().anyMatch(e -> e.code() == code);
  }

  /** HTTP method of the failed request. */
  public String method() {
    return method;
  }

  /** URL path of the failed request, without query string. */
  public String path() {
    return path;
  }

  /** Whether repeating the same call later is safe and may succeed. */
  public boolean retryable() {
    return retryable;
  }

  /**
   * Whether the request may have been executed although it failed (a non-idempotent call that timed
   * out or got a 5xx). Check the resulting state before repeating it.
   */
  public boolean outcomeUnknown() {
    return outcomeUnknown;
  }

  /** How long the server asked us to wait before the next call, when it said so. */
  public Optional<Duration> retryAfter() {
    return Optional.empty();
  }
}
