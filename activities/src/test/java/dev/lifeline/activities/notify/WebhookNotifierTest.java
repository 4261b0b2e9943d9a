package dev.lifeline.activities.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeline.workflows.notify.Notification;
import io.temporal.failure.ApplicationFailure;
import java.net.URI;
import java.util.Optional;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookNotifierTest {
  private MockWebServer server;

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start(java.net.InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdown();
  }

  private static Notification escalation() {
    return new Notification(
        Notification.Kind.ESCALATION,
        "PointInTimeRestore",
        "pitr-INC-4",
        "INC-4",
        "Escalation: approval of 'restore' is waiting",
        "no decision for 31 minutes",
        "Database Administrator");
  }

  @Test
  void postsASlackCompatibleMessageWithTheStructuredNotification() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(200).setBody("ok"));
    new WebhookNotifier(Optional.of(URI.create(server.url("/hook").toString())))
        .notify(escalation());

    RecordedRequest req = server.takeRequest();
    assertThat(req.getMethod()).isEqualTo("POST");
    JsonNode body = new ObjectMapper().readTree(req.getBody().readUtf8());
    assertThat(body.get("text").asText())
        .startsWith("[ESCALATION] Escalation: approval of 'restore' is waiting (incident INC-4)")
        .contains("→ Database Administrator")
        .contains("no decision for 31 minutes");
    assertThat(body.at("/lifeline/kind").asText()).isEqualTo("ESCALATION");
    assertThat(body.at("/lifeline/workflowId").asText()).isEqualTo("pitr-INC-4");
  }

  @Test
  void aRejectingWebhookIsANonRetryableFailureNamingTheSetting() {
    server.enqueue(new MockResponse().setResponseCode(404));
    WebhookNotifier notifier =
        new WebhookNotifier(Optional.of(URI.create(server.url("/gone").toString())));
    assertThatThrownBy(() -> notifier.notify(escalation()))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getOriginalMessage()).contains("HTTP 404").contains("LIFELINE_NOTIFY_WEBHOOK");
            });
  }

  @Test
  void aServerErrorIsRetryable() {
    server.enqueue(new MockResponse().setResponseCode(503));
    WebhookNotifier notifier =
        new WebhookNotifier(Optional.of(URI.create(server.url("/busy").toString())));
    assertThatThrownBy(() -> notifier.notify(escalation()))
        .isInstanceOfSatisfying(
            ApplicationFailure.class, f -> assertThat(f.isNonRetryable()).isFalse());
  }

  @Test
  void withoutAWebhookItOnlyLogs() {
    new WebhookNotifier(Optional.empty()).notify(escalation());
    assertThat(server.getRequestCount()).isZero();
  }
}
