package dev.lifeline.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeline.worker.config.ConfigException;
import dev.lifeline.worker.config.ConfigSource;
import dev.lifeline.worker.config.LifelineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LifelineConfigTest {
  private static final String KEY = "0123456789abcdef".repeat(4);
  private static final String ACCOUNT = "0123456789abcdef0123456789abcdef";

  private static Map<String, String> production() {
    Map<String, String> env = new HashMap<>();
    env.put("CLOUDFLARE_API_TOKEN", "tok_live_ABCDEFGHIJKLMNOP");
    env.put("CLOUDFLARE_ACCOUNT_ID", ACCOUNT);
    env.put("BACKUP_R2_BUCKET", "monotask-backups");
    env.put("BACKUP_ENCRYPTION_KEY", KEY);
    return env;
  }

  @Test
  void defaultsAndRequiredSettings() {
    LifelineConfig c =
        LifelineConfig.load(ConfigSource.of(production()), LifelineConfig.Requirement.PRODUCTION);
    assertThat(c.temporal().address()).isEqualTo("127.0.0.1:7233");
    assertThat(c.temporal().namespace()).isEqualTo("default");
    assertThat(c.temporal().taskQueue()).isEqualTo("lifeline");
    assertThat(c.temporal().tls()).isFalse();
    assertThat(c.cloudflareApiBaseUrl()).hasToString("https://api.cloudflare.com/client/v4");
    assertThat(c.r2Endpoint()).hasValue(java.net.URI.create("https://" + ACCOUNT + ".r2.cloudflarestorage.com"));
    assertThat(c.s3Region()).isEqualTo("auto");
    assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.backupEncryptionKey().orElseThrow().reveal()).isEqualTo(KEY);
  }

  @Test
  void describeAndToStringNeverShowSecrets() {
    Map<String, String> env = production();
    env.put("R2_ACCESS_KEY_ID", "AKIDEXAMPLE");
    env.put("R2_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-secret-value");
    env.put("TEMPORAL_API_KEY", "temporal-cloud-key-xyz");
    LifelineConfig c = LifelineConfig.load(ConfigSource.of(env), LifelineConfig.Requirement.PRODUCTION);
    String shown = c.toString() + c.describe() + c.temporal();
    assertThat(shown)
        .doesNotContain("tok_live_ABCDEFGHIJKLMNOP")
        .doesNotContain(KEY)
        .doesNotContain("wJalrXUtnFEMI-secret-value")
        .doesNotContain("temporal-cloud-key-xyz")
        .contains("AKIDEXAMPLE");
  }

  @Test
  void everyProblemIsOneLineNamingTheSetting() {
    Map<String, String> env = new HashMap<>();
    env.put("BACKUP_ENCRYPTION_KEY", "zz" + KEY.substring(2));
    env.put("SECONDARY_R2_BUCKET", "Bad_Bucket");
    env.put("D1_DATABASE_ID", "123");
    env.put("LIFELINE_SHUTDOWN_GRACE", "a while");
    env.put("LIFELINE_LOG_FORMAT", "xml");
    env.put("TEMPORAL_TLS_CERT", "/nonexistent/cert.pem");
    env.put("R2_ACCESS_KEY_ID", "AKID");
    env.put("CLOUDFLARE_API_BASE_URL", "ftp://example.com");
    assertThatThrownBy(
            () -> LifelineConfig.load(ConfigSource.of(env), LifelineConfig.Requirement.PRODUCTION))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.problems())
                  .allSatisfy(p -> assertThat(p).doesNotContain("\n").doesNotContain(KEY.substring(2)));
              assertThat(e.problems())
                  .anySatisfy(p -> assertThat(p).startsWith("BACKUP_ENCRYPTION_KEY must be 64 hexadecimal characters").endsWith("got 64 characters with non-hex ones"))
                  .anySatisfy(p -> assertThat(p).startsWith("SECONDARY_R2_BUCKET must be a bucket name"))
                  .anySatisfy(p -> assertThat(p).startsWith("D1_DATABASE_ID must be the database UUID"))
                  .anySatisfy(p -> assertThat(p).startsWith("LIFELINE_SHUTDOWN_GRACE \"a while\" is not a duration"))
                  .anySatisfy(p -> assertThat(p).startsWith("LIFELINE_LOG_FORMAT must be text or json"))
                  .anySatisfy(p -> assertThat(p).startsWith("TEMPORAL_TLS_CERT points at /nonexistent/cert.pem"))
                  .anySatisfy(p -> assertThat(p).startsWith("TEMPORAL_TLS_KEY is missing: mTLS needs both"))
                  .anySatisfy(p -> assertThat(p).startsWith("R2_SECRET_ACCESS_KEY is missing"))
                  .anySatisfy(p -> assertThat(p).startsWith("CLOUDFLARE_API_BASE_URL must be an http(s) URL"))
                  .anySatisfy(p -> assertThat(p).startsWith("CLOUDFLARE_API_TOKEN is not set"))
                  .anySatisfy(p -> assertThat(p).startsWith("CLOUDFLARE_ACCOUNT_ID is not set"))
                  .anySatisfy(p -> assertThat(p).startsWith("BACKUP_R2_BUCKET is not set"));
            });
  }

  @Test
  void previousBackupKeysAreReadAndAMalformedOneIsOneProblemNamingTheVariableNotTheValue() {
    // Loading registers these with the process-wide log masker: values no other test logs.
    String previousA = "4e".repeat(32);
    String previousB = "D9".repeat(32);
    Map<String, String> env = production();
    env.put("BACKUP_ENCRYPTION_KEY_PREVIOUS", previousA + ", " + previousB + ",");
    LifelineConfig c = LifelineConfig.load(ConfigSource.of(env), LifelineConfig.Requirement.PRODUCTION);
    assertThat(c.previousBackupEncryptionKeys()).extracting(k -> k.reveal())
        .containsExactly(previousA, previousB.toLowerCase(java.util.Locale.ROOT));
    assertThat(c.describe().get("BACKUP_ENCRYPTION_KEY_PREVIOUS")).isEqualTo("**** (2 keys)");
    assertThat(c.toString()).doesNotContain(previousA).doesNotContain(previousB);

    String nearlyAKey = "7c".repeat(31) + "7";
    env.put("BACKUP_ENCRYPTION_KEY_PREVIOUS", previousA + "," + nearlyAKey);
    assertThatThrownBy(
            () -> LifelineConfig.load(ConfigSource.of(env), LifelineConfig.Requirement.PRODUCTION))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
            .satisfies(p -> assertThat(p)
                .startsWith("BACKUP_ENCRYPTION_KEY_PREVIOUS must be previous backup keys")
                .endsWith("entry 2 has 63 characters")
                .doesNotContain(nearlyAKey).doesNotContain(previousA)));
  }

  @Test
  void devModeRequiresNothingFromCloudflare() {
    LifelineConfig c = LifelineConfig.load(ConfigSource.of(Map.of()), LifelineConfig.Requirement.DEV);
    assertThat(c.cloudflareApiToken()).isEmpty();
  }

  @Test
  void environmentWinsOverAYamlOrPropertiesFile(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("lifeline.yaml");
    Files.writeString(
        yaml,
        "TEMPORAL_ADDRESS: temporal.internal:7233\n"
            + "temporal.namespace: recovery\n"
            + "CLOUDFLARE_ACCOUNT_ID: " + ACCOUNT + "\n"
            + "BACKUP_R2_BUCKET: from-file-bucket\n");
    Map<String, String> env = production();
    env.remove("CLOUDFLARE_ACCOUNT_ID");
    LifelineConfig c =
        LifelineConfig.load(ConfigSource.load(env, yaml), LifelineConfig.Requirement.PRODUCTION);
    assertThat(c.temporal().address()).isEqualTo("temporal.internal:7233");
    assertThat(c.temporal().namespace()).isEqualTo("recovery");
    assertThat(c.cloudflareAccountId()).hasValue(ACCOUNT);
    assertThat(c.backupBucket()).hasValue("monotask-backups");

    Path props = dir.resolve("lifeline.properties");
    Files.writeString(props, "LIFELINE_TASK_QUEUE=recovery-queue\nLIFELINE_SHUTDOWN_GRACE=2m\n");
    Map<String, String> env2 = production();
    env2.put("LIFELINE_CONFIG", props.toString());
    LifelineConfig c2 =
        LifelineConfig.load(ConfigSource.load(env2, null), LifelineConfig.Requirement.PRODUCTION);
    assertThat(c2.temporal().taskQueue()).isEqualTo("recovery-queue");
    assertThat(c2.shutdownGrace()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void aMissingOrBrokenFileIsNamed(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> ConfigSource.load(Map.of(), dir.resolve("nope.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LIFELINE_CONFIG: the configuration file")
        .hasMessageContaining("does not exist");
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "- just\n- a list\n");
    assertThatThrownBy(() -> ConfigSource.load(Map.of(), broken))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("must be a YAML mapping");
  }
}
