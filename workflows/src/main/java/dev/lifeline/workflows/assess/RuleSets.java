package dev.lifeline.workflows.assess;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Named rule sets an assessment input can ask for ({@code "ruleSet": "monotask"}), next to the
 * rules derived from the schema and any rules given inline.
 */
public final class RuleSets {
  private RuleSets() {}

  /** The MonoTask rules from the data-corruption runbook. */
  public static List<Rule> monotask() {
    return List.of(
        Rule.domain(
            "tasks.state-domain",
            "tasks",
            "state",
            List.of("PENDING", "IN_PROGRESS", "COMPLETED", "FAILED"),
            "high",
            "task states are PENDING, IN_PROGRESS, COMPLETED or FAILED (runbook: surgical repair example)"),
        Rule.reference(
            "task_events.task_id-references-tasks", "task_events", "task_id", "tasks", "id", "high",
            "every task event belongs to a task"),
        Rule.reference(
            "tasks.project_id-references-projects", "tasks", "project_id", "projects", "id", "high",
            "every task belongs to a project"));
  }

  /** Every named rule set, by name. */
  public static java.util.Map<String, List<Rule>> all() {
    return java.util.Map.of("monotask", monotask());
  }

  /** The rule set named {@code name}, if there is one. */
  public static Optional<List<Rule>> named(String name) {
    if (name == null) {
      return Optional.empty();
    }
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "monotask" -> Optional.of(monotask());
      default -> Optional.empty();
    };
  }
}
