package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.failure.ApplicationFailure;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retries, Retry-After, idempotency rules and the mapping of failures to typed exceptions. */
class CloudflareRetryAndErrorsTest {
  private CloudflareMock cf;

  @AfterEach
  void close() throws Exception {
    if (cf != null) {
      cf.close();
    }
  }

  private static final String DB = "{\"uuid\":\"db-1\",\"name\":\"orders\",\"version\":\"production\"}";

  @Test
  void rateLimitWithRetryAfterSecondsWaitsThatLongThenSucceeds() throws Exception {
    cf = new CloudflareMock();
    cf.server.enqueue(
        CloudflareMock.json(429, "{\"success\":false,\"errors\":[{\"code\":971,\"message\":\"Please wait\"}]}")
            .setHeader("Retry-After", "7"));
    cf.ok(DB);

    D1Database db = cf.client.d1().get("orders");

    assertThat(db.uuid()).isEqualTo("db-1");
    assertThat(cf.server.getRequestCount()).isEqualTo(2);
    // 7 s plus at most 10% jitter (fixed at 0.5 here): 7.35 s.
    assertThat(cf.clock.sleeps).containsExactly(Duration.ofMillis(7350));
  }

  @Test
  void rateLimitWithRetryAfterHttpDateIsMeasuredAgainstTheClock() throws Exception {
    cf = new CloudflareMock();
    String date =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            cf.clock.instant().plusSeconds(20).atOffset(ZoneOffset.UTC));
    cf.server.enqueue(CloudflareMock.json(429, "{\"success\":false,\"errors\":[]}").setHeader("Retry-After", date));
    cf.ok(DB);

    cf.client.d1().get("orders");

    assertThat(cf.clock.sleeps).hasSize(1);
    assertThat(cf.clock.sleeps.get(0)).isBetween(Duration.ofSeconds(20), Duration.ofSeconds(22));
  }

  @Test
  void rateLimitIsRetriedEvenForNonIdempotentWrites() throws Exception {
    cf = new CloudflareMock();
    cf.server.enqueue(CloudflareMock.json(429, "{\"success\":false,\"errors\":[]}").setHeader("Retry-After", "1"));
    cf.ok("[{\"success\":true,\"results\":[],\"meta\":{\"changes\":1}}]");

    List<D1QueryResult> r = cf.client.d1().execute("db-1", "DELETE FROM t WHERE id = ?", 5);

    assertThat(r.get(0).meta().changes()).isEqualTo(1);
    assertThat(cf.server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void retryAfterBeyondTheElapsedBudgetFailsAtOnceKeepingTheDelay() throws Exception {
    cf = new CloudflareMock();
    cf.server.enqueue(CloudflareMock.json(429, "{\"success\":false,\"errors\":[]}").setHeader("Retry-After", "300"));

    assertThatThrownBy(() -> cf.client.d1().get("orders"))
        .isInstanceOfSatisfying(
            CloudflareRateLimitedException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(300));
              ApplicationFailure f = CloudflareFailures.toApplicationFailure(e);
              assertThat(f.isNonRetryable()).isFalse();
              assertThat(f.getNextRetryDelay()).isEqualTo(Duration.ofSeconds(300));
            });
    assertThat(cf.clock.sleeps).isEmpty();
  }

  @Test
  void serverErrorsAreRetriedWithBackoffForIdempotentCalls() throws Exception {
    cf = new CloudflareMock();
    cf.fail(503, 10001, "service unavailable");
    cf.fail(500, 10002, "internal error");
    cf.ok(DB);

    assertThat(cf.client.d1().get("db-1").name()).isEqualTo("orders");

    assertThat(cf.server.getRequestCount()).isEqualTo(3);
    // Equal jitter with random 0.5: 500 ms -> 375 ms, 1000 ms -> 750 ms.
    assertThat(cf.clock.sleeps).containsExactly(Duration.ofMillis(375), Duration.ofMillis(750));
  }

  @Test
  void retriesStopAfterMaxAttempts() throws Exception {
    cf = new CloudflareMock(b -> b.retryPolicy(new RetryPolicy(3, Duration.ofMillis(100),
        Duration.ofSeconds(1), Duration.ofMinutes(1), 0)));
    for (int i = 0; i < 5; i++) {
      cf.fail(502, 0, "bad gateway");
    }

    assertThatThrownBy(() -> cf.client.d1().get("db-1"))
        .isInstanceOfSatisfying(CloudflareServerException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(502);
          assertThat(e.retryable()).isTrue();
        });
    assertThat(cf.server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void aNonIdempotentPostIsNotRepeatedAfterAServerError() throws Exception {
    cf = new CloudflareMock();
    cf.fail(500, 0, "internal error");
    cf.ok("[]");

    assertThatThrownBy(() -> cf.client.d1().execute("db-1", "INSERT INTO t VALUES (?)", "x"))
        .isInstanceOfSatisfying(CloudflareServerException.class, e -> {
          assertThat(e.outcomeUnknown()).isTrue();
          assertThat(e.retryable()).isFalse();
          assertThat(e.getMessage()).contains("may have been executed");
          assertThat(CloudflareFailures.toApplicationFailure(e).isNonRetryable()).isTrue();
        });
    assertThat(cf.server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aNonIdempotentPostIsNotRepeatedAfterATimeout() throws Exception {
    cf = new CloudflareMock(b -> b.readTimeout(Duration.ofMillis(300)));
    cf.server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
    cf.ok("[]");

    assertThatThrownBy(() -> cf.client.d1().execute("db-1", "UPDATE t SET a = 1"))
        .isInstanceOfSatisfying(CloudflareTransportException.class, e -> {
          assertThat(e.outcomeUnknown()).isTrue();
          assertThat(e.retryable()).isFalse();
        });
    assertThat(cf.server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aReadQueryMarkedIdempotentIsRepeatedAfterATimeout() throws Exception {
    cf = new CloudflareMock(b -> b.readTimeout(Duration.ofMillis(300)));
    cf.server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
    cf.ok("[{\"success\":true,\"results\":[{\"n\":3}],\"meta\":{}}]");

    List<D1QueryResult> r = cf.client.d1().read("db-1", "SELECT count(*) AS n FROM t");

    assertThat(r.get(0).results().get(0)).containsEntry("n", 3);
    assertThat(cf.server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void aRefusedConnectionIsRetriedEvenForWritesBecauseNothingWasSent() throws Exception {
    int freePort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      freePort = s.getLocalPort();
    }
    cf = new CloudflareMock(b -> b.baseUrl("http://127.0.0.1:" + freePort + "/client/v4")
        .retryPolicy(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMinutes(1), 0)));

    assertThatThrownBy(() -> cf.client.d1().execute("db-1", "DELETE FROM t"))
        .isInstanceOfSatisfying(CloudflareTransportException.class, e -> {
          assertThat(e.retryable()).isTrue();
          assertThat(e.outcomeUnknown()).isFalse();
          assertThat(e.httpStatus()).isZero();
        });
    assertThat(cf.clock.sleeps).hasSize(2); // three attempts
  }

  @Test
  void d1SqlErrorsCarrySqlitesMessageAndAreNotRetried() throws Exception {
    cf = new CloudflareMock();
    cf.fail(400, 7500, "no such column: asdf at offset 7");

    assertThatThrownBy(() -> cf.client.d1().read("db-1", "SELECT asdf FROM t"))
        .isInstanceOfSatisfying(D1SqlException.class, e -> {
          assertThat(e.sqliteMessage()).isEqualTo("no such column: asdf at offset 7");
          assertThat(e.codes()).containsExactly(7500);
          assertThat(e.httpStatus()).isEqualTo(400);
          assertThat(e.method()).isEqualTo("POST");
          assertThat(e.path()).isEqualTo(CloudflareMock.BASE + "/d1/database/db-1/query");
          assertThat(e.retryable()).isFalse();
          ApplicationFailure f = CloudflareFailures.toApplicationFailure(e);
          assertThat(f.getType()).isEqualTo("D1SqlException");
          assertThat(f.isNonRetryable()).isTrue();
          assertThat(f.getOriginalMessage()).contains("no such column: asdf");
        });
    assertThat(cf.server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void clientErrorsMapToTypedExceptions() throws Exception {
    cf = new CloudflareMock();
    cf.fail(404, 7404, "Database not found");
    cf.fail(404, 7404, "Database not found");
    cf.fail(401, 10000, "Authentication error");
    cf.fail(403, 10000, "Authentication error");
    cf.fail(400, 7003, "Could not route to /accounts/x");
    cf.fail(400, 7500, "D1_ERROR: Currently processing a long-running export");

    assertThatThrownBy(() -> cf.client.d1().get("nope")).isInstanceOf(CloudflareNotFoundException.class);
    assertThat(cf.client.d1().find("nope")).isEmpty();
    assertThatThrownBy(() -> cf.client.d1().get("x"))
        .isInstanceOf(CloudflareAuthException.class)
        .hasMessageContaining("check the API token");
    assertThatThrownBy(() -> cf.client.d1().get("x"))
        .isInstanceOf(CloudflareAuthException.class)
        .hasMessageContaining("Not allowed");
    assertThatThrownBy(() -> cf.client.d1().get("x"))
        .isInstanceOfSatisfying(CloudflareValidationException.class, e -> assertThat(e.hasCode(7003)).isTrue());
    // D1's generic code 7500 with the busy text is the busy refusal, not an SQL error.
    assertThatThrownBy(() -> cf.client.d1().read("db-1", "SELECT 1"))
        .isInstanceOfSatisfying(D1BusyException.class, e -> assertThat(e.retryable()).isTrue());
  }

  @Test
  void aDatabaseBusyWithAnExportIsRetryableLater() throws Exception {
    cf = new CloudflareMock();
    cf.fail(409, 7000, "Currently processing a long-running export");

    assertThatThrownBy(() -> cf.client.d1().execute("db-1", "DELETE FROM t"))
        .isInstanceOfSatisfying(D1BusyException.class, e -> assertThat(e.retryable()).isTrue());
    assertThat(cf.server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void wafChallengePagesAreDetectedBeforeJsonParsing() throws Exception {
    cf = new CloudflareMock();
    cf.server.enqueue(new MockResponse().setResponseCode(403)
        .setHeader("Content-Type", "text/html; charset=UTF-8")
        .setHeader("cf-mitigated", "challenge")
        .setBody("<!DOCTYPE html><html><title>Just a moment...</title></html>"));
    cf.server.enqueue(new MockResponse().setResponseCode(200)
        .setHeader("Content-Type", "text/html")
        .setBody("<html>maintenance</html>"));

    assertThatThrownBy(() -> cf.client.d1().get("orders"))
        .isInstanceOfSatisfying(CloudflareBlockedException.class, e -> {
          assertThat(e.getMessage()).contains("WAF challenge");
          assertThat(e.retryable()).isFalse();
        });
    assertThatThrownBy(() -> cf.client.d1().get("orders"))
        .isInstanceOf(CloudflareBlockedException.class)
        .hasMessageContaining("HTML page");
    assertThat(cf.server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void successFalseInsideA200IsAFailure() throws Exception {
    cf = new CloudflareMock();
    cf.server.enqueue(CloudflareMock.json(200,
        "{\"success\":false,\"errors\":[{\"code\":1001,\"message\":\"bad\"}],\"result\":null}"));

    assertThatThrownBy(() -> cf.client.d1().get("orders"))
        .isInstanceOf(CloudflareValidationException.class)
        .hasMessageContaining("bad [code 1001]");
  }

  @Test
  void errorObjectsAreMappedLeniently() throws Exception {
    cf = new CloudflareMock();
    cf.server.enqueue(CloudflareMock.json(400,
        "{\"success\":false,\"errors\":[{\"code\":1000,\"message\":\"outer\",\"documentation_url\":\"https://x\","
            + "\"source\":{\"pointer\":\"/a\"},\"error_chain\":[{\"code\":1001,\"message\":\"inner\"}],\"meta\":{}},"
            + "\"just a string\"],\"messages\":[]}"));

    assertThatThrownBy(() -> cf.client.d1().get("orders"))
        .isInstanceOfSatisfying(CloudflareValidationException.class, e -> {
          assertThat(e.errors()).hasSize(2);
          assertThat(e.errors().get(0).errorChain()).extracting(ApiError::message).containsExactly("inner");
          assertThat(e.errors().get(1).message()).isEqualTo("just a string");
        });
  }

  @Test
  void emptyAnswersAreSuccess() throws Exception {
    cf = new CloudflareMock();
    cf.server.enqueue(new MockResponse().setResponseCode(204));

    cf.client.d1().delete("db-1");

    assertThat(cf.take().getMethod()).isEqualTo("DELETE");
  }
}
