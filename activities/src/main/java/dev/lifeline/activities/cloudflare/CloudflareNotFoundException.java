package dev.lifeline.activities.cloudflare;

import java.util.List;

/**
 * The addressed resource does not exist: HTTP 404, or codes 7404 (D1 database), 10013 (KV
 * namespace), 10009 (KV key). Not retryable; check the id, name or account.
 */
public class CloudflareNotFoundException extends CloudflareApiException {
  private static final long serialVersionUID = 1L;

  public CloudflareNotFoundException(
      String summary, int httpStatus, List<ApiError> errors, String method, String path) {
    super(summary, httpStatus, errors, method, path, false, false, null);
  }
}
