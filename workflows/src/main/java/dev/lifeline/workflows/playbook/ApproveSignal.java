package dev.lifeline.workflows.playbook;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Payload of the {@code approve} signal, as typed into the Temporal UI:
 * {@code {"step": "restore", "approver": "bob", "planHash": "…", "comment": "…"}}.
 *
 * @param step the step being approved; must be the pending one
 * @param approver who approves (also accepted as {@code by})
 * @param planHash optional: the hash of the plan the approver reviewed; a stale hash is refused
 * @param comment optional note kept with the decision
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApproveSignal(
    String step, @JsonAlias("by") String approver, String planHash, String comment) {}
