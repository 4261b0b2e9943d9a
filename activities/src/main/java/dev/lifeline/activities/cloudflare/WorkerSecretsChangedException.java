package dev.lifeline.activities.cloudflare;

import java.util.List;

/**
 * A Worker rollback was refused with code 10220 because secrets changed since the target version
 * was deployed; rolling back would run old code against new secrets. {@link #changedSecrets()}
 * lists them. Not retryable as is: a person confirms, then the rollback is repeated with
 * {@code force} allowed.
 */
public class WorkerSecretsChangedException extends CloudflareApiException {
  private static final long serialVersionUID = 1L;

  /** Cloudflare's code for "rollback blocked because secrets changed". */
  public static final int CODE = 10220;

  private final String versionId;
  private final List<String> changedSecrets;

  public WorkerSecretsChangedException(
      String versionId,
      List<String> changedSecrets,
      int httpStatus,
      List<ApiError> errors,
      String method,
      String path) {
    super(
        "Rollback to Worker version "
            + versionId
            + " blocked: these secrets changed since it was deployed: "
            + String.join(", ", changedSecrets)
            + ". Confirm and repeat the rollback with force allowed",
        httpStatus,
        errors,
        method,
        path,
        false,
        false,
        null);
    this.versionId = versionId;
    this.changedSecrets = List.copyOf(changedSecrets);
  }

  /** The version the rollback targeted. */
  public String versionId() {
    return versionId;
  }

  /** Names of the secrets that changed (names only; values are never sent by the API). */
  public List<String> changedSecrets() {
    return changedSecrets;
  }
}
