package dev.lifeline.workflows.playbook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What a playbook carries into its next run when it continues as new while waiting for approval:
 * the status so far, the results of finished steps (so they are not run again) and the registered
 * undo actions. It is the optional second argument of every playbook's workflow method; people
 * starting a playbook leave it out.
 *
 * @param historyEventLimit continue as new once the history has this many events (null: the
 *     default, {@value PlaybookRuntime#DEFAULT_HISTORY_EVENT_LIMIT})
 * @param status the status at the end of the previous run, or null for a first run
 * @param journal finished steps' results as JSON, by step id
 * @param undoActions registered undo actions, oldest first
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlaybookCheckpoint(
    Integer historyEventLimit,
    PlaybookStatus status,
    Map<String, String> journal,
    List<UndoAction> undoActions) {

  /** A first run that continues as new after {@code historyEventLimit} events (tests, tuning). */
  public static PlaybookCheckpoint withHistoryEventLimit(int historyEventLimit) {
    return new PlaybookCheckpoint(historyEventLimit, null, null, null);
  }
}
