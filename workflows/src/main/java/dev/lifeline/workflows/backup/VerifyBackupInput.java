package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.playbook.InputProblems;
import dev.lifeline.workflows.playbook.UngatedInput;

/**
 * Input of {@link VerifyBackup}: {@code {"backupId": "d1-monotask-production-…"}}.
 *
 * @param backupId the backup to verify
 * @param initiatedBy who asked
 * @param incidentId an incident, if any
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VerifyBackupInput(String backupId, String initiatedBy, String incidentId) implements UngatedInput {


  @Override
  public String targetLabel() {
    return backupId == null ? null : "backup:" + backupId;
  }

  @Override
  public void validate(InputProblems problems) {
    problems.require("backupId", backupId);
  }
}
