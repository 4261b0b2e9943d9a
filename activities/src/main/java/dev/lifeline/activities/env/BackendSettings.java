package dev.lifeline.activities.env;

import dev.lifeline.activities.secrets.Secret;
import java.net.URI;
import java.nio.file.Path;

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
    Path workDir) {

  /** Never shows the secrets. */
  @Override
  public String toString() {
    return "BackendSettings[cloudflare=" + cloudflareApiBaseUrl + ", account=" + accountId + ", s3=" + s3Endpoint
        + ", backupBucket=" + backupBucket + ", secondaryBucket=" + secondaryBucket + ", workDir=" + workDir + "]";
  }
}
