package dev.lifeline.workflows.playbook;

import io.temporal.common.SearchAttributeKey;
import java.util.List;

/**
 * The custom search attributes playbooks keep up to date, so the Temporal UI and
 * {@code lifeline list} can find runs by playbook, incident and target, and those waiting for a
 * person. The worker registers them at start-up where the server allows it.
 */
public final class LifelineSearchAttributes {
  /** The playbook's workflow type. */
  public static final SearchAttributeKey<String> PLAYBOOK =
      SearchAttributeKey.forKeyword("LifelinePlaybook");

  /** The incident id, when given. */
  public static final SearchAttributeKey<String> INCIDENT =
      SearchAttributeKey.forKeyword("LifelineIncident");

  /** What the playbook acts on, e.g. {@code d1:monotask-production}. */
  public static final SearchAttributeKey<String> TARGET =
      SearchAttributeKey.forKeyword("LifelineTarget");

  /** True while the playbook waits at an approval gate. */
  public static final SearchAttributeKey<Boolean> AWAITING_APPROVAL =
      SearchAttributeKey.forBoolean("LifelineAwaitingApproval");

  /** All of them, for registration. */
  public static final List<SearchAttributeKey<?>> ALL =
      List.of(PLAYBOOK, INCIDENT, TARGET, AWAITING_APPROVAL);

  private LifelineSearchAttributes() {}
}
