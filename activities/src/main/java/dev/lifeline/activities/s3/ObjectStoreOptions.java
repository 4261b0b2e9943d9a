package dev.lifeline.activities.s3;

import dev.lifeline.activities.secrets.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how an {@link S3ObjectStore} connects. Immutable; build with {@link #newBuilder()}.
 *
 * <p>For R2: endpoint {@code https://<ACCOUNT_ID>.r2.cloudflarestorage.com} (jurisdiction buckets:
 * {@code https://<ACCOUNT_ID>.<eu|fedramp>.r2.cloudflarestorage.com}), region {@code auto}, path-style
 * addressing, R2 access keys. For AWS S3: no endpoint, a real region, credentials from the standard
 * chain. {@link #toString()} never shows the secret key.
 */
public final class ObjectStoreOptions {
  /** Smallest part S3 accepts (except the last). */
  public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
  /** Largest part or single PUT on R2 (5 GiB - 5 MiB). */
  public static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024 - 5L * 1024 * 1024;
  /** Largest object a single CopyObject may copy. */
  public static final long MAX_SINGLE_COPY = 5L * 1024 * 1024 * 1024;

  private final URI endpoint;
  private final String region;
  private final String bucket;
  private final boolean pathStyle;
  private final String accessKeyId;
  private final Secret secretAccessKey;
  private final int partSize;
  private final int maxPartsInFlight;
  private final long multipartCopyThreshold;
  private final long copyPartSize;
  private final int listPageSize;
  private final int transferAttempts;
  private final Duration connectTimeout;
  private final Duration socketTimeout;
  private final int maxConnections;

  private ObjectStoreOptions(Builder b) {
    this.endpoint = b.endpoint;
    this.region = Objects.requireNonNull(b.region, "region");
    if (b.bucket == null || b.bucket.isBlank()) {
      throw new IllegalArgumentException("bucket is required");
    }
    this.bucket = b.bucket;
    this.pathStyle = b.pathStyle;
    if ((b.accessKeyId == null) != (b.secretAccessKey == null)) {
      throw new IllegalArgumentException("give both accessKeyId and secretAccessKey, or neither");
    }
    this.accessKeyId = b.accessKeyId;
    this.secretAccessKey = b.secretAccessKey;
    if (b.partSize < MIN_PART_SIZE || b.partSize > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("partSize must be between 5 MiB and 2 GiB");
    }
    this.partSize = (int) b.partSize;
    if (b.maxPartsInFlight < 1 || b.maxPartsInFlight > 16) {
      throw new IllegalArgumentException("maxPartsInFlight must be 1..16");
    }
    this.maxPartsInFlight = b.maxPartsInFlight;
    if (b.multipartCopyThreshold < MIN_PART_SIZE || b.multipartCopyThreshold > MAX_SINGLE_COPY) {
      throw new IllegalArgumentException("multipartCopyThreshold must be between 5 MiB and 5 GiB");
    }
    this.multipartCopyThreshold = b.multipartCopyThreshold;
    if (b.copyPartSize < MIN_PART_SIZE || b.copyPartSize > MAX_PART_SIZE) {
      throw new IllegalArgumentException("copyPartSize must be between 5 MiB and 5 GiB - 5 MiB");
    }
    this.copyPartSize = b.copyPartSize;
    if (b.listPageSize < 1 || b.listPageSize > 1000) {
      throw new IllegalArgumentException("listPageSize must be 1..1000");
    }
    this.listPageSize = b.listPageSize;
    this.transferAttempts = Math.max(1, b.transferAttempts);
    this.connectTimeout = b.connectTimeout;
    this.socketTimeout = b.socketTimeout;
    this.maxConnections = b.maxConnections;
  }

  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * Options for R2: endpoint {@code https://<accountId>.r2.cloudflarestorage.com}, region
   * {@code auto}, path-style, and the keys from {@code R2_ACCESS_KEY_ID} /
   * {@code R2_SECRET_ACCESS_KEY} in {@code env} when both are set (else the AWS default chain).
   */
  public static Builder forR2(String accountId, String bucket, Map<String, String> env) {
    Builder b =
        newBuilder()
            .endpoint(URI.create("https://" + accountId + ".r2.cloudflarestorage.com"))
            .region("auto")
            .pathStyle(true)
            .bucket(bucket);
    return b.credentialsFromEnvironment(env);
  }

  /** The endpoint override, or null for AWS's regional endpoint. */
  public URI endpoint() {
    return endpoint;
  }

  public String region() {
    return region;
  }

  public String bucket() {
    return bucket;
  }

  public boolean pathStyle() {
    return pathStyle;
  }

  /** The access key id, or null to use the AWS default credentials chain. */
  public String accessKeyId() {
    return accessKeyId;
  }

  public Secret secretAccessKey() {
    return secretAccessKey;
  }

  public int partSize() {
    return partSize;
  }

  public int maxPartsInFlight() {
    return maxPartsInFlight;
  }

  public long multipartCopyThreshold() {
    return multipartCopyThreshold;
  }

  public long copyPartSize() {
    return copyPartSize;
  }

  public int listPageSize() {
    return listPageSize;
  }

  public int transferAttempts() {
    return transferAttempts;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration socketTimeout() {
    return socketTimeout;
  }

  public int maxConnections() {
    return maxConnections;
  }

  @Override
  public String toString() {
    return "ObjectStoreOptions[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
        + ", pathStyle=" + pathStyle + ", accessKeyId=" + accessKeyId + ", secretAccessKey="
        + secretAccessKey + ", partSize=" + partSize + ", maxPartsInFlight=" + maxPartsInFlight
        + "]";
  }

  /** Builder for {@link ObjectStoreOptions}. */
  public static final class Builder {
    private URI endpoint;
    private String region = "auto";
    private String bucket;
    private boolean pathStyle = true;
    private String accessKeyId;
    private Secret secretAccessKey;
    private long partSize = 8L * 1024 * 1024;
    private int maxPartsInFlight = 2;
    private long multipartCopyThreshold = MAX_SINGLE_COPY;
    private long copyPartSize = 512L * 1024 * 1024;
    private int listPageSize = 1000;
    private int transferAttempts = 5;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration socketTimeout = Duration.ofSeconds(60);
    private int maxConnections = 16;

    private Builder() {}

    /** S3 endpoint override (R2, MinIO, s3proxy); leave unset for AWS. */
    public Builder endpoint(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /** Region: {@code auto} for R2 (the default), a real region for AWS. */
    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /** The bucket. Required. */
    public Builder bucket(String bucket) {
      this.bucket = bucket;
      return this;
    }

    /** Path-style addressing ({@code endpoint/bucket/key}), default true as R2 needs. */
    public Builder pathStyle(boolean pathStyle) {
      this.pathStyle = pathStyle;
      return this;
    }

    /** Static credentials (R2 access keys). Without them the AWS default chain is used. */
    public Builder credentials(String accessKeyId, Secret secretAccessKey) {
      this.accessKeyId = accessKeyId;
      this.secretAccessKey = secretAccessKey;
      return this;
    }

    /**
     * Static credentials from {@code R2_ACCESS_KEY_ID} and {@code R2_SECRET_ACCESS_KEY} when both are
     * set and non-blank in {@code env} (pass {@code System.getenv()}); otherwise leaves the AWS
     * default chain in charge.
     */
    public Builder credentialsFromEnvironment(Map<String, String> env) {
      String id = env == null ? null : env.get("R2_ACCESS_KEY_ID");
      String secret = env == null ? null : env.get("R2_SECRET_ACCESS_KEY");
      if (id != null && !id.isBlank() && secret != null && !secret.isBlank()) {
        this.accessKeyId = id.strip();
        this.secretAccessKey = Secret.of(secret);
      }
      return this;
    }

    /** Multipart part size, default 8 MiB; memory per upload is about (inFlight + 1) parts. */
    public Builder partSize(long bytes) {
      this.partSize = bytes;
      return this;
    }

    /** Parts uploaded concurrently per upload, default 2. */
    public Builder maxPartsInFlight(int n) {
      this.maxPartsInFlight = n;
      return this;
    }

    /** Objects larger than this are copied with multipart copy; default (and maximum) 5 GiB. */
    public Builder multipartCopyThreshold(long bytes) {
      this.multipartCopyThreshold = bytes;
      return this;
    }

    /** Part size for multipart copy, default 512 MiB (raised as needed to stay under 10,000 parts). */
    public Builder copyPartSize(long bytes) {
      this.copyPartSize = bytes;
      return this;
    }

    /** Keys per listing page, default 1,000. */
    public Builder listPageSize(int n) {
      this.listPageSize = n;
      return this;
    }

    /** Attempts for a download that keeps dropping, default 5. */
    public Builder transferAttempts(int n) {
      this.transferAttempts = n;
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = Objects.requireNonNull(d);
      return this;
    }

    /** Time without a byte on an open connection before it is given up, default 60 s. */
    public Builder socketTimeout(Duration d) {
      this.socketTimeout = Objects.requireNonNull(d);
      return this;
    }

    public Builder maxConnections(int n) {
      this.maxConnections = n;
      return this;
    }

    public ObjectStoreOptions build() {
      return new ObjectStoreOptions(this);
    }
  }
}
