package dev.lifeline.activities.cloudflare;

import java.util.List;

/**
 * No usable answer arrived: timeout, refused or dropped connection, DNS or TLS failure. Retryable
 * when the request is idempotent or certainly was not sent (connection refused); otherwise the
 * outcome is unknown.
 */
public class CloudflareTransportException extends CloudflareApiException {
  private static final long serialVersionUID = 1L;

  public CloudflareTransportException(
      String summary, String method, String path, boolean retryable, boolean outcomeUnknown,
      Throwable cause) {
    super(summary, 0, List.of(), method, path, retryable, outcomeUnknown, cause);
  }
}
