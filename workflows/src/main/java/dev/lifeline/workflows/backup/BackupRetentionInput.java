package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.lifeline.workflows.playbook.ApprovalPolicy;
import dev.lifeline.workflows.playbook.InputProblems;
import dev.lifeline.workflows.playbook.PlaybookInput;
import java.util.List;

/**
 * Input of {@link BackupRetention}. Defaults keep daily backups 30 days, weekly 90 days, monthly
 * one year; deleted backups stay in the trash 7 days.
 *
 * @param kind only backups of this kind ({@code d1}, {@code sqlite}, {@code kv}); all when null
 * @param name only backups of this database or namespace; all when null
 * @param dailyDays keep every verified backup this many days
 * @param weeklyDays keep the newest of each week this many days
 * @param monthlyDays keep the newest of each month this many days
 * @param trashDays purge trashed backups after this many days
 * @param dryRun list what would go, delete nothing
 * @param initiatedBy who asked (a person, or {@code schedule})
 * @param incidentId an incident, if any
 * @param approval the approval policy (scheduled runs record {@code autoApprove: ["delete"]})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupRetentionInput(
    String kind,
    String name,
    Integer dailyDays,
    Integer weeklyDays,
    Integer monthlyDays,
    Integer trashDays,
    Boolean dryRun,
    String initiatedBy,
    String incidentId,
    @JsonUnwrapped ApprovalPolicy approval)
    implements PlaybookInput {

  int daily() {
    return dailyDays == null ? 30 : dailyDays;
  }

  int weekly() {
    return weeklyDays == null ? 90 : weeklyDays;
  }

  int monthly() {
    return monthlyDays == null ? 365 : monthlyDays;
  }

  int trash() {
    return trashDays == null ? 7 : trashDays;
  }

  @Override
  public String targetLabel() {
    return "backups:" + (kind == null ? "*" : kind) + (name == null ? "" : ":" + name);
  }

  @Override
  public void validate(InputProblems problems) {
    if (kind != null && !List.of("d1", "sqlite", "kv").contains(kind)) {
      problems.add("kind", "must be d1, sqlite or kv (got \"" + kind + "\")");
    }
    if (daily() < 1) {
      problems.add("dailyDays", "must be at least 1");
    }
    if (weekly() < daily()) {
      problems.add("weeklyDays", "must be at least dailyDays");
    }
    if (monthly() < weekly()) {
      problems.add("monthlyDays", "must be at least weeklyDays");
    }
    if (trash() < 0) {
      problems.add("trashDays", "must not be negative");
    }
  }
}
