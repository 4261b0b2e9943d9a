package dev.lifeline.activities.cloudflare;

import java.util.List;

/**
 * The answer was an HTML page instead of JSON: a WAF or bot challenge ({@code cf-mitigated:
 * challenge}) or an error page from something in front of the API. Detected before JSON parsing.
 * Not retryable by the client: the challenge will not go away by asking again; allow-list the
 * worker's address or check for a proxy rewriting the traffic.
 */
public class CloudflareBlockedException extends CloudflareApiException {
  private static final long serialVersionUID = 1L;

  public CloudflareBlockedException(String summary, int httpStatus, String method, String path) {
    super(summary, httpStatus, List.of(), method, path, false, false, null);
  }
}
