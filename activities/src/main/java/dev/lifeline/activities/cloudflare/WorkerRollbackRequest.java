package dev.lifeline.activities.cloudflare;

/**
 * What to roll a Worker back to.
 *
 * @param scriptName the Worker's name
 * @param versionId the target version, or null for "the previous version that served 100%"
 * @param message why, recorded as the deployment's {@code workers/message} annotation (truncated to
 *     1,000 bytes by Cloudflare)
 * @param allowChangedSecrets repeat with {@code force=true} when Cloudflare refuses because secrets
 *     changed (code 10220); only after a person confirmed it
 */
public record WorkerRollbackRequest(
    String scriptName, String versionId, String message, boolean allowChangedSecrets) {
  public WorkerRollbackRequest {
    D1Api.requireText(scriptName, "scriptName");
  }
}
