package dev.lifeline.activities.cloudflare;

import java.util.List;

/**
 * A D1 export or import job ended in {@code status:"error"}, ended without completing, or its
 * upload was refused. The message carries D1's error text and the last progress messages. Not
 * retryable by default: a failed import has already been rolled back by D1 and can be started
 * again once its input is fixed; a failed export is started again from scratch.
 */
public class D1JobFailedException extends CloudflareApiException {
  private static final long serialVersionUID = 1L;

  private final String jobType;

  public D1JobFailedException(
      String jobType, String summary, String method, String path, boolean retryable) {
    super(summary, 0, List.of(), method, path, retryable, false, null);
    this.jobType = jobType;
  }

  /** {@code export} or {@code import}. */
  public String jobType() {
    return jobType;
  }
}
