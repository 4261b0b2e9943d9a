package dev.lifeline.workflows.testing;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.lifeline.workflows.playbook.ApprovalPolicy;
import dev.lifeline.workflows.playbook.InputProblems;
import dev.lifeline.workflows.playbook.PlaybookInput;

/**
 * Input of {@link GateRehearsal}.
 *
 * @param target the in-memory table to act on
 * @param initiatedBy who starts it
 * @param incidentId optional incident
 * @param approval the approval policy, unwrapped at the top level
 * @param failVerify make the verify step fail after the destructive apply
 * @param inspectMillis how long the (non-destructive, heartbeating) inspect step takes
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RehearsalInput(
    String target,
    String initiatedBy,
    String incidentId,
    @JsonUnwrapped ApprovalPolicy approval,
    Boolean failVerify,
    Long inspectMillis)
    implements PlaybookInput {

  /** An input with the default policy. */
  public static RehearsalInput of(String target, String initiatedBy) {
    return new RehearsalInput(target, initiatedBy, null, null, null, null);
  }

  /** This input with {@code policy}. */
  public RehearsalInput withPolicy(ApprovalPolicy policy) {
    return new RehearsalInput(target, initiatedBy, incidentId, policy, failVerify, inspectMillis);
  }

  @Override
  public String targetLabel() {
    return "memory:" + target;
  }

  @Override
  public void validate(InputProblems problems) {
    problems.require("target", target);
  }
}
