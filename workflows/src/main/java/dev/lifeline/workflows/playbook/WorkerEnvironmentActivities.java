package dev.lifeline.workflows.playbook;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * A local activity each playbook calls once at start to learn what the worker's Temporal server
 * supports. Its answer is recorded in the history, so replays see the same answer.
 */
@ActivityInterface
public interface WorkerEnvironmentActivities {
  /**
   * What this worker found at start-up. Idempotent and read-only.
   *
   * @return the capabilities of the server the worker is connected to
   */
  @ActivityMethod(name = "DescribeWorkerEnvironment")
  WorkerEnvironment describe();

  /**
   * What the worker's server supports.
   *
   * @param searchAttributes the {@link LifelineSearchAttributes} are registered and may be upserted
   * @param server a short description of the server (e.g. {@code temporal-test-server})
   */
  record WorkerEnvironment(boolean searchAttributes, String server) {}
}
