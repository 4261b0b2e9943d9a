package dev.lifeline.worker.logging;

/**
 * MDC keys on workflow and activity log events. The Temporal SDK sets the first four; Lifeline
 * adds {@link #PLAYBOOK}.
 */
public final class LogKeys {
  /** The workflow id. */
  public static final String WORKFLOW_ID = "WorkflowId";

  /** The run id. */
  public static final String RUN_ID = "RunId";

  /** The workflow type. */
  public static final String WORKFLOW_TYPE = "WorkflowType";

  /** The activity type. */
  public static final String ACTIVITY_TYPE = "ActivityType";

  /** The playbook the activity works for (its workflow type). */
  public static final String PLAYBOOK = "playbook";

  private LogKeys() {}
}
