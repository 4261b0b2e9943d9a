package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeline.activities.cloudflare.OpenApiContractInterceptor.SentRequest;
import dev.lifeline.sandbox.FaultInjector;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the real client behaves when the (sandbox) API misbehaves: rate limits with Retry-After,
 * server errors, timeouts, a WAF challenge, a refused token, and its own request budget. What is
 * retried is decided by idempotency: a write is never repeated once it may have been executed.
 */
class SandboxResilienceTest {
  private static final String QUERY = "POST /accounts/*/d1/database/*/query";
  private static ContractCheckedSandbox cf;
  private static D1Api d1;
  private static String db;

  @BeforeAll
  static void start() {
    cf = ContractCheckedSandbox.start();
    d1 = cf.client().d1();
    db = d1.create("resilience", null, null).uuid();
    d1.execute(db, "CREATE TABLE events(id INTEGER PRIMARY KEY, note TEXT NOT NULL)");
  }

  @AfterAll
  static void stop() {
    cf.close();
  }

  @BeforeEach
  void reset() {
    cf.reset();
  }

  private static long events(String note) {
    return ((Number) d1.read(db, "SELECT count(*) AS n FROM events WHERE note = ?", note)
        .get(0).results().get(0).get("n")).longValue();
  }

  private static List<Integer> statuses(String method, String pathSuffix) {
    return cf.requests(r -> !r.signedUrl() && r.method().equals(method) && r.path().endsWith(pathSuffix))
        .stream().map(SentRequest::status).toList();
  }

  // ---------------------------------------------------------------- 429

  @Test
  void rateLimitedCallsWaitAtLeastRetryAfterThenSucceed() {
    cf.faults().rateLimit("GET /accounts/*/d1/database/*", 2, Duration.ofSeconds(3));

    assertThat(d1.get(db).name()).isEqualTo("resilience");

    assertThat(statuses("GET", "/d1/database/" + db)).containsExactly(429, 429, 200);
    assertThat(cf.clock.sleeps).hasSize(2)
        .allSatisfy(wait -> assertThat(wait).isGreaterThanOrEqualTo(Duration.ofSeconds(3)));
  }

  @Test
  void aRateLimitedWriteIsRetriedBecauseItWasNotExecutedAndLandsOnce() {
    cf.faults().rateLimit(QUERY, 1, Duration.ofSeconds(1));

    d1.execute(db, "INSERT INTO events(note) VALUES (?)", "rate-limited write");

    assertThat(events("rate-limited write")).isEqualTo(1);
    assertThat(statuses("POST", "/query")).startsWith(429, 200);
    assertThat(cf.clock.sleeps).singleElement()
        .satisfies(wait -> assertThat(wait).isGreaterThanOrEqualTo(Duration.ofSeconds(1)));
  }

  @Test
  void aRetryAfterBeyondTheClientsPatienceIsHandedToTemporal() {
    cf.faults().rateLimit("GET /accounts/*/storage/kv/namespaces", 1, Duration.ofSeconds(300));

    assertThatThrownBy(() -> cf.client().kv().listNamespaces().toList())
        .isInstanceOfSatisfying(CloudflareRateLimitedException.class, e -> {
          assertThat(e.retryAfter()).contains(Duration.ofSeconds(300));
          ApplicationFailure f = CloudflareFailures.toApplicationFailure(e);
          assertThat(f.isNonRetryable()).isFalse();
          assertThat(f.getNextRetryDelay()).isEqualTo(Duration.ofSeconds(300));
        });
    assertThat(cf.clock.sleeps).isEmpty();
    assertThat(cf.requests()).hasSize(1);
  }

  // ---------------------------------------------------------------- 5xx and timeouts

  @Test
  void serverErrorsOnIdempotentCallsAreRetriedWithBackoff() {
    cf.faults().serverError("GET /accounts/*/d1/database", 2, 503);

    assertThat(d1.list(null).map(D1Database::uuid)).contains(db);

    assertThat(statuses("GET", "/d1/database")).containsExactly(503, 503, 200);
    // Equal jitter with random 0.5: 500 ms -> 375 ms, then 1000 ms -> 750 ms.
    assertThat(cf.clock.sleeps).containsExactly(Duration.ofMillis(375), Duration.ofMillis(750));
  }

  @Test
  void retriesStopAfterMaxAttemptsAndLeaveTheRestToTemporal() {
    CloudflareClient patient = cf.newClient(b -> b.retryPolicy(
        new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(1), 0)));
    cf.faults().serverError("GET /accounts/*/d1/database/*", FaultInjector.UNTIL_CLEARED, 502);

    assertThatThrownBy(() -> patient.d1().get(db))
        .isInstanceOfSatisfying(CloudflareServerException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(502);
          assertThat(e.retryable()).isTrue();
          assertThat(CloudflareFailures.toApplicationFailure(e).isNonRetryable()).isFalse();
        });
    assertThat(statuses("GET", "/d1/database/" + db)).containsExactly(502, 502, 502);
  }

  @Test
  void aServerErrorOnAWriteQueryIsNotRepeatedButOnAReadItIs() {
    cf.faults().serverError(QUERY, 1, 500);

    assertThatThrownBy(() -> d1.execute(db, "INSERT INTO events(note) VALUES (?)", "5xx write"))
        .isInstanceOfSatisfying(CloudflareServerException.class, e -> {
          assertThat(e.outcomeUnknown()).isTrue();
          assertThat(e.retryable()).isFalse();
          assertThat(e.getMessage()).contains("may have been executed");
          assertThat(CloudflareFailures.toApplicationFailure(e).isNonRetryable()).isTrue();
        });
    assertThat(statuses("POST", "/query")).containsExactly(500);

    cf.reset();
    cf.faults().serverError(QUERY, 1, 500);
    assertThat(events("5xx write")).isZero();
    assertThat(statuses("POST", "/query")).containsExactly(500, 200);
  }

  @Test
  void aWriteThatTimesOutIsNotRepeatedSoItLandsOnceButAReadIsRetried() throws Exception {
    CloudflareClient impatient = cf.newClient(b -> b.readTimeout(Duration.ofMillis(400)));
    cf.faults().latency(QUERY, 1, Duration.ofMillis(1500));

    assertThatThrownBy(() -> impatient.d1().execute(db, "INSERT INTO events(note) VALUES (?)", "slow write"))
        .isInstanceOfSatisfying(CloudflareTransportException.class, e -> {
          assertThat(e.outcomeUnknown()).isTrue();
          assertThat(e.retryable()).isFalse();
          assertThat(e.httpStatus()).isZero();
        });
    assertThat(statuses("POST", "/query")).containsExactly(0);
    // The server did execute it after the client gave up: repeating it would have written it twice.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (events("slow write") == 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(events("slow write")).isEqualTo(1);

    cf.reset();
    cf.faults().latency(QUERY, 1, Duration.ofMillis(1500));
    assertThat(impatient.d1().read(db, "SELECT count(*) AS n FROM events WHERE note = ?", "slow write")
        .get(0).results().get(0)).containsEntry("n", 1);
    assertThat(statuses("POST", "/query")).startsWith(0).endsWith(200);
  }

  @Test
  void aRestoreIsNeverRepeatedAfterAServerErrorBecauseItWouldLoseTheUndoHandle() {
    String bookmark = d1.currentBookmark(db);
    cf.faults().serverError("POST /accounts/*/d1/database/*/time_travel/restore", 1, 502);

    assertThatThrownBy(() -> d1.restoreToBookmark(db, bookmark))
        .isInstanceOfSatisfying(CloudflareServerException.class, e -> {
          assertThat(e.outcomeUnknown()).isTrue();
          assertThat(CloudflareFailures.toApplicationFailure(e).isNonRetryable()).isTrue();
        });
    assertThat(statuses("POST", "/time_travel/restore")).containsExactly(502);
  }

  // ---------------------------------------------------------------- refusals

  @Test
  void aWafChallengeIsReportedAsSuchAndNeverMistakenForData() {
    cf.faults().wafChallenge("GET /accounts/*/d1/database", 1);

    assertThatThrownBy(() -> d1.list(null).toList())
        .isInstanceOfSatisfying(CloudflareBlockedException.class, e -> {
          assertThat(e.getMessage()).contains("WAF challenge").contains("allow-list");
          assertThat(e.httpStatus()).isEqualTo(403);
          ApplicationFailure f = CloudflareFailures.toApplicationFailure(e);
          assertThat(f.isNonRetryable()).isTrue();
          assertThat(f.getType()).isEqualTo("CloudflareBlockedException");
        });
    assertThat(cf.requests()).hasSize(1);

    // A challenge in place of a raw KV value is not returned as the value.
    String ns = cf.client().kv().createNamespace("WAF").id();
    cf.client().kv().put(ns, "k", "real value".getBytes(java.nio.charset.StandardCharsets.UTF_8), null);
    cf.faults().wafChallenge("GET /accounts/*/storage/kv/namespaces/*/values/*", 1);
    assertThatThrownBy(() -> cf.client().kv().getValue(ns, "k"))
        .isInstanceOf(CloudflareBlockedException.class);
    assertThat(cf.client().kv().getValue(ns, "k").orElseThrow().asString()).isEqualTo("real value");
  }

  @Test
  void aRefusedTokenIsAnAuthenticationFailureThatIsNotRetried() {
    CloudflareClient wrong = cf.newClient(b -> b.apiToken("sandbox-not-the-right-token"));

    assertThatThrownBy(() -> wrong.d1().list(null).toList())
        .isInstanceOfSatisfying(CloudflareAuthException.class, e -> {
          assertThat(e.hasCode(10000)).isTrue();
          assertThat(CloudflareFailures.toApplicationFailure(e).isNonRetryable()).isTrue();
        });
    assertThat(cf.requests()).hasSize(1);
  }

  @Test
  void anAccountIdTheApiCannotRouteIsRefusedAsInvalid() {
    CloudflareClient misconfigured = cf.newClient(b -> b.accountId("not-an-account-tag"));

    assertThatThrownBy(() -> misconfigured.d1().list(null).toList())
        .isInstanceOfSatisfying(CloudflareValidationException.class, e -> {
          assertThat(e.hasCode(7003)).isTrue();
          assertThat(e.retryable()).isFalse();
        });
    assertThat(cf.requests()).hasSize(1);
  }

  // ---------------------------------------------------------------- request budget

  @Test
  void theClientWaitsForItsRequestBudgetInsteadOfHittingTheLimit() {
    FakeClock budgetClock = new FakeClock(Instant.now());
    RequestBudget budget = RequestBudget.create(4, Duration.ofSeconds(4), 2, budgetClock, budgetClock.sleeper());
    CloudflareClient budgeted = cf.newClient(b -> b.requestBudget(budget));

    for (int i = 0; i < 4; i++) {
      assertThat(budgeted.d1().get(db).uuid()).isEqualTo(db);
    }

    assertThat(budget.waits()).isEqualTo(2);
    assertThat(budgetClock.totalSlept()).isEqualTo(Duration.ofSeconds(4));
    assertThat(statuses("GET", "/d1/database/" + db)).containsExactly(200, 200, 200, 200);
  }
}
