package dev.lifeline.workflows.playbook;

/**
 * What every playbook input has in common. Inputs are single JSON-friendly records with defaults,
 * {@code @JsonIgnoreProperties(ignoreUnknown = true)}, and the approval policy unwrapped at their
 * top level.
 */
public interface PlaybookInput {
  /** Who started the playbook; required while separation of duties is on. */
  String initiatedBy();

  /** The incident this run belongs to, if any. */
  String incidentId();

  /** The approval policy fields of the input (may be null or partly filled). */
  ApprovalPolicy approval();

  /**
   * Whether this playbook stops at approval gates. Playbooks without gates (backups) do not need
   * {@link #initiatedBy()} for separation of duties.
   */
  default boolean hasApprovalGates() {
    return true;
  }

  /** A short label of what the playbook acts on, e.g. {@code d1:monotask-production}. */
  String targetLabel();

  /**
   * Checks the playbook-specific fields, adding each problem with its field name. The runtime
   * checks the common fields and the policy itself.
   */
  void validate(InputProblems problems);
}
