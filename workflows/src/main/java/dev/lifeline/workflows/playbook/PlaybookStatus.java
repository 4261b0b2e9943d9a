package dev.lifeline.workflows.playbook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The whole picture of a running or finished playbook, returned by the {@code status} query:
 * what it is doing, what it has done and when, what it is waiting for (with the exact plan), who
 * decided what, what it found, and what it undid.
 *
 * @param playbook the workflow type, e.g. {@code PointInTimeRestore}
 * @param workflowId the workflow id
 * @param incidentId the incident this run belongs to, if any
 * @param target what the playbook acts on, e.g. {@code d1:monotask-production}
 * @param initiatedBy who started it
 * @param state where it stands
 * @param phase what it is doing, in words
 * @param progress progress of the current phase, if measurable
 * @param startedAt when the playbook started (first run, across continue-as-new)
 * @param updatedAt when this status last changed
 * @param endedAt when it finished, if it has
 * @param steps every step with its start and end times and outcome
 * @param pendingApproval the approval it waits for, with the plan and its hash
 * @param decisions every accepted decision (who, when, comment)
 * @param refused decisions that were refused, and why; never acted on
 * @param findings what it found so far
 * @param warnings things a person should know
 * @param undo registered undo actions and what became of them
 * @param escalations approval timeouts that escalated
 * @param policy the approval policy in force (defaults filled in)
 * @param outcome the final outcome in one paragraph, once finished
 * @param runs how many runs this playbook spans (continue-as-new keeps histories short)
 * @param facts named facts a playbook publishes (backup id, bookmark, RTO...)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlaybookStatus(
    String playbook,
    String workflowId,
    String incidentId,
    String target,
    String initiatedBy,
    PlaybookState state,
    String phase,
    Progress progress,
    Instant startedAt,
    Instant updatedAt,
    Instant endedAt,
    List<StepRecord> steps,
    PendingApproval pendingApproval,
    List<DecisionRecord> decisions,
    List<RefusedDecision> refused,
    List<Finding> findings,
    List<String> warnings,
    List<UndoRecord> undo,
    List<Escalation> escalations,
    ApprovalPolicy policy,
    String outcome,
    int runs,
    Map<String, String> facts) {

  /** How far the current phase has come. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Progress(long done, long total, String unit, String message) {}

  /** What kind of step a {@link StepRecord} is. */
  public enum StepKind {
    ACTION,
    APPROVAL,
    UNDO
  }

  /** How a step ended (or that it is still running). */
  public enum StepOutcome {
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED,
    SKIPPED,
    WAITING,
    APPROVED,
    AUTO_APPROVED,
    ABORTED
  }

  /** One step of the playbook. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StepRecord(
      String id,
      String title,
      StepKind kind,
      boolean destructive,
      Instant startedAt,
      Instant endedAt,
      StepOutcome outcome,
      String detail) {}

  /** An approval the playbook is waiting for. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PendingApproval(
      String step,
      String summary,
      ApprovalPlan plan,
      String planHash,
      Instant requestedAt,
      Instant escalatesAt,
      int approvalsRequired,
      List<String> approvedBy,
      int escalationLevel) {}

  /** How a decision reached the playbook. */
  public enum Via {
    SIGNAL,
    UPDATE,
    POLICY,
    TIMEOUT,
    CANCELLATION
  }

  /** An accepted decision. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DecisionRecord(
      String step,
      Decision.Action action,
      String by,
      Instant at,
      String comment,
      String reason,
      String planHash,
      Via via) {}

  /** A decision the playbook refused; it changed nothing. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RefusedDecision(
      Instant at, Via via, String action, String step, String by, String reason) {}

  /** Something the playbook found. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Finding(String severity, String kind, String summary) {}

  /** What became of an undo action. */
  public enum UndoOutcome {
    REGISTERED,
    UNDONE,
    FAILED,
    NOT_RUN,
    RELEASED
  }

  /** A registered undo action. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record UndoRecord(
      String id,
      String description,
      String beforeStep,
      Instant registeredAt,
      UndoOutcome outcome,
      Instant at,
      String detail) {}

  /** An approval timeout that escalated to the next level of the escalation path. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Escalation(Instant at, String step, int level, String to, String reason) {}
}
