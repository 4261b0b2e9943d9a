package dev.lifeline.activities.cloudflare;

import java.util.List;

/**
 * The outcome of a Worker rollback.
 *
 * @param deployment the new deployment serving {@code versionId} at 100%
 * @param versionId the version now serving
 * @param previousVersionIds versions that served before the rollback (the undo target: roll forward
 *     to them), in the previous deployment's order
 * @param forced whether {@code force=true} was needed because secrets changed
 * @param changedSecrets the secrets Cloudflare reported as changed when forced, else empty
 */
public record WorkerRollbackResult(
    WorkerDeployment deployment,
    String versionId,
    List<String> previousVersionIds,
    boolean forced,
    List<String> changedSecrets) {
  public WorkerRollbackResult {
    previousVersionIds = List.copyOf(previousVersionIds);
    changedSecrets = List.copyOf(changedSecrets);
  }
}
