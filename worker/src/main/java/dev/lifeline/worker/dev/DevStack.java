package dev.lifeline.worker.dev;

import dev.lifeline.sandbox.CloudflareSandbox;
import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.sandbox.SandboxOptions;
import dev.lifeline.worker.LifelineWorker;
import dev.lifeline.worker.config.ConfigSource;
import dev.lifeline.worker.config.LifelineConfig;
import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything Lifeline needs on a laptop, in one JVM and without any account: the Java Temporal
 * test server on loopback, the sandbox Cloudflare account (REST emulator over real SQLite files,
 * a real S3-compatible server for R2) seeded with the MonoTask sample data, and a worker connected
 * to both with every playbook registered. {@link #connectionHelp()} says how to point the CLI and
 * other tools at it.
 */
public final class DevStack implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DevStack.class);
  private static final String KEY_FILE = "backup-encryption.key";

  private final LocalTemporalServer temporal;
  private final CloudflareSandbox sandbox;
  private final LifelineWorker worker;
  private final LifelineConfig config;
  private final Map<String, String> environment;

  private DevStack(
      LocalTemporalServer temporal,
      CloudflareSandbox sandbox,
      LifelineWorker worker,
      LifelineConfig config,
      Map<String, String> environment) {
    this.temporal = temporal;
    this.sandbox = sandbox;
    this.worker = worker;
    this.config = config;
    this.environment = environment;
  }

  /** Starts the stack; {@link #close()} stops it. */
  public static DevStack start(DevStackOptions options) {
    LocalTemporalServer temporal = LocalTemporalServer.start(options.host(), options.temporalPort());
    CloudflareSandbox sandbox = null;
    try {
      SandboxOptions.Builder so = SandboxOptions.builder();
      if (options.dataDirectory() != null) {
        so.dataDirectory(options.dataDirectory());
      }
      sandbox = CloudflareSandbox.start(so.build());
      if (sandbox.account().findD1Database(MonoTaskAccount.DATABASE).isEmpty()) {
        MonoTaskAccount.create(sandbox, options.sample());
      }
      Map<String, String> stackEnv = new LinkedHashMap<>();
      stackEnv.put("TEMPORAL_ADDRESS", temporal.address());
      stackEnv.put("TEMPORAL_NAMESPACE", "default");
      stackEnv.put("LIFELINE_TASK_QUEUE", "lifeline");
      stackEnv.putAll(sandbox.environment());
      stackEnv.put("D1_DATABASE_NAME", MonoTaskAccount.DATABASE);
      stackEnv.put("BACKUP_ENCRYPTION_KEY", backupKey(options, sandbox.dataDirectory()));

      Map<String, String> env = new HashMap<>(options.environment());
      env.putAll(stackEnv);
      env.putIfAbsent("LIFELINE_SHUTDOWN_GRACE", "10s");
      LifelineConfig config =
          LifelineConfig.load(ConfigSource.of(env), LifelineConfig.Requirement.PRODUCTION);
      LifelineWorker worker =
          LifelineWorker.start(config, config.temporal().connect(), true, options.extras());
      log.info(
          "dev stack up: Temporal test server at {}, sandbox Cloudflare API at {}",
          temporal.address(),
          sandbox.apiBaseUrl());
      return new DevStack(temporal, sandbox, worker, config, stackEnv);
    } catch (RuntimeException e) {
      if (sandbox != null) {
        sandbox.close();
      }
      temporal.close();
      throw e;
    }
  }

  /**
   * The key that encrypts dev backups: {@code BACKUP_ENCRYPTION_KEY} if set, else one kept in the
   * data directory (so a persistent sandbox's backups stay readable), else a fresh one.
   */
  private static String backupKey(DevStackOptions options, Path dataDir) {
    String given = options.environment().get("BACKUP_ENCRYPTION_KEY");
    if (given != null && !given.isBlank()) {
      return given.trim();
    }
    Path file = dataDir.resolve(KEY_FILE);
    try {
      if (Files.isRegularFile(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      String hex = HexFormat.of().formatHex(key);
      Files.writeString(file, hex + "\n", StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: the file keeps the directory's default permissions.
      }
      return hex;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the dev backup key in " + file, e);
    }
  }

  /** host:port of the embedded Temporal server. */
  public String temporalAddress() {
    return temporal.address();
  }

  /** The namespace the worker polls. */
  public String namespace() {
    return config.temporal().namespace();
  }

  /** The task queue the worker polls. */
  public String taskQueue() {
    return worker.taskQueue();
  }

  /** A client on the stack's Temporal server. */
  public WorkflowClient client() {
    return worker.client();
  }

  /** The sandbox Cloudflare account. */
  public CloudflareSandbox sandbox() {
    return sandbox;
  }

  /** The worker's configuration. */
  public LifelineConfig config() {
    return config;
  }

  /**
   * The settings that point the worker, the CLI and Cloudflare tools at this stack, using the
   * names Cloudflare's own tooling reads. Contains the sandbox's (local, throw-away) credentials
   * and the dev backup key.
   */
  public Map<String, String> environment() {
    return java.util.Collections.unmodifiableMap(environment);
  }

  /** What to print for a person: where things are and how to use them. */
  public String connectionHelp() {
    StringBuilder b = new StringBuilder();
    b.append("Lifeline dev stack is running.\n\n");
    b.append("  Temporal (Java test server)  ").append(temporalAddress())
        .append("  namespace ").append(namespace()).append(", task queue ").append(taskQueue())
        .append('\n');
    b.append("  Cloudflare API (sandbox)     ").append(sandbox.apiBaseUrl())
        .append("  account ").append(sandbox.accountId()).append('\n');
    b.append("  R2 / S3 (sandbox)            ").append(sandbox.s3Endpoint())
        .append("  buckets monotask-backups, monotask-backups-secondary\n");
    b.append("  Sample account               D1 ").append(MonoTaskAccount.DATABASE)
        .append(", KV ").append(String.join(" ", MonoTaskAccount.KV_NAMESPACES))
        .append(", R2 ").append(String.join(" ", MonoTaskAccount.DATA_BUCKETS)).append('\n');
    b.append("\nPoint the CLI (from another terminal), wrangler-style tools or scripts at it:\n\n");
    for (Map.Entry<String, String> e : environment.entrySet()) {
      if (e.getKey().equals("BACKUP_ENCRYPTION_KEY")) {
        continue;
      }
      b.append("  export ").append(e.getKey()).append("='").append(e.getValue()).append("'\n");
    }
    b.append("\n(the backup encryption key is written only to --env-file, never printed)\n");
    b.append("\nThen, for example:\n\n");
    b.append("  ./lifeline playbooks\n");
    b.append("  ./lifeline list\n");
    b.append("  ./lifeline status <workflow-id>\n");
    b.append("\nThe Java test server has no Schedules and no visibility queries (`lifeline list`"
        + " falls back to listing open workflows), and the Temporal Web UI needs a real server:"
        + " `docker compose up` runs one.\n");
    b.append("Press Ctrl-C to stop.\n");
    return b.toString();
  }

  /** Stops the worker (letting running activities finish briefly), then the servers. */
  @Override
  public void close() {
    try {
      worker.shutdown(Duration.ofSeconds(10));
    } finally {
      try {
        sandbox.close();
      } finally {
        temporal.close();
      }
    }
  }
}
