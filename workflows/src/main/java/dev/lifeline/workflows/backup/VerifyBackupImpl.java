package dev.lifeline.workflows.backup;

import dev.lifeline.workflows.playbook.AbstractPlaybook;
import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import io.temporal.workflow.WorkflowInit;
import java.util.ArrayList;
import java.util.List;

/** The {@link VerifyBackup} workflow. */
public class VerifyBackupImpl extends AbstractPlaybook implements VerifyBackup {
  private final BackupActivities backups = BackupActivityStubs.backups();
  private final KvBackupActivities kv = BackupActivityStubs.kv();

  /** Creates the runtime before any handler runs. */
  @WorkflowInit
  public VerifyBackupImpl(VerifyBackupInput input, PlaybookCheckpoint checkpoint) {
    super(TYPE, input, checkpoint);
  }

  @Override
  public Verification run(VerifyBackupInput input, PlaybookCheckpoint checkpoint) {
    return runtime.execute(
        () -> {
          BackupManifest m = runtime.step("read", "Read the manifest of " + input.backupId(), BackupManifest.class,
              () -> backups.get(input.backupId()));
          Verification v;
          if ("kv".equals(m.kind())) {
            List<BackupManifest> chain = new ArrayList<>();
            chain.add(m);
            BackupManifest cursor = m;
            int hop = 0;
            while (cursor.parentBackupId() != null) {
              String parent = cursor.parentBackupId();
              cursor = runtime.step("read-" + (++hop), "Read " + parent, BackupManifest.class, () -> backups.get(parent));
              chain.add(0, cursor);
            }
            List<BackupManifest> toVerify = List.copyOf(chain);
            v = runtime.step("verify", "Replay the chain of " + m.backupId(), Verification.class, () -> kv.verify(toVerify));
          } else {
            v = runtime.step("verify", "Restore " + m.backupId() + " into a local SQLite file and check it",
                Verification.class, () -> backups.verify(m));
          }
          Verification verdict = v;
          runtime.step("record", "Record the verdict", BackupManifest.class,
              () -> backups.saveManifest(m.withVerification(verdict)));
          runtime.outcome("Backup " + m.backupId() + " verification " + v.status()
              + (v.reasons().isEmpty() ? "." : ": " + String.join("; ", v.reasons())));
          return v;
        });
  }
}
