package dev.lifeline.workflows.pitr;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.playbook.ApprovalPolicy;
import dev.lifeline.workflows.playbook.InputProblems;
import dev.lifeline.workflows.playbook.PlaybookInput;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Input of {@link PointInTimeRestore}.
 *
 * @param target {@code {"d1": ...}}, {@code {"sqlite": ...}} or {@code {"kv": ...}}
 * @param targetTime restore to the state at this moment (ISO-8601, e.g. 2026-11-21T02:00:00Z)
 * @param backupId restore this backup (pins the recovery point)
 * @param method {@code auto} (default: Time Travel inside its window, else the newest verified
 *     backup before {@code targetTime}), {@code time-travel} or {@code backup}
 * @param validateOnly validate the recovery point and stop (changes nothing)
 * @param kvMode for KV: {@code replace} (default: write every key of the backup), {@code clear}
 *     (also delete keys not in the backup) or {@code skip-existing} (leave current keys alone)
 * @param keys for KV: restore only these keys
 * @param safetyBackup take a pre-restore backup as the undo handle (default true; D1 also records
 *     the current Time Travel bookmark)
 * @param detectedAt when the problem was detected, for the measured RTO (default: when this
 *     playbook started)
 * @param incidentId the incident
 * @param initiatedBy who started it
 * @param approval the approval policy
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PitrInput(
    Target target,
    String targetTime,
    String backupId,
    String method,
    Boolean validateOnly,
    String kvMode,
    List<String> keys,
    Boolean safetyBackup,
    String detectedAt,
    String incidentId,
    String initiatedBy,
    @JsonUnwrapped ApprovalPolicy approval)
    implements PlaybookInput {

  /** The method, normalised (default auto). */
  public String methodOrDefault() {
    return method == null || method.isBlank() ? "auto" : method.trim().toLowerCase(Locale.ROOT);
  }

  /** The KV mode, normalised (default replace). */
  public String kvModeOrDefault() {
    return kvMode == null || kvMode.isBlank() ? "replace" : kvMode.trim().toLowerCase(Locale.ROOT);
  }

  /** The target time, parsed, or null. */
  public Instant targetInstant() {
    return targetTime == null || targetTime.isBlank() ? null : Instant.parse(targetTime.trim());
  }

  /** The detection time, parsed, or null. */
  public Instant detectedInstant() {
    return detectedAt == null || detectedAt.isBlank() ? null : Instant.parse(detectedAt.trim());
  }

  @Override
  public String targetLabel() {
    return target == null ? null : target.label();
  }

  @Override
  public void validate(InputProblems problems) {
    Target.validate(target, "target", Target.anyKind(), problems);
    parseTime("targetTime", targetTime, problems);
    parseTime("detectedAt", detectedAt, problems);
    if (!List.of("auto", "time-travel", "backup").contains(methodOrDefault())) {
      problems.add("method", "must be auto, time-travel or backup (got \"" + method + "\")");
    }
    if (backupId != null && methodOrDefault().equals("time-travel")) {
      problems.add("backupId", "cannot be used with method time-travel");
    }
    if (backupId != null && targetTime != null) {
      problems.add("backupId", "and targetTime are both given; give one (backupId pins the recovery point)");
    }
    if (methodOrDefault().equals("time-travel")) {
      if (target != null && target.kind() != null && target.kind() != Target.Kind.D1) {
        problems.add("method", "time-travel works for D1 targets only");
      }
      if (targetTime == null) {
        problems.add("targetTime", "is required with method time-travel");
      }
    }
    if (!List.of("replace", "clear", "skip-existing").contains(kvModeOrDefault())) {
      problems.add("kvMode", "must be replace, clear or skip-existing (got \"" + kvMode + "\")");
    }
    if ((kvMode != null || keys != null) && target != null && target.kind() != null && target.kind() != Target.Kind.KV) {
      problems.add(kvMode != null ? "kvMode" : "keys", "applies to KV targets only");
    }
    if (keys != null && keys.stream().anyMatch(k -> k == null || k.isEmpty())) {
      problems.add("keys", "must not contain empty keys");
    }
    if (keys != null && "clear".equals(kvModeOrDefault())) {
      problems.add("kvMode", "clear cannot be combined with keys (it would delete every other key)");
    }
  }

  private static void parseTime(String field, String value, InputProblems problems) {
    if (value == null || value.isBlank()) {
      return;
    }
    try {
      Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      problems.add(field, "must be an ISO-8601 instant like 2026-11-21T02:00:00Z (got \"" + value + "\")");
    }
  }
}
