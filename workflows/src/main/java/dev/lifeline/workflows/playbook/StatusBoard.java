package dev.lifeline.workflows.playbook;

import dev.lifeline.workflows.playbook.PlaybookStatus.DecisionRecord;
import dev.lifeline.workflows.playbook.PlaybookStatus.Escalation;
import dev.lifeline.workflows.playbook.PlaybookStatus.Finding;
import dev.lifeline.workflows.playbook.PlaybookStatus.PendingApproval;
import dev.lifeline.workflows.playbook.PlaybookStatus.Progress;
import dev.lifeline.workflows.playbook.PlaybookStatus.RefusedDecision;
import dev.lifeline.workflows.playbook.PlaybookStatus.StepKind;
import dev.lifeline.workflows.playbook.PlaybookStatus.StepOutcome;
import dev.lifeline.workflows.playbook.PlaybookStatus.StepRecord;
import dev.lifeline.workflows.playbook.PlaybookStatus.UndoOutcome;
import dev.lifeline.workflows.playbook.PlaybookStatus.UndoRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mutable status of one playbook run, owned by workflow code and read by the {@code status}
 * query through {@link #snapshot()}. Every mutation is made from the workflow thread (main method
 * or handlers), stamped with workflow time, so it is replay-safe.
 */
final class StatusBoard {
  private final String playbook;
  private final String workflowId;
  private final String incidentId;
  private final String target;
  private final String initiatedBy;
  private final ApprovalPolicy policy;
  private final Instant startedAt;
  private final int runs;

  private PlaybookState state = PlaybookState.RUNNING;
  private String phase = "Starting";
  private Progress progress;
  private Instant updatedAt;
  private Instant endedAt;
  private final List<StepRecord> steps = new ArrayList<>();
  private PendingApproval pending;
  private final List<DecisionRecord> decisions = new ArrayList<>();
  private final List<RefusedDecision> refused = new ArrayList<>();
  private final List<Finding> findings = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final List<UndoRecord> undo = new ArrayList<>();
  private final List<Escalation> escalations = new ArrayList<>();
  private final Map<String, String> facts = new LinkedHashMap<>();
  private String outcome;

  StatusBoard(
      String playbook,
      String workflowId,
      String incidentId,
      String target,
      String initiatedBy,
      ApprovalPolicy policy,
      Instant now,
      PlaybookStatus previous) {
    this.playbook = playbook;
    this.workflowId = workflowId;
    this.incidentId = incidentId;
    this.target = target;
    this.initiatedBy = initiatedBy;
    this.policy = policy;
    this.updatedAt = now;
    if (previous == null) {
      this.startedAt = now;
      this.runs = 1;
    } else {
      this.startedAt = previous.startedAt() == null ? now : previous.startedAt();
      this.runs = previous.runs() + 1;
      this.state = previous.state() == null ? PlaybookState.RUNNING : previous.state();
      this.phase = previous.phase();
      this.progress = previous.progress();
      this.pending = previous.pendingApproval();
      this.outcome = previous.outcome();
      addAll(steps, previous.steps());
      addAll(decisions, previous.decisions());
      addAll(refused, previous.refused());
      addAll(findings, previous.findings());
      addAll(warnings, previous.warnings());
      addAll(undo, previous.undo());
      addAll(escalations, previous.escalations());
      if (previous.facts() != null) {
        facts.putAll(previous.facts());
      }
    }
  }

  private static <T> void addAll(List<T> to, List<T> from) {
    if (from != null) {
      to.addAll(from);
    }
  }

  PlaybookStatus snapshot() {
    return new PlaybookStatus(
        playbook,
        workflowId,
        incidentId,
        target,
        initiatedBy,
        state,
        phase,
        progress,
        startedAt,
        updatedAt,
        endedAt,
        List.copyOf(steps),
        pending,
        List.copyOf(decisions),
        List.copyOf(refused),
        List.copyOf(findings),
        List.copyOf(warnings),
        List.copyOf(undo),
        List.copyOf(escalations),
        policy,
        outcome,
        runs,
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(facts)));
  }

  PlaybookState state() {
    return state;
  }

  String phase() {
    return phase;
  }

  PendingApproval pending() {
    return pending;
  }

  List<StepRecord> steps() {
    return steps;
  }

  List<UndoRecord> undo() {
    return undo;
  }

  void state(PlaybookState state, Instant now) {
    this.state = state;
    this.updatedAt = now;
  }

  void phase(String phase, Instant now) {
    this.phase = phase;
    this.progress = null;
    this.updatedAt = now;
  }

  void progress(Progress progress, Instant now) {
    this.progress = progress;
    this.updatedAt = now;
  }

  void stepStarted(String id, String title, StepKind kind, boolean destructive, Instant now) {
    steps.add(new StepRecord(id, title, kind, destructive, now, null, StepOutcome.RUNNING, null));
    this.updatedAt = now;
  }

  void stepWaiting(String id, String title, Instant now) {
    steps.add(
        new StepRecord(id, title, StepKind.APPROVAL, false, now, null, StepOutcome.WAITING, null));
    this.updatedAt = now;
  }

  /** Ends the most recent open record of step {@code id}. */
  void stepEnded(String id, StepOutcome outcome, String detail, Instant now) {
    for (int i = steps.size() - 1; i >= 0; i--) {
      StepRecord s = steps.get(i);
      if (s.id().equals(id) && s.endedAt() == null) {
        steps.set(
            i,
            new StepRecord(
                s.id(), s.title(), s.kind(), s.destructive(), s.startedAt(), now, outcome, detail));
        break;
      }
    }
    this.updatedAt = now;
  }

  void pending(PendingApproval pending, Instant now) {
    this.pending = pending;
    this.updatedAt = now;
  }

  void decision(DecisionRecord decision) {
    decisions.add(decision);
    this.updatedAt = decision.at();
  }

  void refused(RefusedDecision refusedDecision) {
    refused.add(refusedDecision);
    this.updatedAt = refusedDecision.at();
  }

  /** Adds a finding unless an equal one is already there (steps may re-run after continue-as-new). */
  void finding(Finding finding, Instant now) {
    if (!findings.contains(finding)) {
      findings.add(finding);
      this.updatedAt = now;
    }
  }

  void warn(String warning, Instant now) {
    if (!warnings.contains(warning)) {
      warnings.add(warning);
      this.updatedAt = now;
    }
  }

  void fact(String key, String value, Instant now) {
    facts.put(key, value);
    this.updatedAt = now;
  }

  void escalation(Escalation escalation) {
    escalations.add(escalation);
    this.updatedAt = escalation.at();
  }

  boolean hasUndo(String id) {
    return undo.stream().anyMatch(u -> u.id().equals(id));
  }

  void undoRegistered(UndoRecord record) {
    undo.add(record);
    this.updatedAt = record.registeredAt();
  }

  UndoOutcome undoOutcome(String id) {
    return undo.stream()
        .filter(u -> u.id().equals(id))
        .map(UndoRecord::outcome)
        .findFirst()
        .orElse(null);
  }

  void undoEnded(String id, UndoOutcome outcome, String detail, Instant now) {
    for (int i = 0; i < undo.size(); i++) {
      UndoRecord u = undo.get(i);
      if (u.id().equals(id)) {
        undo.set(
            i,
            new UndoRecord(
                u.id(), u.description(), u.beforeStep(), u.registeredAt(), outcome, now, detail));
      }
    }
    this.updatedAt = now;
  }

  void finish(PlaybookState finalState, String outcome, Instant now) {
    this.state = finalState;
    this.outcome = outcome;
    this.pending = null;
    this.endedAt = now;
    this.updatedAt = now;
  }
}
