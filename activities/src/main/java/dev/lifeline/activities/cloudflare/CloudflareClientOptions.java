package dev.lifeline.activities.cloudflare;

import dev.lifeline.activities.secrets.Secret;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Everything a {@link CloudflareClient} needs: where the API is, whose account, which token, and
 * how patient to be. Immutable; build with {@link #newBuilder()}.
 *
 * <p>Only {@link Builder#baseUrl(String)} differs between production ({@value #DEFAULT_BASE_URL}),
 * the local sandbox emulator and a MockWebServer. {@link #toString()} never shows the token.
 */
public final class CloudflareClientOptions {
  /** Cloudflare's API v4 base URL. */
  public static final String DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4";

  private final HttpUrl baseUrl;
  private final String accountId;
  private final Secret apiToken;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final Duration writeTimeout;
  private final RetryPolicy retryPolicy;
  private final RequestBudget requestBudget;
  private final Clock clock;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private final Duration jobPollInterval;
  private final int transferAttempts;
  private final int kvBulkBatchSize;
  private final long kvBulkMaxBytes;
  private final int kvBulkRetries;
  private final String userAgent;
  private final OkHttpClient httpClient;

  private CloudflareClientOptions(Builder b) {
    this.baseUrl = Objects.requireNonNull(b.baseUrl, "baseUrl");
    if (b.accountId == null || b.accountId.isBlank()) {
      throw new IllegalArgumentException("accountId is required (the 32-hex account tag)");
    }
    if (!b.accountId.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("accountId must be an account tag (letters and digits)");
    }
    this.accountId = b.accountId;
    this.apiToken = Objects.requireNonNull(b.apiToken, "apiToken is required");
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.writeTimeout = b.writeTimeout;
    this.retryPolicy = b.retryPolicy;
    this.clock = b.clock;
    this.sleeper = b.sleeper;
    this.random = b.random;
    this.requestBudget =
        b.requestBudget != null ? b.requestBudget : RequestBudget.shared(b.accountId, b.apiToken);
    this.jobPollInterval = b.jobPollInterval;
    if (b.transferAttempts < 1) {
      throw new IllegalArgumentException("transferAttempts must be >= 1");
    }
    this.transferAttempts = b.transferAttempts;
    if (b.kvBulkBatchSize < 1 || b.kvBulkBatchSize > KvApi.MAX_BULK_ITEMS) {
      throw new IllegalArgumentException("kvBulkBatchSize must be in 1.." + KvApi.MAX_BULK_ITEMS);
    }
    this.kvBulkBatchSize = b.kvBulkBatchSize;
    if (b.kvBulkMaxBytes < 1024 || b.kvBulkMaxBytes > KvApi.MAX_BULK_BYTES) {
      throw new IllegalArgumentException("kvBulkMaxBytes must be in 1024.." + KvApi.MAX_BULK_BYTES);
    }
    this.kvBulkMaxBytes = b.kvBulkMaxBytes;
    this.kvBulkRetries = Math.max(0, b.kvBulkRetries);
    this.userAgent = b.userAgent;
    this.httpClient = b.httpClient;
  }

  /** A builder with production defaults. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** A builder initialised from these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.baseUrl = baseUrl;
    b.accountId = accountId;
    b.apiToken = apiToken;
    b.connectTimeout = connectTimeout;
    b.readTimeout = readTimeout;
    b.writeTimeout = writeTimeout;
    b.retryPolicy = retryPolicy;
    b.requestBudget = requestBudget;
    b.clock = clock;
    b.sleeper = sleeper;
    b.random = random;
    b.jobPollInterval = jobPollInterval;
    b.transferAttempts = transferAttempts;
    b.kvBulkBatchSize = kvBulkBatchSize;
    b.kvBulkMaxBytes = kvBulkMaxBytes;
    b.kvBulkRetries = kvBulkRetries;
    b.userAgent = userAgent;
    b.httpClient = httpClient;
    return b;
  }

  public HttpUrl baseUrl() {
    return baseUrl;
  }

  public String accountId() {
    return accountId;
  }

  public Secret apiToken() {
    return apiToken;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration readTimeout() {
    return readTimeout;
  }

  public Duration writeTimeout() {
    return writeTimeout;
  }

  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  public RequestBudget requestBudget() {
    return requestBudget;
  }

  public Clock clock() {
    return clock;
  }

  public Sleeper sleeper() {
    return sleeper;
  }

  public DoubleSupplier random() {
    return random;
  }

  public Duration jobPollInterval() {
    return jobPollInterval;
  }

  public int transferAttempts() {
    return transferAttempts;
  }

  public int kvBulkBatchSize() {
    return kvBulkBatchSize;
  }

  public long kvBulkMaxBytes() {
    return kvBulkMaxBytes;
  }

  public int kvBulkRetries() {
    return kvBulkRetries;
  }

  public String userAgent() {
    return userAgent;
  }

  /** The okhttp client to derive from (shares its connection pool), or null for a new one. */
  public OkHttpClient httpClient() {
    return httpClient;
  }

  @Override
  public String toString() {
    return "CloudflareClientOptions[baseUrl="
        + baseUrl
        + ", accountId="
        + accountId
        + ", apiToken="
        + apiToken
        + ", retryPolicy="
        + retryPolicy
        + ", requestBudget="
        + requestBudget
        + "]";
  }

  /** Builder for {@link CloudflareClientOptions}. */
  public static final class Builder {
    private HttpUrl baseUrl = HttpUrl.get(DEFAULT_BASE_URL);
    private String accountId;
    private Secret apiToken;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(60);
    private Duration writeTimeout = Duration.ofSeconds(60);
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private RequestBudget requestBudget;
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private Duration jobPollInterval = Duration.ofSeconds(1);
    private int transferAttempts = 5;
    private int kvBulkBatchSize = 1000;
    private long kvBulkMaxBytes = 16L * 1024 * 1024;
    private int kvBulkRetries = 3;
    private String userAgent = "lifeline/0.1 (+okhttp)";
    private OkHttpClient httpClient;

    private Builder() {}

    /** API base URL, default {@value CloudflareClientOptions#DEFAULT_BASE_URL}. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = HttpUrl.get(baseUrl);
      return this;
    }

    /** The 32-hex account tag. Required. */
    public Builder accountId(String accountId) {
      this.accountId = accountId;
      return this;
    }

    /** The API token. Required. */
    public Builder apiToken(Secret apiToken) {
      this.apiToken = apiToken;
      return this;
    }

    /** Convenience for {@code apiToken(Secret.of(token))}. */
    public Builder apiToken(String apiToken) {
      this.apiToken = Secret.of(apiToken);
      return this;
    }

    /** TCP/TLS connect timeout, default 10 s. */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = Objects.requireNonNull(d);
      return this;
    }

    /** Timeout between bytes read, default 60 s (API calls end within about 30 s). */
    public Builder readTimeout(Duration d) {
      this.readTimeout = Objects.requireNonNull(d);
      return this;
    }

    /** Timeout between bytes written, default 60 s. */
    public Builder writeTimeout(Duration d) {
      this.writeTimeout = Objects.requireNonNull(d);
      return this;
    }

    /** Retry policy for API calls, default {@link RetryPolicy#DEFAULT}. */
    public Builder retryPolicy(RetryPolicy p) {
      this.retryPolicy = Objects.requireNonNull(p);
      return this;
    }

    /** Request budget; default is the JVM-wide {@link RequestBudget#shared} one. */
    public Builder requestBudget(RequestBudget b) {
      this.requestBudget = b;
      return this;
    }

    /** Clock used for Retry-After dates and elapsed-time limits (a seam for tests). */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c);
      return this;
    }

    /** How waits happen (a seam for tests). */
    public Builder sleeper(Sleeper s) {
      this.sleeper = Objects.requireNonNull(s);
      return this;
    }

    /** Source of jitter in [0, 1) (a seam for tests). */
    public Builder random(DoubleSupplier r) {
      this.random = Objects.requireNonNull(r);
      return this;
    }

    /**
     * Pause between polls of a D1 export or import job, default 1 s. Keep it short: D1 cancels an
     * export that is not polled continually.
     */
    public Builder jobPollInterval(Duration d) {
      this.jobPollInterval = Objects.requireNonNull(d);
      return this;
    }

    /**
     * Attempts for a signed-URL transfer: download resumptions after a dropped connection, and
     * import uploads whose ETag did not match. Default 5.
     */
    public Builder transferAttempts(int n) {
      this.transferAttempts = n;
      return this;
    }

    /** Items per KV bulk write/delete request, default 1,000 (API maximum 10,000). */
    public Builder kvBulkBatchSize(int n) {
      this.kvBulkBatchSize = n;
      return this;
    }

    /**
     * Maximum serialized size of one KV bulk request body: default 16 MiB (one batch is held in
     * memory), maximum 100 MB (the API limit).
     */
    public Builder kvBulkMaxBytes(long n) {
      this.kvBulkMaxBytes = n;
      return this;
    }

    /** How often keys reported in {@code unsuccessful_keys} are re-sent, default 3. */
    public Builder kvBulkRetries(int n) {
      this.kvBulkRetries = n;
      return this;
    }

    /** User-Agent header. */
    public Builder userAgent(String ua) {
      this.userAgent = Objects.requireNonNull(ua);
      return this;
    }

    /** An okhttp client to derive from, to share its connection pool and dispatcher. */
    public Builder httpClient(OkHttpClient c) {
      this.httpClient = c;
      return this;
    }

    public CloudflareClientOptions build() {
      return new CloudflareClientOptions(this);
    }

    @Override
    public String toString() {
      return "CloudflareClientOptions.Builder[accountId=" + accountId + ", apiToken=" + apiToken + "]";
    }
  }
}
