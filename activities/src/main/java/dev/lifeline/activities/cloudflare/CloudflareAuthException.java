package dev.lifeline.activities.cloudflare;

import java.util.List;

/**
 * The API token was rejected (HTTP 401, code 10000) or lacks a permission (HTTP 403), or a signed
 * URL was refused (expired or tampered). Not retryable: fix the token's permissions or account id,
 * or start a new export for a fresh URL.
 */
public class CloudflareAuthException extends CloudflareApiException {
  private static final long serialVersionUID = 1L;

  public CloudflareAuthException(
      String summary, int httpStatus, List<ApiError> errors, String method, String path) {
    super(summary, httpStatus, errors, method, path, false, false, null);
  }
}
