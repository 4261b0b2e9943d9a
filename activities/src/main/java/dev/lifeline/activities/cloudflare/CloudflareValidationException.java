package dev.lifeline.activities.cloudflare;

import java.util.List;

/**
 * The request was refused as invalid (HTTP 400, 409, 413, 422, or {@code success:false}). Not
 * retryable by default: the same request will fail again until its input or the target's state
 * changes.
 */
public class CloudflareValidationException extends CloudflareApiException {
  private static final long serialVersionUID = 1L;

  public CloudflareValidationException(
      String summary,
      int httpStatus,
      List<ApiError> errors,
      String method,
      String path,
      boolean retryable) {
    super(summary, httpStatus, errors, method, path, retryable, false, null);
  }
}
