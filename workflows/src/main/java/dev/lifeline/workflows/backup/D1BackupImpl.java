package dev.lifeline.workflows.backup;

import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.playbook.AbstractPlaybook;
import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@link D1Backup} workflow. */
public class D1BackupImpl extends AbstractPlaybook implements D1Backup {
  private final BackupActivities backups = BackupActivityStubs.backups();

  /** Creates the runtime before any handler runs. */
  @WorkflowInit
  public D1BackupImpl(D1BackupInput input, PlaybookCheckpoint checkpoint) {
    super(TYPE, input, checkpoint);
  }

  @Override
  public BackupManifest run(D1BackupInput input, PlaybookCheckpoint checkpoint) {
    return runtime.execute(
        () -> {
          Target target = input.resolvedTarget();
          Instant at = Instant.ofEpochMilli(Workflow.currentTimeMillis());
          String backupId =
              runtime.step("plan", "Name the backup", String.class,
                  () -> BackupIds.newId(target, at, Workflow.randomUUID().toString()));
          runtime.fact("backupId", backupId);
          Map<String, String> labels = new LinkedHashMap<>();
          if (input.labels() != null) {
            labels.putAll(input.labels());
          }
          if (input.incidentId() != null) {
            labels.put("incident", input.incidentId());
          }
          labels.put("workflowId", Workflow.getInfo().getWorkflowId());
          if (input.initiatedBy() != null) {
            labels.put("initiatedBy", input.initiatedBy());
          }
          CaptureRequest request =
              new CaptureRequest(backupId, target, input.tierOrDefault(), input.tables(), at, labels);
          BackupManifest draft =
              runtime.step("capture", "Export, compress, encrypt and upload " + target.label(),
                  BackupManifest.class, () -> backups.capture(request));
          runtime.fact("storedBytes", Long.toString(draft.data().storedBytes()));
          runtime.fact("rows", Long.toString(draft.totalRows()));
          if (draft.timeTravelBookmark() != null) {
            runtime.fact("timeTravelBookmark", draft.timeTravelBookmark());
          }
          if (draft.lossy() != null) {
            for (BackupManifest.LossyColumn l : draft.lossy()) {
              runtime.finding("medium", "lossy-export",
                  l.rows() + " value(s) in " + l.table() + "." + l.column() + " (" + l.problem() + ") "
                      + (l.captured() ? "captured exactly beside the dump" : "NOT captured"));
            }
          }
          if (draft.skippedVirtualTables() != null && !draft.skippedVirtualTables().isEmpty()) {
            runtime.warn("virtual tables not in the data (rebuilt on restore from their DDL): "
                + String.join(", ", draft.skippedVirtualTables().stream().map(BackupManifest.TableManifest::name).toList()));
          }
          runtime.step("record", "Record the manifest (not yet verified)", BackupManifest.class,
              () -> backups.saveManifest(draft.withVerification(Verification.pending())));
          Verification verdict =
              runtime.step("verify", "Verify by restoring into a local SQLite file", Verification.class,
                  () -> backups.verify(draft));
          BackupManifest recorded =
              runtime.step("record-verified", "Record the verification verdict", BackupManifest.class,
                  () -> backups.saveManifest(draft.withVerification(verdict)));
          if (verdict.status() != Verification.Status.PASSED) {
            throw ApplicationFailure.newNonRetryableFailure(
                "backup " + backupId + " failed verification and is not usable: "
                    + String.join("; ", verdict.reasons()),
                "BackupVerificationFailed");
          }
          runtime.outcome(
              "Backup " + backupId + " of " + target.label() + " is verified: " + recorded.totalRows()
                  + " rows in " + recorded.tables().size() + " tables, " + recorded.data().storedBytes()
                  + " bytes stored (" + recorded.data().plaintextBytes() + " before compression).");
          return recorded;
        });
  }
}
