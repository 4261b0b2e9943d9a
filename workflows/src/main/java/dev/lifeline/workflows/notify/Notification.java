package dev.lifeline.workflows.notify;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A message for the people running an incident.
 *
 * @param kind what happened
 * @param playbook the workflow type
 * @param workflowId the workflow id, so the reader can run {@code lifeline status <id>}
 * @param incidentId the incident, if any
 * @param title one line
 * @param text the body, Markdown
 * @param escalateTo the role this is escalated to, for {@link Kind#ESCALATION}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Notification(
    Kind kind,
    String playbook,
    String workflowId,
    String incidentId,
    String title,
    String text,
    String escalateTo) {

  /** What a notification is about. */
  public enum Kind {
    APPROVAL_REQUESTED,
    ESCALATION,
    STATUS_UPDATE,
    COMPLETED,
    ABORTED,
    FAILED
  }
}
