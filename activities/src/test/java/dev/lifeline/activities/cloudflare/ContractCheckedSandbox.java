package dev.lifeline.activities.cloudflare;

import dev.lifeline.activities.cloudflare.OpenApiContractInterceptor.SentRequest;
import dev.lifeline.sandbox.CloudflareSandbox;
import dev.lifeline.sandbox.FaultInjector;
import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.sandbox.SandboxOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sandbox Cloudflare account and the only way tests build a {@link CloudflareClient} for it: every
 * client made here answers through an {@link OpenApiContractInterceptor}, so no sandbox response
 * reaches a test without being validated against the OpenAPI subset, and every request is recorded.
 * {@code SandboxClientsAreContractCheckedTest} fails the build if a test builds one any other way.
 *
 * <p>The clients are production clients; only the base URL differs. The test seams are set for
 * speed and determinism: a {@link WallClockSkippingWaits} clock whose sleeper records each wait and
 * skips it instead of blocking (retries, Retry-After, job polls and resume backoff take no wall
 * time, and tests can assert how long the client chose to wait), jitter fixed at 0.5, and a private
 * request budget large enough never to wait.
 *
 * <p>One per test class: start it in {@code @BeforeAll}, close it in {@code @AfterAll}; closing also
 * fails if any response violated the contract or if no response was validated at all. Public so
 * that tests of other packages that drive the client against the sandbox use it too.
 */
public final class ContractCheckedSandbox implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ContractCheckedSandbox.class);
  final CloudflareSandbox sandbox;
  final WallClockSkippingWaits clock = new WallClockSkippingWaits();
  private final OpenApiContractInterceptor contract;
  private final List<CloudflareClient> clients = new ArrayList<>();
  private final OkHttpClient http = new OkHttpClient();
  private final CloudflareClient client;
  private MonoTaskAccount monoTask;

  private ContractCheckedSandbox(SandboxOptions options) {
    this.sandbox = CloudflareSandbox.start(options);
    this.contract = new OpenApiContractInterceptor(sandbox.apiBaseUrl().getRawPath());
    this.client = newClient(b -> {});
  }

  /** A sandbox with default options (temporary data, ephemeral ports on 127.0.0.1). */
  public static ContractCheckedSandbox start() {
    return start(SandboxOptions.defaults());
  }

  public static ContractCheckedSandbox start(SandboxOptions options) {
    return new ContractCheckedSandbox(options);
  }

  /** Seeds the MonoTask sample account at its smallest size ({@code Options.tiny}, fixed seed). */
  public ContractCheckedSandbox withMonoTask() {
    monoTask = MonoTaskAccount.create(sandbox, MonoTaskAccount.Options.tiny(42));
    return this;
  }

  public MonoTaskAccount monoTask() {
    if (monoTask == null) {
      throw new IllegalStateException("start with withMonoTask()");
    }
    return monoTask;
  }

  /** The sandbox itself, for seeding and for checking what the API did. */
  public CloudflareSandbox sandbox() {
    return sandbox;
  }

  /** The default client. */
  public CloudflareClient client() {
    return client;
  }

  /**
   * Another client for this sandbox with some options changed (retry policy, batch sizes, a
   * sleeper, another token, an okhttp client with extra interceptors). Whatever {@code customize}
   * sets, the contract interceptor is added last, so it cannot be left out.
   */
  public CloudflareClient newClient(Consumer<CloudflareClientOptions.Builder> customize) {
    CloudflareClientOptions.Builder b =
        CloudflareClientOptions.newBuilder()
            .baseUrl(sandbox.apiBaseUrl().toString())
            .accountId(sandbox.accountId())
            .apiToken(sandbox.apiToken())
            .clock(clock)
            .sleeper(clock.sleeper())
            .random(() -> 0.5)
            .readTimeout(Duration.ofSeconds(20))
            .requestBudget(
                RequestBudget.create(1_000_000, Duration.ofMinutes(5), 1_000_000, clock, clock.sleeper()));
    customize.accept(b);
    CloudflareClientOptions custom = b.build();
    OkHttpClient base = custom.httpClient() != null ? custom.httpClient() : http;
    CloudflareClient c =
        CloudflareClient.create(
            custom.toBuilder().httpClient(base.newBuilder().addInterceptor(contract).build()).build());
    synchronized (clients) {
      clients.add(c);
    }
    return c;
  }

  public FaultInjector faults() {
    return sandbox.faults();
  }

  /** Requests sent by this fixture's clients since the last {@link #forgetRequests()}. */
  List<SentRequest> requests() {
    return contract.sent();
  }

  /** Requests matching {@code filter} since the last {@link #forgetRequests()}. */
  List<SentRequest> requests(Predicate<SentRequest> filter) {
    return contract.sent().stream().filter(filter).toList();
  }

  /** API requests with this method whose path (below the account) ends with {@code suffix}. */
  long apiCalls(String method, String pathSuffix) {
    return contract.sent().stream()
        .filter(r -> !r.signedUrl() && r.method().equals(method) && r.path().endsWith(pathSuffix))
        .count();
  }

  /** Clears the request log, the fault rules and the waits recorded by the clock. */
  void reset() {
    sandbox.faults().clear();
    contract.clearSent();
    clock.sleeps.clear();
  }

  int validatedResponses() {
    return contract.validated();
  }

  @Override
  public void close() {
    synchronized (clients) {
      clients.forEach(CloudflareClient::close);
    }
    sandbox.close();
    log.info("{} sandbox answers validated against the OpenAPI subset, {} skipped as not envelopes, {} violations",
        contract.validated(), contract.skipped(), contract.violations().size());
    if (!contract.violations().isEmpty()) {
      AssertionError e = new AssertionError(
          contract.violations().size() + " sandbox responses violated the OpenAPI subset");
      contract.violations().forEach(e::addSuppressed);
      throw e;
    }
    if (contract.validated() == 0) {
      throw new AssertionError("no sandbox response was validated: is the contract check wired in?");
    }
  }
}
