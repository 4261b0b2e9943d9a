package dev.lifeline.worker.config;

import java.util.List;

/**
 * Thrown when settings are missing or malformed. Each problem is one line that names the setting,
 * says what is wrong and how to fix it, and never shows a secret value.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  /** @param problems one line per problem */
  public ConfigException(List<String> problems) {
    super(String.join("\n", problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  /** One line per problem. */
  public List<String> problems() {
    return problems;
  }
}
