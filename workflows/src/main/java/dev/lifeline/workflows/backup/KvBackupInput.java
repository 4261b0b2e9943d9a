package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.playbook.InputProblems;
import dev.lifeline.workflows.playbook.UngatedInput;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Input of {@link KvBackup}: {@code {"namespaces": ["SESSIONS", "CACHE"], "mode": "full"}}.
 *
 * @param namespaces namespace titles or ids
 * @param mode {@code full} (default), {@code incremental} (from each namespace's latest verified
 *     backup, or from {@code baseBackupId}), or {@code auto}: incremental when a verified chain
 *     exists and is shorter than {@value #MAX_CHAIN} backups, full otherwise (what schedules use)
 * @param baseBackupId for incremental mode with one namespace: the backup to continue from
 * @param tier retention tier (default manual)
 * @param initiatedBy who asked
 * @param incidentId an incident, if any
 * @param labels free-form labels
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KvBackupInput(
    List<String> namespaces,
    String mode,
    String baseBackupId,
    String tier,
    String initiatedBy,
    String incidentId,
    Map<String, String> labels)
    implements UngatedInput {

  /** The longest chain {@code auto} mode extends before starting a new full backup. */
  public static final int MAX_CHAIN = 24;

  /** Whether this is an incremental backup. */
  public boolean incremental() {
    return mode != null && mode.trim().toLowerCase(Locale.ROOT).equals("incremental");
  }

  /** Whether the mode is chosen per namespace from what exists. */
  public boolean auto() {
    return mode != null && mode.trim().toLowerCase(Locale.ROOT).equals("auto");
  }

  /** The tier, defaulting to manual. */
  public String tierOrDefault() {
    return tier == null || tier.isBlank() ? "manual" : tier.trim();
  }



  @Override
  public String targetLabel() {
    return namespaces == null ? null : "kv:" + String.join(",", namespaces);
  }

  @Override
  public void validate(InputProblems problems) {
    if (namespaces == null || namespaces.isEmpty()) {
      problems.add("namespaces", "is required: the KV namespaces to back up, e.g. [\"SESSIONS\"]");
    } else if (namespaces.stream().anyMatch(n -> n == null || n.isBlank())) {
      problems.add("namespaces", "must not contain empty names");
    }
    if (mode != null && !List.of("full", "incremental", "auto").contains(mode.trim().toLowerCase(Locale.ROOT))) {
      problems.add("mode", "must be full, incremental or auto (got \"" + mode + "\")");
    }
    if (baseBackupId != null && !incremental()) {
      problems.add("baseBackupId", "is only used with mode incremental");
    }
    if (baseBackupId != null && namespaces != null && namespaces.size() > 1) {
      problems.add("baseBackupId", "needs exactly one namespace");
    }
    if (tier != null && !D1BackupInput.TIERS.contains(tier.trim())) {
      problems.add("tier", "must be one of daily, weekly, monthly, manual, pre-restore, drill (got \"" + tier + "\")");
    }
  }
}
