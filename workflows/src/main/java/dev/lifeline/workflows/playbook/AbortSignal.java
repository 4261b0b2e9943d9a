package dev.lifeline.workflows.playbook;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Payload of the {@code abort} signal: {@code {"reason": "wrong backup", "by": "carol"}}. Before a
 * destructive step the playbook stops with nothing changed; after one it runs the registered undo
 * actions and reports what was undone.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AbortSignal(String reason, @JsonAlias("approver") String by) {}
