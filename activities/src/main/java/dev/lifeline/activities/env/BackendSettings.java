package dev.lifeline.activities.env;

import dev.lifeline.activities.secrets.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the systems are and how to authenticate, as the worker read them from its configuration.
 *
 * @param cloudflareApiBaseUrl the Cloudflare REST API (or the sandbox's)
 * @param accountId the Cloudflare account id
 * @param apiToken the API token
 * @param s3Endpoint the S3 endpoint of R2 (or any S3-compatible server)
 * @param s3Region the S3 region ({@code auto} for R2)
 * @param s3AccessKeyId the S3 access key id, or null for the AWS default chain
 * @param s3SecretAccessKey the S3 secret, or null
 * @param backupBucket the bucket backups go to
 * @param secondaryBucket the replication target, or null
 * @param backupKey the backup key ({@code BACKUP_ENCRYPTION_KEY}), or null when unset
 * @param workDir a local directory for staging files (needs room for the largest database)
 * @param previousBackupKeys previous backup keys ({@code BACKUP_ENCRYPTION_KEY_PREVIOUS}) kept
 *     during a key rotation, to read what they wrapped; empty (never null) outside one
 */
public record BackendSettings(
    URI cloudflareApiBaseUrl,
    String accountId,
    Secret apiToken,
    URI s3Endpoint,
    String s3Region,
    String s3AccessKeyId,
    Secret s3SecretAccessKey,
    String backupBucket,
    String secondaryBucket,
    Secret backupKey,
    Path workDir,
    List<Secret> previousBackupKeys) {

  /** Normalises a missing list of previous keys to an empty one. */
  public BackendSettings {
    previousBackupKeys = previousBackupKeys == null ? List.of() : List.copyOf(previousBackupKeys);
  }

  /** Settings without previous backup keys (no rotation under way). */
  public BackendSettings(URI cloudflareApiBaseUrl, String accountId, Secret apiToken, URI s3Endpoint,
      String s3Region, String s3AccessKeyId, Secret s3SecretAccessKey, String backupBucket, String secondaryBucket,
      Secret backupKey, Path workDir) {
    this(cloudflareApiBaseUrl, accountId, apiToken, s3Endpoint, s3Region, s3AccessKeyId, s3SecretAccessKey,
        backupBucket, secondaryBucket, backupKey, workDir, List.of());
  }

  /** Never shows the secrets. */
  @Override
  public String toString() {
    return "BackendSettings[cloudflare=" + cloudflareApiBaseUrl + ", account=" + accountId + ", s3=" + s3Endpoint
        + ", backupBucket=" + backupBucket + ", secondaryBucket=" + secondaryBucket + ", workDir=" + workDir + "]";
  }
}
