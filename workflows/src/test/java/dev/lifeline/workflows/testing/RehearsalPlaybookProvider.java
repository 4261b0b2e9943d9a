package dev.lifeline.workflows.testing;

import dev.lifeline.workflows.catalog.PlaybookDescriptor;
import dev.lifeline.workflows.catalog.PlaybookProvider;
import java.util.List;

/** Adds the test-only {@link GateRehearsal} to the catalog of test class paths. */
public final class RehearsalPlaybookProvider implements PlaybookProvider {
  @Override
  public List<PlaybookDescriptor> playbooks() {
    return List.of(
        new PlaybookDescriptor(
            "rehearsal",
            GateRehearsal.TYPE,
            RehearsalInput.class,
            "Test-only: exercises the approval gate on an in-memory table.",
            List.of()));
  }
}
