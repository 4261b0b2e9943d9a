package dev.lifeline.activities.cloudflare;

import java.util.Objects;

/**
 * A client for the parts of the Cloudflare REST API that Lifeline needs: D1, Workers KV, Worker
 * deployments and R2 bucket management. Plain library code (no Temporal types), thread-safe, cheap
 * to share; build one per account and token.
 *
 * <p>Every call goes through one core that spends the shared {@link RequestBudget}, retries what is
 * safe to retry (see {@link Idempotency} and {@link RetryPolicy}), honours {@code Retry-After},
 * detects WAF/HTML answers before parsing JSON, and maps failures to the
 * {@link CloudflareApiException} hierarchy. The API token is sent only to the API base URL, never to
 * signed URLs, and never appears in logs, exceptions or {@code toString()}.
 *
 * <p>Only {@link CloudflareClientOptions#baseUrl()} differs between Cloudflare, the sandbox
 * emulator and a test server.
 */
public final class CloudflareClient implements AutoCloseable {
  private final CloudflareClientOptions options;
  private final ApiTransport transport;
  private final D1Api d1;
  private final KvApi kv;
  private final WorkersApi workers;
  private final R2BucketsApi r2;

  private CloudflareClient(CloudflareClientOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.transport = new ApiTransport(options);
    this.d1 = new D1Api(transport);
    this.kv = new KvApi(transport);
    this.workers = new WorkersApi(transport);
    this.r2 = new R2BucketsApi(transport);
  }

  /** A client for these options. */
  public static CloudflareClient create(CloudflareClientOptions options) {
    return new CloudflareClient(options);
  }

  /** D1 databases, queries, export/import and Time Travel. */
  public D1Api d1() {
    return d1;
  }

  /** Workers KV namespaces, keys and values. */
  public KvApi kv() {
    return kv;
  }

  /** Worker deployments, versions and rollback. */
  public WorkersApi workers() {
    return workers;
  }

  /** R2 bucket management (objects: see the S3 object store). */
  public R2BucketsApi r2() {
    return r2;
  }

  public CloudflareClientOptions options() {
    return options;
  }

  /**
   * Releases idle connections. The client stays usable (okhttp reopens connections on demand), so
   * closing a shared client early is harmless.
   */
  @Override
  public void close() {
    transport.transferClient().connectionPool().evictAll();
  }

  @Override
  public String toString() {
    return "CloudflareClient[" + options + "]";
  }
}
