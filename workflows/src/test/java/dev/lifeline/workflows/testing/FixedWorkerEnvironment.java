package dev.lifeline.workflows.testing;

import dev.lifeline.workflows.playbook.WorkerEnvironmentActivities;

/** A worker environment with fixed answers, for tests. */
public final class FixedWorkerEnvironment implements WorkerEnvironmentActivities {
  private final boolean searchAttributes;

  /** @param searchAttributes whether the Lifeline search attributes are registered */
  public FixedWorkerEnvironment(boolean searchAttributes) {
    this.searchAttributes = searchAttributes;
  }

  @Override
  public WorkerEnvironment describe() {
    return new WorkerEnvironment(searchAttributes, "test");
  }
}
