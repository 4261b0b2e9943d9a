package dev.lifeline.activities.cloudflare;

import java.util.List;

/**
 * The D1 database is busy with a long-running export or import and refused the request. The request
 * was not executed, so it is retryable, but only after the job ends (minutes, not seconds).
 */
public class D1BusyException extends CloudflareApiException {
  private static final long serialVersionUID = 1L;

  public D1BusyException(
      String summary, int httpStatus, List<ApiError> errors, String method, String path) {
    super(summary, httpStatus, errors, method, path, true, false, null);
  }
}
