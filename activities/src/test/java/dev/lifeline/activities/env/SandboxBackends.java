package dev.lifeline.activities.env;

import dev.lifeline.activities.secrets.Secret;
import dev.lifeline.sandbox.CloudflareSandbox;
import java.nio.file.Path;

/** {@link BackendSettings} pointing at a sandbox account, as the dev stack builds them. */
public final class SandboxBackends {
  /** A fixed test backup key (64 hex characters). */
  public static final String TEST_KEY = "5f".repeat(32);

  private SandboxBackends() {}

  /** Settings for {@code sandbox}, with the test key and {@code workDir}. */
  public static BackendSettings settings(CloudflareSandbox sandbox, Path workDir) {
    return new BackendSettings(
        sandbox.apiBaseUrl(),
        sandbox.accountId(),
        Secret.of(sandbox.apiToken()),
        sandbox.s3Endpoint(),
        "auto",
        sandbox.s3AccessKeyId(),
        Secret.of(sandbox.s3SecretAccessKey()),
        "monotask-backups",
        "monotask-backups-secondary",
        Secret.of(TEST_KEY),
        workDir);
  }
}
