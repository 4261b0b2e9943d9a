package dev.lifeline.worker.config;

import dev.lifeline.activities.secrets.Secret;
import dev.lifeline.worker.logging.SecretMasker;
import dev.lifeline.workflows.client.TemporalSettings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything the worker needs to know, read from {@link ConfigSource} and checked as a whole at
 * start-up: all problems are reported together, one line each, naming the setting and never
 * showing a secret.
 *
 * <p>Besides the Temporal settings ({@link TemporalSettings}), it reads the names Cloudflare backup
 * scripts already use: {@code CLOUDFLARE_API_TOKEN}, {@code CLOUDFLARE_ACCOUNT_ID},
 * {@code CLOUDFLARE_API_BASE_URL}, {@code BACKUP_R2_BUCKET}, {@code SECONDARY_R2_BUCKET},
 * {@code BACKUP_ENCRYPTION_KEY} (64 hex characters), {@code BACKUP_ENCRYPTION_KEY_PREVIOUS}
 * (comma-separated previous keys, during a key rotation), {@code D1_DATABASE_NAME},
 * {@code D1_DATABASE_ID}; the S3 side of R2 ({@code R2_ENDPOINT}, {@code R2_ACCESS_KEY_ID},
 * {@code R2_SECRET_ACCESS_KEY}, {@code BACKUP_S3_REGION} or {@code AWS_REGION}); and the worker's own
 * ({@code LIFELINE_NOTIFY_WEBHOOK}, {@code LIFELINE_SHUTDOWN_GRACE}, {@code LIFELINE_LOG_FORMAT},
 * {@code LIFELINE_WORK_DIR}).
 */
public final class LifelineConfig {
  /** The Cloudflare API's default base URL. */
  public static final String DEFAULT_CLOUDFLARE_API = "https://api.cloudflare.com/client/v4";

  private static final Pattern HEX32 = Pattern.compile("^[0-9a-f]{32}$");
  private static final Pattern HEX64 = Pattern.compile("^[0-9a-fA-F]{64}$");
  private static final Pattern UUID =
      Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  private static final Pattern BUCKET = Pattern.compile("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$");

  /** Which settings must be present (malformed ones are always reported). */
  public enum Requirement {
    /** A production worker: Cloudflare, the backup bucket and the encryption key are required. */
    PRODUCTION,
    /** The embedded dev stack fills the Cloudflare settings itself; nothing else is required. */
    DEV
  }

  private final TemporalSettings temporal;
  private final URI cloudflareApiBaseUrl;
  private final String cloudflareAccountId;
  private final Secret cloudflareApiToken;
  private final String backupBucket;
  private final String secondaryBucket;
  private final Secret backupEncryptionKey;
  private final List<Secret> previousBackupEncryptionKeys;
  private final String d1DatabaseName;
  private final String d1DatabaseId;
  private final URI r2Endpoint;
  private final String r2AccessKeyId;
  private final Secret r2SecretAccessKey;
  private final String s3Region;
  private final URI notifyWebhook;
  private final Duration shutdownGrace;
  private final String logFormat;
  private final java.nio.file.Path workDir;

  private LifelineConfig(Reader r) {
    this.temporal = r.temporal;
    this.cloudflareApiBaseUrl = r.cloudflareApiBaseUrl;
    this.cloudflareAccountId = r.cloudflareAccountId;
    this.cloudflareApiToken = r.cloudflareApiToken;
    this.backupBucket = r.backupBucket;
    this.secondaryBucket = r.secondaryBucket;
    this.backupEncryptionKey = r.backupEncryptionKey;
    this.previousBackupEncryptionKeys = List.copyOf(r.previousBackupEncryptionKeys);
    this.d1DatabaseName = r.d1DatabaseName;
    this.d1DatabaseId = r.d1DatabaseId;
    this.r2Endpoint = r.r2Endpoint;
    this.r2AccessKeyId = r.r2AccessKeyId;
    this.r2SecretAccessKey = r.r2SecretAccessKey;
    this.s3Region = r.s3Region;
    this.notifyWebhook = r.notifyWebhook;
    this.shutdownGrace = r.shutdownGrace;
    this.logFormat = r.logFormat;
    this.workDir = r.workDir;
  }

  /**
   * Reads and checks every setting.
   *
   * @throws ConfigException listing every problem, one line each
   */
  public static LifelineConfig load(ConfigSource source, Requirement requirement) {
    Reader r = new Reader(source, requirement);
    r.read();
    if (!r.problems.isEmpty()) {
      throw new ConfigException(r.problems);
    }
    return new LifelineConfig(r);
  }

  /** Reads settings one by one, collecting problems. */
  private static final class Reader {
    private final ConfigSource src;
    private final Requirement requirement;
    private final List<String> problems = new ArrayList<>();
    private TemporalSettings temporal;
    private URI cloudflareApiBaseUrl;
    private String cloudflareAccountId;
    private Secret cloudflareApiToken;
    private String backupBucket;
    private String secondaryBucket;
    private Secret backupEncryptionKey;
    private final List<Secret> previousBackupEncryptionKeys = new ArrayList<>();
    private String d1DatabaseName;
    private String d1DatabaseId;
    private URI r2Endpoint;
    private String r2AccessKeyId;
    private Secret r2SecretAccessKey;
    private String s3Region;
    private URI notifyWebhook;
    private Duration shutdownGrace;
    private String logFormat;
    private java.nio.file.Path workDir;

    Reader(ConfigSource src, Requirement requirement) {
      this.src = src;
      this.requirement = requirement;
    }

    void read() {
      temporal = TemporalSettings.read(src::get, problems);
      boolean production = requirement == Requirement.PRODUCTION;
      cloudflareApiBaseUrl = url("CLOUDFLARE_API_BASE_URL", DEFAULT_CLOUDFLARE_API);
      cloudflareAccountId =
          matching("CLOUDFLARE_ACCOUNT_ID", production, HEX32,
              "must be the 32-character lowercase hex account id from the Cloudflare dashboard");
      Optional<String> token = src.get("CLOUDFLARE_API_TOKEN");
      if (token.isEmpty() && production) {
        problems.add(
            "CLOUDFLARE_API_TOKEN is not set: create an API token with D1, Workers KV, Workers"
                + " Scripts and R2 permissions and set it");
      } else if (token.isPresent() && token.get().chars().anyMatch(Character::isWhitespace)) {
        problems.add("CLOUDFLARE_API_TOKEN contains white space; paste the token alone");
      }
      cloudflareApiToken = secret(token.orElse(null));
      backupBucket =
          matching("BACKUP_R2_BUCKET", production, BUCKET,
              "must be a bucket name: 3-63 lowercase letters, digits and hyphens");
      secondaryBucket =
          matching("SECONDARY_R2_BUCKET", false, BUCKET,
              "must be a bucket name: 3-63 lowercase letters, digits and hyphens");
      Optional<String> key = src.get("BACKUP_ENCRYPTION_KEY");
      if (key.isEmpty() && production) {
        problems.add(
            "BACKUP_ENCRYPTION_KEY is not set: generate one with `openssl rand -hex 32` and keep"
                + " it safe; backups cannot be read without it");
      } else if (key.isPresent() && !HEX64.matcher(key.get()).matches()) {
        problems.add(
            "BACKUP_ENCRYPTION_KEY must be 64 hexadecimal characters (openssl rand -hex 32); got "
                + key.get().length() + " characters"
                + (key.get().length() == 64 ? " with non-hex ones" : ""));
      }
      backupEncryptionKey = secret(key.map(k -> k.toLowerCase(Locale.ROOT)).orElse(null));
      previousKeys();
      d1DatabaseName = src.get("D1_DATABASE_NAME").orElse(null);
      d1DatabaseId =
          matching("D1_DATABASE_ID", false, UUID,
              "must be the database UUID shown by `wrangler d1 list`");
      r2Endpoint = url("R2_ENDPOINT", null);
      r2AccessKeyId = src.get("R2_ACCESS_KEY_ID").orElse(null);
      r2SecretAccessKey = secret(src.get("R2_SECRET_ACCESS_KEY").orElse(null));
      if ((r2AccessKeyId == null) != (r2SecretAccessKey == null)) {
        problems.add(
            (r2AccessKeyId == null ? "R2_ACCESS_KEY_ID" : "R2_SECRET_ACCESS_KEY")
                + " is missing: R2 S3 credentials need both R2_ACCESS_KEY_ID and"
                + " R2_SECRET_ACCESS_KEY (or neither, to use the standard AWS credential chain)");
      }
      s3Region = src.get("BACKUP_S3_REGION").or(() -> src.get("AWS_REGION")).orElse("auto");
      notifyWebhook = url("LIFELINE_NOTIFY_WEBHOOK", null);
      shutdownGrace = duration("LIFELINE_SHUTDOWN_GRACE", Duration.ofSeconds(30));
      workDir = java.nio.file.Path.of(src.get("LIFELINE_WORK_DIR")
          .orElse(System.getProperty("java.io.tmpdir") + java.io.File.separator + "lifeline"));
      logFormat = src.get("LIFELINE_LOG_FORMAT").orElse("text").toLowerCase(Locale.ROOT);
      if (!logFormat.equals("text") && !logFormat.equals("json")) {
        problems.add("LIFELINE_LOG_FORMAT must be text or json (got \"" + logFormat + "\")");
      }
    }

    /**
     * {@code BACKUP_ENCRYPTION_KEY_PREVIOUS}: comma-separated keys in the format of the current one.
     * One problem for all malformed entries, naming their positions and lengths, never a value.
     */
    private void previousKeys() {
      Optional<String> v = src.get("BACKUP_ENCRYPTION_KEY_PREVIOUS");
      if (v.isEmpty()) {
        return;
      }
      String[] parts = v.get().split(",", -1);
      List<String> bad = new ArrayList<>();
      List<String> good = new ArrayList<>();
      for (int i = 0; i < parts.length; i++) {
        String p = parts[i].strip();
        if (p.isEmpty()) {
          continue; // a trailing comma, or a key dropped from the middle: harmless
        }
        if (HEX64.matcher(p).matches()) {
          good.add(p.toLowerCase(Locale.ROOT));
        } else {
          bad.add("entry " + (i + 1) + " has " + p.length() + " characters"
              + (p.length() == 64 ? " with non-hex ones" : ""));
        }
        // Registered even when malformed: a mistyped key is still nearly a key.
        SecretMasker.register(p);
      }
      if (!bad.isEmpty()) {
        problems.add("BACKUP_ENCRYPTION_KEY_PREVIOUS must be previous backup keys, comma-separated, each 64"
            + " hexadecimal characters like BACKUP_ENCRYPTION_KEY; " + String.join(", ", bad));
        return;
      }
      good.forEach(k -> previousBackupEncryptionKeys.add(Secret.of(k)));
    }

    private String matching(String name, boolean required, Pattern pattern, String rule) {
      Optional<String> v = src.get(name);
      if (v.isEmpty()) {
        if (required) {
          problems.add(name + " is not set; it " + rule);
        }
        return null;
      }
      if (!pattern.matcher(v.get()).matches()) {
        problems.add(name + " " + rule + " (got \"" + v.get() + "\")");
        return null;
      }
      return v.get();
    }

    private URI url(String name, String dflt) {
      Optional<String> v = src.get(name);
      if (v.isEmpty()) {
        return dflt == null ? null : URI.create(dflt);
      }
      try {
        URI u = URI.create(v.get());
        if (u.getScheme() == null
            || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
            || u.getHost() == null) {
          throw new IllegalArgumentException();
        }
        return u;
      } catch (IllegalArgumentException e) {
        problems.add(name + " must be an http(s) URL (got \"" + v.get() + "\")");
        return null;
      }
    }

    private Duration duration(String name, Duration dflt) {
      Optional<String> v = src.get(name);
      if (v.isEmpty()) {
        return dflt;
      }
      try {
        return dev.lifeline.workflows.playbook.Durations.parse(v.get());
      } catch (IllegalArgumentException e) {
        problems.add(name + " " + e.getMessage());
        return dflt;
      }
    }
  }

  /** How to reach Temporal. */
  public TemporalSettings temporal() {
    return temporal;
  }

  /** The Cloudflare REST API base URL. */
  public URI cloudflareApiBaseUrl() {
    return cloudflareApiBaseUrl;
  }

  /** The Cloudflare account id, if set. */
  public Optional<String> cloudflareAccountId() {
    return Optional.ofNullable(cloudflareAccountId);
  }

  /** The Cloudflare API token, if set. */
  public Optional<Secret> cloudflareApiToken() {
    return Optional.ofNullable(cloudflareApiToken);
  }

  /** The bucket backups go to, if set. */
  public Optional<String> backupBucket() {
    return Optional.ofNullable(backupBucket);
  }

  /** The bucket R2 replication copies to, if set. */
  public Optional<String> secondaryBucket() {
    return Optional.ofNullable(secondaryBucket);
  }

  /** The backup key-encryption key (64 hex characters), if set. */
  public Optional<Secret> backupEncryptionKey() {
    return Optional.ofNullable(backupEncryptionKey);
  }

  /** Previous backup keys kept during a key rotation ({@code BACKUP_ENCRYPTION_KEY_PREVIOUS}); usually empty. */
  public List<Secret> previousBackupEncryptionKeys() {
    return previousBackupEncryptionKeys;
  }

  /** The default D1 database name, if set. */
  public Optional<String> d1DatabaseName() {
    return Optional.ofNullable(d1DatabaseName);
  }

  /** The default D1 database id, if set. */
  public Optional<String> d1DatabaseId() {
    return Optional.ofNullable(d1DatabaseId);
  }

  /**
   * The S3 endpoint of the backup store: {@code R2_ENDPOINT}, or R2's endpoint for the account.
   */
  public Optional<URI> r2Endpoint() {
    if (r2Endpoint != null) {
      return Optional.of(r2Endpoint);
    }
    return cloudflareAccountId()
        .map(id -> URI.create("https://" + id + ".r2.cloudflarestorage.com"));
  }

  /** The R2/S3 access key id, if set (else the AWS default chain applies). */
  public Optional<String> r2AccessKeyId() {
    return Optional.ofNullable(r2AccessKeyId);
  }

  /** The R2/S3 secret access key, if set. */
  public Optional<Secret> r2SecretAccessKey() {
    return Optional.ofNullable(r2SecretAccessKey);
  }

  /** The S3 region: {@code auto} for R2. */
  public String s3Region() {
    return s3Region;
  }

  /** A chat webhook (Slack-compatible) for notifications, if set. */
  public Optional<URI> notifyWebhook() {
    return Optional.ofNullable(notifyWebhook);
  }

  /** How long a stopping worker lets running activities finish. */
  public Duration shutdownGrace() {
    return shutdownGrace;
  }

  /** Where activities stage local files (restored copies, downloads): needs room for the largest database. */
  public java.nio.file.Path workDir() {
    return workDir;
  }

  /** {@code text} or {@code json}. */
  public String logFormat() {
    return logFormat;
  }

  /** Every setting for display, secrets masked. */
  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("TEMPORAL_ADDRESS", temporal.address());
    m.put("TEMPORAL_NAMESPACE", temporal.namespace());
    m.put("LIFELINE_TASK_QUEUE", temporal.taskQueue());
    m.put("TEMPORAL_TLS", temporal.tls() ? (temporal.tlsCert() != null ? "mTLS" : "TLS") : "off");
    m.put("TEMPORAL_API_KEY", temporal.apiKey() == null ? "(not set)" : "****");
    m.put("CLOUDFLARE_API_BASE_URL", String.valueOf(cloudflareApiBaseUrl));
    m.put("CLOUDFLARE_ACCOUNT_ID", orUnset(cloudflareAccountId));
    m.put("CLOUDFLARE_API_TOKEN", cloudflareApiToken == null ? "(not set)" : "****");
    m.put("BACKUP_R2_BUCKET", orUnset(backupBucket));
    m.put("SECONDARY_R2_BUCKET", orUnset(secondaryBucket));
    m.put("BACKUP_ENCRYPTION_KEY", backupEncryptionKey == null ? "(not set)" : "****");
    m.put("BACKUP_ENCRYPTION_KEY_PREVIOUS", previousBackupEncryptionKeys.isEmpty() ? "(not set)"
        : "**** (" + previousBackupEncryptionKeys.size() + " key" + (previousBackupEncryptionKeys.size() == 1 ? ")" : "s)"));
    m.put("D1_DATABASE_NAME", orUnset(d1DatabaseName));
    m.put("D1_DATABASE_ID", orUnset(d1DatabaseId));
    m.put("R2_ENDPOINT", r2Endpoint().map(URI::toString).orElse("(not set)"));
    m.put("R2_ACCESS_KEY_ID", orUnset(r2AccessKeyId));
    m.put("R2_SECRET_ACCESS_KEY", r2SecretAccessKey == null ? "(not set)" : "****");
    m.put("LIFELINE_NOTIFY_WEBHOOK", notifyWebhook == null ? "(not set)" : "(set)");
    m.put("LIFELINE_SHUTDOWN_GRACE", shutdownGrace.toString());
    m.put("LIFELINE_WORK_DIR", workDir.toString());
    return m;
  }

  /** Wraps a secret setting and registers it with the log masker; null stays null. */
  private static Secret secret(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    SecretMasker.register(value.strip());
    return Secret.of(value);
  }

  private static String orUnset(String s) {
    return s == null ? "(not set)" : s;
  }

  @Override
  public String toString() {
    return "LifelineConfig" + describe();
  }
}
