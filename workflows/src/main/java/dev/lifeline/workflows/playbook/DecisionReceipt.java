package dev.lifeline.workflows.playbook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the {@code decide} update returns when it accepts a decision. (A refused decision never
 * gets a receipt: the update is rejected with the reason.)
 *
 * @param action {@code approve} or {@code abort}
 * @param step the step decided
 * @param by who decided
 * @param approvals distinct approvals the step has now
 * @param approvalsRequired the quorum
 * @param message what happens next, in words
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DecisionReceipt(
    String action, String step, String by, int approvals, int approvalsRequired, String message) {}
