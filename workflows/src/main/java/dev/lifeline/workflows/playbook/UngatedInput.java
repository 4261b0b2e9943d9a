package dev.lifeline.workflows.playbook;

/**
 * The input of a playbook that never stops for approval: backups, verification, replication and
 * the read-only assessment. It has no approval policy, and {@link #initiatedBy()} is not needed
 * for separation of duties.
 */
public interface UngatedInput extends PlaybookInput {
  @Override
  default ApprovalPolicy approval() {
    return null;
  }

  @Override
  default boolean hasApprovalGates() {
    return false;
  }
}
