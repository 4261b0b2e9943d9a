package dev.lifeline.workflows.playbook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The exact plan a person approves before a destructive step: what will be changed, where, the
 * data that will be lost, and how to undo it. Its canonical JSON is hashed ({@link PlanHash}) so an
 * approval given for one plan can never approve another.
 *
 * @param action one sentence: what the step will do
 * @param target where: the database, namespace or bucket that changes
 * @param changes the exact list of changes (tables replaced, keys written, rows deleted...)
 * @param estimatedDataLoss what will be lost, in words and numbers ("writes after 02:00 UTC")
 * @param undo how to undo the step, with its undo handle (safety backup id, bookmark)
 * @param details further facts the approver may want (backup id, sizes, checksums), sorted by key
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApprovalPlan(
    String action,
    String target,
    List<String> changes,
    String estimatedDataLoss,
    String undo,
    Map<String, String> details) {

  /** Normalises collections so equal plans have equal canonical JSON. */
  public ApprovalPlan {
    changes = changes == null ? List.of() : List.copyOf(changes);
    details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(details));
  }
}
