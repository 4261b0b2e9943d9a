package dev.lifeline.workflows.backup;

import dev.lifeline.workflows.playbook.AbstractPlaybook;
import dev.lifeline.workflows.playbook.ApprovalPlan;
import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import dev.lifeline.workflows.playbook.UndoAction;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The {@link BackupRetention} workflow. */
public class BackupRetentionImpl extends AbstractPlaybook implements BackupRetention {
  private final BackupActivities backups = BackupActivityStubs.backups();

  /** Creates the runtime before any handler runs. */
  @WorkflowInit
  public BackupRetentionImpl(BackupRetentionInput input, PlaybookCheckpoint checkpoint) {
    super(TYPE, input, checkpoint);
  }

  @Override
  public RetentionPlan run(BackupRetentionInput input, PlaybookCheckpoint checkpoint) {
    return runtime.execute(
        () -> {
          BackupQuery q = new BackupQuery(input.kind(), input.name(), false, null);
          List<BackupManifest> all =
              Arrays.asList(runtime.step("list", "List backups", BackupManifest[].class,
                  () -> backups.list(q).toArray(new BackupManifest[0])));
          Instant now = Instant.ofEpochMilli(Workflow.currentTimeMillis());
          RetentionPlan plan = RetentionPlan.compute(new ArrayList<>(all), now, input.daily(), input.weekly(), input.monthly());
          runtime.fact("keep", Integer.toString(plan.keep().size()));
          runtime.fact("delete", Integer.toString(plan.delete().size()));
          if (Boolean.TRUE.equals(input.dryRun())) {
            runtime.outcome("Dry run: would delete " + plan.delete().size() + " of " + all.size()
                + " backup(s), keep " + plan.keep().size() + ". Nothing was changed.");
            return plan;
          }
          if (!plan.delete().isEmpty()) {
            List<String> changes = new ArrayList<>();
            for (Map.Entry<String, String> e : plan.delete().entrySet()) {
              changes.add("move " + e.getKey() + " to the trash (" + e.getValue() + ")");
            }
            runtime.requireApproval(
                "delete",
                "Retention would delete " + plan.delete().size() + " of " + all.size() + " backups and keep "
                    + plan.keep().size() + ". Deleted backups go to the trash for " + input.trash() + " days.",
                new ApprovalPlan(
                    "Move " + plan.delete().size() + " expired backup(s) to the trash",
                    input.targetLabel(),
                    changes,
                    "none until the trash is purged after " + input.trash() + " days",
                    "restore them from the trash (the undo of this step, automatic on abort)",
                    Map.of("daily", input.daily() + "d", "weekly", input.weekly() + "d", "monthly", input.monthly() + "d")));
            for (String id : plan.delete().keySet()) {
              runtime.registerUndo(
                  new UndoAction("untrash-" + id, "untrash-backup", "Restore " + id + " from the trash",
                      Map.of("backupId", id)));
              runtime.destructiveStep("trash-" + id, "Move " + id + " to the trash", String.class,
                  () -> backups.trash(id));
            }
          }
          String[] purged =
              runtime.step("purge", "Purge trash older than " + input.trash() + " days", String[].class,
                  () -> backups.purgeTrash(input.trash()).toArray(new String[0]));
          runtime.outcome("Moved " + plan.delete().size() + " backup(s) to the trash, kept " + plan.keep().size()
              + ", purged " + purged.length + " from the trash.");
          return plan;
        });
  }

  @Override
  public String undo(UndoAction action) {
    if (action.kind().equals("untrash-backup")) {
      return backups.untrash(action.param("backupId"));
    }
    return super.undo(action);
  }
}
