package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retry and error-mapping cases the sandbox cannot produce, so they use MockWebServer: a
 * Retry-After given as an HTTP date (the sandbox sends seconds), a refused connection (no server at
 * all), HTTP 401 (the sandbox refuses tokens with 403), the busy refusal under another status and
 * code, an HTML page without {@code cf-mitigated} (a proxy's error page), {@code success:false}
 * inside a 200, error objects with string entries and error chains, and an empty 204. Rate limits,
 * 5xx, timeouts, idempotency, SQL errors, not-found, WAF challenges and the busy refusal as D1
 * sends it are tested against the sandbox in {@code SandboxResilienceTest} and
 * {@code SandboxD1ClientTest}.
 */
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
  void a401AsksToCheckTheTokenAndA403ForItsPermissions() throws Exception {
    cf = new CloudflareMock();
    cf.fail(401, 10000, "Authentication error");
    cf.fail(403, 10000, "Authentication error");

    assertThatThrownBy(() -> cf.client.d1().get("x"))
        .isInstanceOf(CloudflareAuthException.class)
        .hasMessageContaining("check the API token");
    assertThatThrownBy(() -> cf.client.d1().get("x"))
        .isInstanceOf(CloudflareAuthException.class)
        .hasMessageContaining("Not allowed");
  }

  @Test
  void aDatabaseBusyWithAnExportIsRetryableLaterWhateverTheCode() throws Exception {
    cf = new CloudflareMock();
    cf.fail(409, 7000, "Currently processing a long-running export");

    assertThatThrownBy(() -> cf.client.d1().execute("db-1", "DELETE FROM t"))
        .isInstanceOfSatisfying(D1BusyException.class, e -> assertThat(e.retryable()).isTrue());
    assertThat(cf.server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void anHtmlPageFromSomethingInFrontOfTheApiIsNotParsedAsJson() throws Exception {
    cf = new CloudflareMock();
    cf.server.enqueue(new MockResponse().setResponseCode(200)
        .setHeader("Content-Type", "text/html")
        .setBody("<html>maintenance</html>"));

    assertThatThrownBy(() -> cf.client.d1().get("orders"))
        .isInstanceOfSatisfying(CloudflareBlockedException.class, e -> {
          assertThat(e.getMessage()).contains("HTML page");
          assertThat(e.retryable()).isFalse();
        });
    assertThat(cf.server.getRequestCount()).isEqualTo(1);
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
