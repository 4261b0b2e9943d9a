package dev.lifeline.worker;

import dev.lifeline.workflows.playbook.WorkerEnvironmentActivities;

/**
 * Answers {@link WorkerEnvironmentActivities} with what this worker found when it connected.
 * Read-only and idempotent.
 */
final class ConnectedWorkerEnvironment implements WorkerEnvironmentActivities {
  private final WorkerEnvironment environment;

  ConnectedWorkerEnvironment(boolean searchAttributes, String server) {
    this.environment = new WorkerEnvironment(searchAttributes, server);
  }

  @Override
  public WorkerEnvironment describe() {
    return environment;
  }
}
