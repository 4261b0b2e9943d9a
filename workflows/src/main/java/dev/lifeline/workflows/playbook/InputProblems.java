package dev.lifeline.workflows.playbook;

import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects what is wrong with a playbook input so the person who started it sees every problem
 * at once, each naming its field, in one non-retryable {@code InvalidInput} failure.
 */
public final class InputProblems {
  /** The failure type of an invalid playbook input. */
  public static final String FAILURE_TYPE = "InvalidInput";

  private final List<String> problems = new ArrayList<>();

  /** Records that {@code field} is wrong, and why. */
  public void add(String field, String message) {
    problems.add(field + " " + message);
  }

  /** Records that a required field is missing. */
  public void require(String field, Object value) {
    if (value == null || (value instanceof String s && s.isBlank())) {
      add(field, "is required");
    }
  }

  /** Whether nothing was recorded. */
  public boolean isEmpty() {
    return problems.isEmpty();
  }

  /** The recorded problems, in the order found. */
  public List<String> list() {
    return List.copyOf(problems);
  }

  /**
   * Throws a non-retryable {@code InvalidInput} failure listing every problem, if there is one.
   *
   * @param playbook the workflow type, named in the message
   */
  public void throwIfAny(String playbook) {
    if (!problems.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "Invalid input for " + playbook + ": " + String.join("; ", problems), FAILURE_TYPE);
    }
  }
}
