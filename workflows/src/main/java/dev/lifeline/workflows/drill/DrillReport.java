package dev.lifeline.workflows.drill;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * The drill's report: pass/fail per step, RTO and RPO per component against the runbook's
 * targets, and what to improve. As JSON (this record) and as Markdown ({@link #markdown}).
 *
 * @param passed whether every step passed and every component met its targets
 * @param startedAt when the drill started
 * @param finishedAt when it finished
 * @param policy the recorded approval policy, in words (drills run without a person)
 * @param components one result per drilled component
 * @param steps every step in the order run
 * @param recommendations what to improve, most important first
 * @param markdown the report for people
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DrillReport(
    boolean passed,
    Instant startedAt,
    Instant finishedAt,
    String policy,
    List<ComponentResult> components,
    List<DrillStep> steps,
    List<String> recommendations,
    String markdown) {

  /** Step verdicts. */
  public enum Verdict {
    PASSED,
    FAILED,
    SKIPPED
  }

  /**
   * One step.
   *
   * @param component {@code d1} or {@code kv}, or {@code drill} for steps of the whole drill
   * @param step the step's id
   * @param title what it did
   * @param verdict passed, failed or skipped
   * @param seconds how long it took
   * @param detail what it found, or why it failed or was skipped
   * @param workflowId the child playbook that ran it, if any (open it in the Temporal UI)
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DrillStep(
      String component, String step, String title, Verdict verdict, double seconds, String detail, String workflowId) {}

  /**
   * What a component achieved.
   *
   * @param component {@code d1} or {@code kv}
   * @param source what was backed up (never written)
   * @param copy the drill copy that was damaged and restored
   * @param passed whether its steps passed and it met its targets
   * @param rtoSeconds detection (damage in place) to the restored copy validated; null if it was
   *     not restored
   * @param rtoTargetSeconds the runbook's RTO target
   * @param rpoSeconds the data the restore lost: the age of the recovery point when the damage
   *     happened; null if it was not restored
   * @param rpoTargetSeconds the runbook's RPO target
   * @param exposureSeconds the age of the newest verified backup of the source when the drill
   *     started (what an incident at that moment would have lost); null when there was none
   * @param recoveryPoint the recovery point the restore used
   * @param sourceBackupId the verified backup of the source the drill took
   * @param dataEqual whether the restored copy held exactly the recovery point's data
   * @param differences what differed, when it did not
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ComponentResult(
      String component,
      String source,
      String copy,
      boolean passed,
      Long rtoSeconds,
      long rtoTargetSeconds,
      Long rpoSeconds,
      long rpoTargetSeconds,
      Long exposureSeconds,
      String recoveryPoint,
      String sourceBackupId,
      Boolean dataEqual,
      List<String> differences) {}

  /** This report with its Markdown rendering. */
  public DrillReport withMarkdown(String text) {
    return new DrillReport(passed, startedAt, finishedAt, policy, components, steps, recommendations, text);
  }
}
