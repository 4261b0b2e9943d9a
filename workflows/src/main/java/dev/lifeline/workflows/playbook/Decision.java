package dev.lifeline.workflows.playbook;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Locale;

/**
 * Payload of the {@code decide} update: an approval or an abort sent synchronously, so the caller
 * learns at once whether it was accepted and, if not, why.
 *
 * @param action {@code approve} or {@code abort}
 * @param step the step approved (required to approve; ignored for abort)
 * @param by who decides (also accepted as {@code approver})
 * @param planHash the hash of the plan reviewed; a stale hash is refused
 * @param comment optional note kept with an approval
 * @param reason why, required to abort
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Decision(
    String action,
    String step,
    @JsonAlias("approver") String by,
    String planHash,
    String comment,
    String reason) {

  /** The two things a person can decide. */
  public enum Action {
    APPROVE,
    ABORT
  }

  /** An approval of {@code step} by {@code by}. */
  public static Decision approve(String step, String by, String planHash, String comment) {
    return new Decision("approve", step, by, planHash, comment, null);
  }

  /** An abort by {@code by}, for {@code reason}. */
  public static Decision abort(String by, String reason) {
    return new Decision("abort", null, by, null, null, reason);
  }

  /** The parsed action, or null when {@link #action} is neither approve nor abort. */
  public Action parsedAction() {
    if (action == null) {
      return null;
    }
    return switch (action.trim().toLowerCase(Locale.ROOT)) {
      case "approve", "approved", "approval" -> Action.APPROVE;
      case "abort", "aborted", "reject", "refuse" -> Action.ABORT;
      default -> null;
    };
  }
}
