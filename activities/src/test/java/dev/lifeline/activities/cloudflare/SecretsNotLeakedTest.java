package dev.lifeline.activities.cloudflare;

import dev.lifeline.activities.secrets.Secret;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The API token must never show up in logs (at DEBUG), exception messages or stack traces, Temporal
 * failures, {@code toString()}s, or requests to signed URLs.
 */
class SecretsNotLeakedTest {
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final List<String> seen = new ArrayList<>();
  private CloudflareMock cf;

  @BeforeEach
  void capture() throws Exception {
    logs.start();
    root.addAppender(logs);
    // A tiny budget so that waiting for it is logged too (its fake clock moves when it sleeps).
    FakeClock budgetClock = new FakeClock(java.time.Instant.EPOCH);
    cf = new CloudflareMock(b -> b.readTimeout(Duration.ofMillis(300))
        .requestBudget(RequestBudget.create(2, Duration.ofSeconds(2), 1,
            budgetClock, budgetClock.sleeper())));
  }

  @AfterEach
  void release() throws Exception {
    root.detachAppender(logs);
    cf.close();
  }

  private void expectFailure(Runnable call) {
    try {
      call.run();
      throw new AssertionError("expected a failure");
    } catch (RuntimeException e) {
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      seen.add(e.getMessage());
      seen.add(e.toString());
      seen.add(trace.toString());
      seen.add(CloudflareFailures.toApplicationFailure(e).getMessage());
    }
  }

  @Test
  void theTokenAppearsOnlyInTheAuthorizationHeaderOfApiRequests(@TempDir Path dir) throws Exception {
    String signed = cf.server.url("/signed/dump.sql").toString();
    cf.ok("{\"uuid\":\"db-1\"}");
    cf.fail(401, 10000, "Authentication error");
    cf.fail(500, 0, "boom");
    cf.fail(500, 0, "boom");
    cf.fail(500, 0, "boom");
    cf.fail(500, 0, "boom");
    cf.fail(500, 0, "boom");
    cf.fail(500, 0, "boom");
    cf.server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
    cf.server.enqueue(new MockResponse().setResponseCode(200).setBody("SELECT 1;\n"));
    cf.server.enqueue(CloudflareMock.json(403, "<html>nope</html>").setHeader("Content-Type", "text/html"));

    cf.client.d1().get("db-1");
    expectFailure(() -> cf.client.d1().get("db-1"));
    expectFailure(() -> cf.client.kv().listNamespaces().toList());
    expectFailure(() -> cf.client.d1().execute("db-1", "DELETE FROM t"));
    cf.client.d1().download(java.net.URI.create(signed), dir.resolve("dump.sql"), null);
    expectFailure(() -> cf.client.r2().getBucket("b"));

    seen.add(cf.client.toString());
    seen.add(cf.client.options().toString());
    seen.add(cf.client.options().toBuilder().toString());
    seen.add(cf.client.options().apiToken().toString());
    seen.add(Files.readString(dir.resolve("dump.sql")));
    for (ILoggingEvent e : logs.list) {
      seen.add(e.getFormattedMessage());
      if (e.getThrowableProxy() != null) {
        seen.add(ThrowableProxyUtil.asString(e.getThrowableProxy()));
      }
    }

    // The log really did record the calls, at DEBUG, including retries and the budget waits.
    assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains("HTTP 401"));
    assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().startsWith("Retrying GET"));
    assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().startsWith("Request budget exhausted"));
    assertThat(seen).isNotEmpty().noneMatch(s -> s != null && s.contains(CloudflareMock.TOKEN));

    // The API did get the token (so the test is meaningful); the signed URL did not.
    List<RecordedRequest> requests = new ArrayList<>();
    RecordedRequest r;
    while ((r = cf.server.takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
      requests.add(r);
    }
    assertThat(requests).filteredOn(q -> q.getPath().startsWith("/client/v4/"))
        .allMatch(q -> ("Bearer " + CloudflareMock.TOKEN).equals(q.getHeader("Authorization")));
    assertThat(requests).filteredOn(q -> q.getPath().startsWith("/signed/")).hasSize(1)
        .allMatch(q -> q.getHeader("Authorization") == null);
  }

  @Test
  void secretToStringIsMasked() {
    Secret s = Secret.of("abc-123");
    assertThat(s.toString()).isEqualTo("Secret[****]");
    assertThat(s.fingerprint()).doesNotContain("abc-123").hasSize(64);
    assertThat(s).isEqualTo(Secret.of("abc-123")).isNotEqualTo(Secret.of("abc-124"));
  }
}
