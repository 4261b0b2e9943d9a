package dev.lifeline.activities.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeline.workflows.notify.Notification;
import dev.lifeline.workflows.notify.NotificationActivities;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications to the worker log and, when a webhook URL is configured
 * ({@code LIFELINE_NOTIFY_WEBHOOK}), as a JSON POST: {@code {"text": "...", "lifeline": {...}}},
 * which Slack, Mattermost and most chat tools accept as an incoming webhook. A 4xx answer (other
 * than 429) is a non-retryable failure naming the status; 429, 5xx and network errors are retried
 * by the activity's retry policy.
 */
public final class WebhookNotifier implements NotificationActivities {
  private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Optional<URI> webhook;
  private final OkHttpClient http;

  /** @param webhook where to POST notifications; empty to log only */
  public WebhookNotifier(Optional<URI> webhook) {
    this.webhook = webhook;
    this.http =
        new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(5))
            .readTimeout(Duration.ofSeconds(10))
            .callTimeout(Duration.ofSeconds(20))
            .build();
  }

  @Override
  public void notify(Notification n) {
    String text = render(n);
    if (n.kind() == Notification.Kind.ESCALATION || n.kind() == Notification.Kind.FAILED) {
      log.warn("{}", text.replace('\n', ' '));
    } else {
      log.info("{}", text.replace('\n', ' '));
    }
    if (webhook.isEmpty()) {
      return;
    }
    ObjectNode body = MAPPER.createObjectNode();
    body.put("text", text);
    body.set("lifeline", MAPPER.valueToTree(n));
    Request request =
        new Request.Builder()
            .url(webhook.get().toString())
            .post(RequestBody.create(body.toString(), JSON))
            .build();
    try (Response response = http.newCall(request).execute()) {
      int code = response.code();
      if (code >= 400 && code < 500 && code != 429) {
        throw ApplicationFailure.newNonRetryableFailure(
            "the notification webhook refused the message with HTTP " + code
                + "; check LIFELINE_NOTIFY_WEBHOOK",
            "NotificationRejected");
      }
      if (code >= 300) {
        throw ApplicationFailure.newFailure(
            "the notification webhook answered HTTP " + code, "NotificationNotDelivered");
      }
    } catch (IOException e) {
      throw ApplicationFailure.newFailure(
          "cannot reach the notification webhook (" + webhook.get().getHost() + "): " + e.getMessage(),
          "NotificationNotDelivered");
    }
  }

  /** The human-readable text of a notification. */
  static String render(Notification n) {
    StringBuilder b = new StringBuilder();
    String icon =
        switch (n.kind()) {
          case APPROVAL_REQUESTED -> "[approval needed]";
          case ESCALATION -> "[ESCALATION]";
          case STATUS_UPDATE -> "[status]";
          case COMPLETED -> "[completed]";
          case ABORTED -> "[aborted]";
          case FAILED -> "[FAILED]";
        };
    b.append(icon).append(' ').append(n.title());
    if (n.incidentId() != null) {
      b.append(" (incident ").append(n.incidentId()).append(')');
    }
    b.append(" — ").append(n.playbook()).append(' ').append(n.workflowId());
    if (n.escalateTo() != null) {
      b.append(" → ").append(n.escalateTo());
    }
    if (n.text() != null && !n.text().isBlank()) {
      b.append('\n').append(n.text());
    }
    return b.toString();
  }
}
