package dev.lifeline.workflows.backup;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Lists backups on behalf of clients that hold no storage credentials (the CLI): a short workflow
 * that runs the {@code ListBackups} activity on a worker and returns its answer.
 */
@WorkflowInterface
public interface BackupCatalog {
  /** The workflow type. */
  String TYPE = "BackupCatalog";

  /** The backups matching {@code query}, newest first. */
  @WorkflowMethod(name = TYPE)
  List<BackupManifest> list(BackupQuery query);
}
