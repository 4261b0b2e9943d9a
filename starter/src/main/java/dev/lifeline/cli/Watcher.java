package dev.lifeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeline.workflows.playbook.PlaybookState;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import dev.lifeline.workflows.playbook.PlaybookStatus.StepRecord;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.common.converter.DefaultDataConverter;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Follows a running playbook and prints what changes: phase, steps starting and ending, progress
 * (the playbook's own, and running activities' heartbeat checkpoints), approvals wanted,
 * decisions, escalations, warnings. Used by {@code lifeline watch} and {@code lifeline start
 * --wait}.
 */
final class Watcher {
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private final Session session;
  private final String workflowId;
  private final PrintWriter out;
  private final boolean json;
  private final Duration interval;

  private String lastPhase;
  private PlaybookStatus.Progress lastProgress;
  private final Map<String, String> stepStates = new HashMap<>();
  private final Set<String> shownApprovals = new HashSet<>();
  private int decisions;
  private int refused;
  private int escalations;
  private int warnings;
  private final Map<String, String> activityDetails = new HashMap<>();

  Watcher(Session session, String workflowId, PrintWriter out, boolean json, Duration interval) {
    this.session = session;
    this.workflowId = workflowId;
    this.out = out;
    this.json = json;
    this.interval = interval;
  }

  /**
   * Polls until the playbook finishes or, with {@code stopAtApproval}, until it waits for an
   * approval.
   *
   * @return the last status seen
   */
  PlaybookStatus follow(boolean stopAtApproval) {
    while (true) {
      PlaybookStatus s = session.status(workflowId);
      show(s);
      if (s.state().isFinal()) {
        return s;
      }
      if (stopAtApproval && s.state() == PlaybookState.AWAITING_APPROVAL) {
        return s;
      }
      if (s.state() == PlaybookState.RUNNING || s.state() == PlaybookState.COMPENSATING) {
        showActivities();
      }
      out.flush();
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException(ExitCodes.FAILED, "interrupted");
      }
    }
  }

  void show(PlaybookStatus s) {
    if (json) {
      String key = Json.pretty(s);
      if (!key.equals(lastPhase)) {
        lastPhase = key;
        try {
          out.println(Json.MAPPER.copy()
              .disable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(s));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
      }
      out.flush();
      return;
    }
    if (!s.phase().equals(lastPhase)) {
      lastPhase = s.phase();
      line(s.updatedAt(), s.state() + " — " + s.phase());
    }
    for (StepRecord step : s.steps()) {
      String key = step.id() + "@" + step.startedAt();
      String state = step.outcome().name();
      if (!state.equals(stepStates.get(key))) {
        stepStates.put(key, state);
        if (step.kind() != PlaybookStatus.StepKind.APPROVAL
            || step.outcome() != PlaybookStatus.StepOutcome.WAITING) {
          line(step.endedAt() != null ? step.endedAt() : step.startedAt(), StatusRenderer.step(step));
        }
      }
    }
    if (s.progress() != null && !s.progress().equals(lastProgress)) {
      lastProgress = s.progress();
      line(s.updatedAt(), "progress " + StatusRenderer.progress(s.progress()));
    }
    if (s.pendingApproval() != null) {
      String key = s.pendingApproval().step() + "/" + s.pendingApproval().planHash();
      if (shownApprovals.add(key)) {
        out.println();
        out.print(StatusRenderer.pending(s.pendingApproval(), s.workflowId()));
        out.println();
      }
    }
    List<PlaybookStatus.DecisionRecord> ds = s.decisions();
    for (int i = decisions; i < ds.size(); i++) {
      PlaybookStatus.DecisionRecord d = ds.get(i);
      line(d.at(), d.action() + " " + (d.step() == null ? "" : d.step() + " ") + "by " + d.by()
          + (d.comment() == null ? "" : " — " + d.comment())
          + (d.reason() == null ? "" : " — " + d.reason()));
    }
    decisions = ds.size();
    for (int i = refused; i < s.refused().size(); i++) {
      PlaybookStatus.RefusedDecision r = s.refused().get(i);
      line(r.at(), "refused " + r.action() + " by " + r.by() + ": " + r.reason());
    }
    refused = s.refused().size();
    for (int i = escalations; i < s.escalations().size(); i++) {
      PlaybookStatus.Escalation e = s.escalations().get(i);
      line(e.at(), "ESCALATED to " + e.to() + " (level " + e.level() + "): " + e.reason());
    }
    escalations = s.escalations().size();
    for (int i = warnings; i < s.warnings().size(); i++) {
      line(s.updatedAt(), "! " + s.warnings().get(i));
    }
    warnings = s.warnings().size();
    if (s.state().isFinal() && s.outcome() != null) {
      out.println();
      out.println(s.state() + ": " + s.outcome());
    }
    out.flush();
  }

  private void showActivities() {
    if (json) {
      return;
    }
    try {
      var description = session.describe(workflowId);
      // Child playbooks (a drill's backups and restores) report their own phase.
      for (var child : description.getPendingChildrenList()) {
        String childId = child.getWorkflowId();
        try {
          PlaybookStatus cs = session.status(childId);
          String text = cs.state() + " — " + cs.phase()
              + (cs.progress() == null ? "" : " (" + StatusRenderer.progress(cs.progress()) + ")");
          if (!text.equals(activityDetails.get(childId))) {
            activityDetails.put(childId, text);
            line(Instant.now(), "  " + child.getWorkflowTypeName() + " " + childId + ": " + text);
          }
        } catch (RuntimeException e) {
          // Not a playbook, or not started yet: nothing to show.
        }
      }
      List<PendingActivityInfo> pending = description.getPendingActivitiesList();
      for (PendingActivityInfo a : pending) {
        if (!a.hasHeartbeatDetails() || a.getHeartbeatDetails().getPayloadsCount() == 0) {
          continue;
        }
        Payload p = a.getHeartbeatDetails().getPayloads(0);
        JsonNode details =
            DefaultDataConverter.STANDARD_INSTANCE.fromPayload(p, JsonNode.class, JsonNode.class);
        String text = details == null ? "" : details.toString();
        String key = a.getActivityId();
        if (!text.equals(activityDetails.get(key))) {
          activityDetails.put(key, text);
          line(Instant.now(), "  " + a.getActivityType().getName()
              + (a.getAttempt() > 1 ? " (attempt " + a.getAttempt() + ")" : "") + ": " + text);
        }
      }
    } catch (RuntimeException e) {
      // Heartbeat details are a nicety; the status query already told the story.
    }
  }

  private void line(Instant at, String text) {
    out.println((at == null ? "        " : CLOCK.format(at)) + "  " + text);
  }
}
