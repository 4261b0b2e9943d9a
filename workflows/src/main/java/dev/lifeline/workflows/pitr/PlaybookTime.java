package dev.lifeline.workflows.pitr;

import io.temporal.workflow.Workflow;
import java.time.Instant;

/** Workflow time as an {@link Instant} (deterministic: it is the time of the workflow task). */
final class PlaybookTime {
  private PlaybookTime() {}

  static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
