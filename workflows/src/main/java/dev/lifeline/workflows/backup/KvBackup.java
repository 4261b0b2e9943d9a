package dev.lifeline.workflows.backup;

import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import dev.lifeline.workflows.playbook.PlaybookControl;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Backs up Workers KV namespaces, fully or incrementally (changed and deleted keys by value hash,
 * chained to a full backup), each verified by replaying its chain locally.
 */
@WorkflowInterface
public interface KvBackup extends PlaybookControl {
  /** The workflow type. */
  String TYPE = "KvBackup";

  /** Runs the backups; returns one verified manifest per namespace. */
  @WorkflowMethod(name = TYPE)
  List<BackupManifest> run(KvBackupInput input, PlaybookCheckpoint checkpoint);
}
