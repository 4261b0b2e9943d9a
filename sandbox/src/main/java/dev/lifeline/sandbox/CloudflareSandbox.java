package dev.lifeline.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A local stand-in for a Cloudflare account, for tests and the embedded dev mode: a REST emulator
 * of the API subset in {@code shared/reference/} (D1, Workers KV, Worker versions/deployments, R2
 * bucket management) on 127.0.0.1, with real SQLite files behind D1, and a real S3-compatible
 * server (s3proxy, in-process) behind R2.
 *
 * <p>Contract: {@link #start} returns a running sandbox whose {@link #apiBaseUrl()} answers
 * Cloudflare's envelope and error shapes for the {@link #apiToken()} Bearer token (any other token
 * gets 403 / code 10000), and whose {@link #s3Endpoint()} is a path-style S3 endpoint (region
 * {@code auto}) for {@link #s3AccessKeyId()} / {@link #s3SecretAccessKey()}. {@link #account()} seeds
 * and inspects the account without HTTP; {@link #faults()} makes the API misbehave. {@link #close()}
 * stops both servers and deletes the data directory if it was a temporary one. Thread-safe.
 */
public final class CloudflareSandbox implements AutoCloseable {

    private final SandboxRuntime runtime;
    private final boolean temporaryDataDir;
    private final String accountId;
    private final String apiToken;
    private final D1Service d1;
    private final KvService kv;
    private final WorkersService workers;
    private final R2Service r2;
    private final ApiServer api;
    private final SandboxAccount account;
    private volatile boolean closed;

    private CloudflareSandbox(SandboxOptions options) throws Exception {
        Path dir = options.dataDirectory();
        this.temporaryDataDir = dir == null;
        if (dir == null) {
            dir = Files.createTempDirectory("lifeline-sandbox-");
        } else {
            Files.createDirectories(dir);
        }
        ControlStore store = new ControlStore(dir.resolve("sandbox.sqlite3"));
        this.runtime = new SandboxRuntime(options, dir, store);
        this.accountId = pick(store, "account_id", options.accountId(), R2Service.randomHex(16));
        this.apiToken = pick(store, "api_token", options.apiToken(), "sandbox-" + R2Service.randomHex(20));
        this.d1 = new D1Service(runtime);
        this.kv = new KvService(runtime);
        this.workers = new WorkersService(runtime);
        R2Service startedR2 = null;
        ApiServer startedApi;
        try {
            startedR2 = new R2Service(runtime, options.s3Port());
            startedApi = new ApiServer(runtime, this, options.apiPort());
        } catch (Exception e) {
            // Do not leak a half-started sandbox: a taken port must not leave the S3 server running.
            if (startedR2 != null) {
                startedR2.close();
            }
            runtime.ticker.shutdownNow();
            runtime.jobs.shutdownNow();
            d1.closeAll();
            store.close();
            if (temporaryDataDir) {
                deleteRecursively(dir);
            }
            throw e;
        }
        this.r2 = startedR2;
        this.api = startedApi;
        runtime.publicOrigin = "http://127.0.0.1:" + api.port();
        this.account = new SandboxAccount(this);
        api.start();
        runtime.ticker.scheduleWithFixedDelay(this::tick, 250, 250, TimeUnit.MILLISECONDS);
        runtime.log.info("Cloudflare sandbox for account {} at {} (S3 {}), data in {}", accountId, apiBaseUrl(),
                r2.endpoint, dir);
    }

    private static String pick(ControlStore store, String name, String requested, String random) {
        if (requested != null) {
            store.setting(name, requested);
            return requested;
        }
        return store.setting(name).orElseGet(() -> {
            store.setting(name, random);
            return random;
        });
    }

    /**
     * Starts a sandbox: binds the REST emulator and the S3 server on 127.0.0.1, opens (or creates)
     * the data directory. A data directory that held a sandbox before keeps its account id, token,
     * S3 credentials and contents unless the options name others.
     *
     * @throws IllegalStateException if a server cannot start (e.g. the requested port is taken)
     */
    public static CloudflareSandbox start(SandboxOptions options) {
        try {
            return new CloudflareSandbox(options);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the Cloudflare sandbox: " + e.getMessage(), e);
        }
    }

    /** Starts a sandbox with default options (temporary data, ephemeral ports). */
    public static CloudflareSandbox start() {
        return start(SandboxOptions.defaults());
    }

    private void tick() {
        try {
            d1.tickAll();
        } catch (RuntimeException e) {
            runtime.log.warn("sandbox background tick failed", e);
        }
    }

    /** The API base, e.g. {@code http://127.0.0.1:PORT/client/v4}; operations are below {@code /accounts/{id}/}. */
    public URI apiBaseUrl() {
        return URI.create(runtime.publicOrigin + ApiServer.BASE);
    }

    /** The account id: 32 lowercase hex characters. */
    public String accountId() {
        return accountId;
    }

    /** The Bearer token the emulator accepts. */
    public String apiToken() {
        return apiToken;
    }

    /** The S3 endpoint for R2 objects, {@code http://127.0.0.1:PORT}; use path-style addressing and region {@code auto}. */
    public URI s3Endpoint() {
        return r2.endpoint;
    }

    /** The S3 access key id. */
    public String s3AccessKeyId() {
        return r2.accessKeyId;
    }

    /** The S3 secret access key. */
    public String s3SecretAccessKey() {
        return r2.secretAccessKey;
    }

    /** The fault injector of this sandbox's API. */
    public FaultInjector faults() {
        return runtime.faults;
    }

    /** Programmatic access to the account: create and inspect D1 databases, KV, buckets and Workers. */
    public SandboxAccount account() {
        return account;
    }

    /** The sandbox clock's options (for helpers that must agree with it). */
    SandboxOptions options() {
        return runtime.options;
    }

    /** The data directory in use. */
    public Path dataDirectory() {
        return runtime.dataDir;
    }

    /**
     * The environment a Lifeline process needs to use this account: {@code CLOUDFLARE_API_BASE_URL},
     * {@code CLOUDFLARE_ACCOUNT_ID}, {@code CLOUDFLARE_API_TOKEN}, {@code R2_ENDPOINT},
     * {@code R2_ACCESS_KEY_ID}, {@code R2_SECRET_ACCESS_KEY}, {@code AWS_REGION=auto}, and
     * {@code BACKUP_R2_BUCKET} / {@code SECONDARY_R2_BUCKET} when {@code monotask-backups} /
     * {@code monotask-backups-secondary} exist. Contains secrets: never log it.
     */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CLOUDFLARE_API_BASE_URL", apiBaseUrl().toString());
        env.put("CLOUDFLARE_ACCOUNT_ID", accountId);
        env.put("CLOUDFLARE_API_TOKEN", apiToken);
        env.put("R2_ENDPOINT", s3Endpoint().toString());
        env.put("R2_ACCESS_KEY_ID", s3AccessKeyId());
        env.put("R2_SECRET_ACCESS_KEY", s3SecretAccessKey());
        env.put("AWS_REGION", "auto");
        if (r2.bucket("monotask-backups").isPresent()) {
            env.put("BACKUP_R2_BUCKET", "monotask-backups");
        }
        if (r2.bucket("monotask-backups-secondary").isPresent()) {
            env.put("SECONDARY_R2_BUCKET", "monotask-backups-secondary");
        }
        return env;
    }

    D1Service d1() {
        return d1;
    }

    KvService kv() {
        return kv;
    }

    WorkersService workers() {
        return workers;
    }

    R2Service r2() {
        return r2;
    }

    SandboxRuntime runtime() {
        return runtime;
    }

    /** Stops both servers and background work; deletes the data directory if it was temporary. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        api.close();
        runtime.ticker.shutdownNow();
        d1.closeAll();
        runtime.jobs.shutdownNow();
        try {
            runtime.jobs.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        r2.close();
        d1.closeAll();
        runtime.store.close();
        if (temporaryDataDir) {
            deleteRecursively(runtime.dataDir);
        }
    }

    @Override
    public String toString() {
        // Never print the token or S3 secret.
        return "CloudflareSandbox[account=" + accountId + ", api=" + apiBaseUrl() + ", s3=" + s3Endpoint() + "]";
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // Best effort: a file still held open is left behind in the temp directory.
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
