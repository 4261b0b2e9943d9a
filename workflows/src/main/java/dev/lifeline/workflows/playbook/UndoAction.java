package dev.lifeline.workflows.playbook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.TreeMap;

/**
 * An undo action registered before the destructive call it undoes. It is data, not a lambda, so
 * it survives continue-as-new: the playbook's {@link Compensator} turns it into activity calls.
 *
 * @param id unique within the playbook run, e.g. {@code restore-safety-backup}
 * @param kind what the compensator should do, e.g. {@code d1-restore-backup}
 * @param description what undoing means, in words a person reads in the status
 * @param params what the compensator needs (backup id, bookmark, database...)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UndoAction(String id, String kind, String description, Map<String, String> params) {
  /** Copies {@code params} into a sorted immutable map. */
  public UndoAction {
    params =
        params == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(params));
  }

  /** The parameter {@code name}, or fails naming it. */
  public String param(String name) {
    String v = params.get(name);
    if (v == null) {
      throw new IllegalStateException("undo action " + id + " has no parameter " + name);
    }
    return v;
  }
}
