package dev.lifeline.workflows.catalog;

import java.util.List;

/**
 * One startable playbook.
 *
 * @param name the short name people type ({@code assess}, {@code pitr})
 * @param workflowType the Temporal workflow type ({@code PointInTimeRestore})
 * @param inputType the input record, used to check inputs before starting
 * @param summary what it is for, one sentence
 * @param aliases other accepted names
 */
public record PlaybookDescriptor(
    String name, String workflowType, Class<?> inputType, String summary, List<String> aliases) {

  /** Normalises the aliases. */
  public PlaybookDescriptor {
    aliases = aliases == null ? List.of() : List.copyOf(aliases);
  }

  /** Whether {@code nameOrType} names this playbook (case-insensitive). */
  public boolean matches(String nameOrType) {
    if (nameOrType == null) {
      return false;
    }
    String n = nameOrType.trim();
    return name.equalsIgnoreCase(n)
        || workflowType.equalsIgnoreCase(n)
        || aliases.stream().anyMatch(a -> a.equalsIgnoreCase(n));
  }
}
