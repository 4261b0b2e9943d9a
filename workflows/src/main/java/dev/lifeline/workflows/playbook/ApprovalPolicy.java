package dev.lifeline.workflows.playbook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a playbook's destructive steps get approved: quorum, separation of duties, what happens when
 * nobody answers, and which steps a recorded policy approves without a person (drills, scripted
 * runs).
 *
 * <p>Every playbook input carries these fields at its top level (through {@code @JsonUnwrapped}),
 * so a person starting a playbook from the Temporal UI writes {@code "approvalsRequired": 2} next
 * to the target. Every field is optional; {@link #normalized()} fills in the defaults:
 *
 * <ul>
 *   <li>{@code approvalsRequired} 1 — distinct approvers needed for each destructive step;
 *   <li>{@code separationOfDuties} true — the person who started the playbook cannot approve it;
 *   <li>{@code approvalTimeout} {@code PT30M} — ISO-8601 or shorthand ({@code 45m}, {@code 4h},
 *       {@code 2d}); {@code none} waits forever;
 *   <li>{@code onApprovalTimeout} {@code escalate} — notify the next level of the escalation path
 *       and keep waiting; {@code abort} stops the playbook instead;
 *   <li>{@code autoApprove} empty — steps approved by policy, recorded as auto-approved in the
 *       status and report; {@code "*"} means every step;
 *   <li>{@code escalationPath} the runbook's path: Database Administrator, Senior Engineer,
 *       Engineering Manager, CTO/VP Engineering.
 * </ul>
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApprovalPolicy(
    Integer approvalsRequired,
    Boolean separationOfDuties,
    String approvalTimeout,
    String onApprovalTimeout,
    List<String> autoApprove,
    List<String> escalationPath) {

  /** The escalation path of the MonoTask data-corruption runbook. */
  public static final List<String> DEFAULT_ESCALATION_PATH =
      List.of(
          "Database Administrator", "Senior Engineer", "Engineering Manager", "CTO/VP Engineering");

  /** The default approval timeout before the first escalation. */
  public static final String DEFAULT_APPROVAL_TIMEOUT = "PT30M";

  /** Wildcard for {@link #autoApprove}: every step is approved by policy. */
  public static final String ALL_STEPS = "*";

  /** What the gate does when nobody decides within {@link #approvalTimeout}. */
  public enum TimeoutAction {
    ESCALATE,
    ABORT
  }

  /** A policy with every default; what an input without policy fields gets. */
  public static ApprovalPolicy defaults() {
    return new ApprovalPolicy(null, null, null, null, null, null).normalized();
  }

  /** A policy that approves every step by policy, for drills and scripted runs. */
  public static ApprovalPolicy autoApproveAll() {
    return new ApprovalPolicy(1, false, null, null, List.of(ALL_STEPS), null).normalized();
  }

  /** Returns this policy with every missing field set to its default. */
  public ApprovalPolicy normalized() {
    return new ApprovalPolicy(
        approvalsRequired == null ? 1 : approvalsRequired,
        separationOfDuties == null ? Boolean.TRUE : separationOfDuties,
        approvalTimeout == null || approvalTimeout.isBlank()
            ? DEFAULT_APPROVAL_TIMEOUT
            : approvalTimeout.trim(),
        onApprovalTimeout == null || onApprovalTimeout.isBlank()
            ? "escalate"
            : onApprovalTimeout.trim().toLowerCase(Locale.ROOT),
        autoApprove == null ? List.of() : List.copyOf(autoApprove),
        escalationPath == null || escalationPath.isEmpty()
            ? DEFAULT_ESCALATION_PATH
            : List.copyOf(escalationPath));
  }

  /** Distinct approvers needed per step (after {@link #normalized()}). */
  public int quorum() {
    return approvalsRequired == null ? 1 : approvalsRequired;
  }

  /** Whether the initiator is barred from approving. */
  public boolean initiatorBarred() {
    return separationOfDuties == null || separationOfDuties;
  }

  /** The approval timeout, or empty when the gate waits forever. */
  public Optional<Duration> timeout() {
    String text = approvalTimeout == null ? DEFAULT_APPROVAL_TIMEOUT : approvalTimeout;
    if (isForever(text)) {
      return Optional.empty();
    }
    return Optional.of(Durations.parse(text));
  }

  /** What to do when the approval timeout passes. */
  public TimeoutAction timeoutAction() {
    return "abort".equalsIgnoreCase(onApprovalTimeout) ? TimeoutAction.ABORT : TimeoutAction.ESCALATE;
  }

  /** Whether {@code step} is approved by policy. */
  public boolean autoApproves(String step) {
    return autoApprove != null && (autoApprove.contains(ALL_STEPS) || autoApprove.contains(step));
  }

  /** Checks every field and reports each problem with the field's name. */
  public void validate(InputProblems problems) {
    if (approvalsRequired != null && approvalsRequired < 1) {
      problems.add("approvalsRequired", "must be at least 1 (got " + approvalsRequired + ")");
    }
    if (approvalsRequired != null && approvalsRequired > 10) {
      problems.add("approvalsRequired", "must be at most 10 (got " + approvalsRequired + ")");
    }
    if (approvalTimeout != null && !approvalTimeout.isBlank() && !isForever(approvalTimeout)) {
      try {
        Duration d = Durations.parse(approvalTimeout);
        if (d.compareTo(Duration.ofMinutes(1)) < 0) {
          problems.add("approvalTimeout", "must be at least one minute (got " + approvalTimeout + ")");
        }
      } catch (IllegalArgumentException e) {
        problems.add("approvalTimeout", e.getMessage());
      }
    }
    if (onApprovalTimeout != null
        && !onApprovalTimeout.isBlank()
        && !onApprovalTimeout.trim().equalsIgnoreCase("escalate")
        && !onApprovalTimeout.trim().equalsIgnoreCase("abort")) {
      problems.add(
          "onApprovalTimeout", "must be \"escalate\" or \"abort\" (got \"" + onApprovalTimeout + "\")");
    }
    if (autoApprove != null) {
      for (String step : autoApprove) {
        if (step == null || step.isBlank()) {
          problems.add("autoApprove", "must not contain empty step names");
        }
      }
    }
    if (escalationPath != null) {
      for (String level : escalationPath) {
        if (level == null || level.isBlank()) {
          problems.add("escalationPath", "must not contain empty entries");
        }
      }
    }
  }

  private static boolean isForever(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    return t.equals("none") || t.equals("never") || t.equals("forever") || t.equals("0");
  }
}
