package dev.lifeline.sandbox;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of a {@link CloudflareSandbox}: where it keeps its files, which loopback ports it binds,
 * the account id and API token it answers to, its clock, and the Time Travel and export knobs.
 *
 * <p>Immutable; build one with {@link #builder()}. Every setting has a default that suits tests:
 * a temporary data directory deleted on close, ephemeral ports, a random account id and token,
 * the system UTC clock.
 */
public final class SandboxOptions {

    private static final Pattern ACCOUNT_ID = Pattern.compile("[0-9a-f]{32}");

    private final Path dataDirectory;
    private final int apiPort;
    private final int s3Port;
    private final String accountId;
    private final String apiToken;
    private final Duration timeTravelSnapshotInterval;
    private final Duration timeTravelRetention;
    private final Duration exportAbandonAfter;
    private final Clock clock;

    private SandboxOptions(Builder b) {
        this.dataDirectory = b.dataDirectory;
        this.apiPort = b.apiPort;
        this.s3Port = b.s3Port;
        this.accountId = b.accountId;
        this.apiToken = b.apiToken;
        this.timeTravelSnapshotInterval = b.timeTravelSnapshotInterval;
        this.timeTravelRetention = b.timeTravelRetention;
        this.exportAbandonAfter = b.exportAbandonAfter;
        this.clock = b.clock;
    }

    /** A builder with every setting at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options with every setting at its default. */
    public static SandboxOptions defaults() {
        return builder().build();
    }

    /** The data directory, or {@code null} for a temporary one that is deleted on close. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The REST emulator's port on 127.0.0.1; 0 means an ephemeral port. */
    public int apiPort() {
        return apiPort;
    }

    /** The S3 server's port on 127.0.0.1; 0 means an ephemeral port. */
    public int s3Port() {
        return s3Port;
    }

    /** The 32-hex account id, or {@code null} for a random (or, in a reused data directory, the stored) one. */
    public String accountId() {
        return accountId;
    }

    /** The API token, or {@code null} for a random (or, in a reused data directory, the stored) one. */
    public String apiToken() {
        return apiToken;
    }

    /**
     * The minimum age of a database's newest restore point before the sandbox records another one
     * automatically. Restore points are recorded when a database changed: right after an API
     * write, before the next API request, and by a background check every quarter second (which
     * catches direct writes to the file). Zero (the default) makes Time Travel exact for API writes, at the
     * cost of one full copy of the database file per change; sandboxes holding large databases
     * that take many small writes (benchmarks) should set an interval.
     */
    public Duration timeTravelSnapshotInterval() {
        return timeTravelSnapshotInterval;
    }

    /** How long restore points stay usable (default 30 days, as on Workers Paid). */
    public Duration timeTravelRetention() {
        return timeTravelRetention;
    }

    /** How long a running export may go without a poll before it is cancelled (default 60 s). */
    public Duration exportAbandonAfter() {
        return exportAbandonAfter;
    }

    /** The clock behind every timestamp, expiry and retention the sandbox computes. */
    public Clock clock() {
        return clock;
    }

    /** Builder of {@link SandboxOptions}; not thread-safe. */
    public static final class Builder {
        private Path dataDirectory;
        private int apiPort;
        private int s3Port;
        private String accountId;
        private String apiToken;
        private Duration timeTravelSnapshotInterval = Duration.ZERO;
        private Duration timeTravelRetention = Duration.ofDays(30);
        private Duration exportAbandonAfter = Duration.ofSeconds(60);
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Where databases, KV data, R2 objects and restore points live; {@code null} = temporary. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
            return this;
        }

        /** The REST emulator's port; 0 = ephemeral. */
        public Builder apiPort(int apiPort) {
            this.apiPort = checkPort(apiPort);
            return this;
        }

        /** The S3 server's port; 0 = ephemeral. */
        public Builder s3Port(int s3Port) {
            this.s3Port = checkPort(s3Port);
            return this;
        }

        /** A 32-lowercase-hex account id; {@code null} = random. */
        public Builder accountId(String accountId) {
            if (accountId != null && !ACCOUNT_ID.matcher(accountId).matches()) {
                throw new IllegalArgumentException("accountId must be 32 lowercase hex characters");
            }
            this.accountId = accountId;
            return this;
        }

        /** The Bearer token the emulator accepts; {@code null} = random. */
        public Builder apiToken(String apiToken) {
            if (apiToken != null && apiToken.isBlank()) {
                throw new IllegalArgumentException("apiToken must not be blank");
            }
            this.apiToken = apiToken;
            return this;
        }

        /** See {@link SandboxOptions#timeTravelSnapshotInterval()}. */
        public Builder timeTravelSnapshotInterval(Duration interval) {
            this.timeTravelSnapshotInterval = nonNegative(interval, "timeTravelSnapshotInterval");
            return this;
        }

        /** See {@link SandboxOptions#timeTravelRetention()}. */
        public Builder timeTravelRetention(Duration retention) {
            this.timeTravelRetention = positive(retention, "timeTravelRetention");
            return this;
        }

        /** See {@link SandboxOptions#exportAbandonAfter()}. */
        public Builder exportAbandonAfter(Duration abandonAfter) {
            this.exportAbandonAfter = positive(abandonAfter, "exportAbandonAfter");
            return this;
        }

        /** The sandbox clock; tests may pass a controllable one. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The options. */
        public SandboxOptions build() {
            return new SandboxOptions(this);
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            return port;
        }

        private static Duration nonNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative");
            }
            return d;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
