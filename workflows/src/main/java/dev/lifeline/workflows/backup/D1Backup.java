package dev.lifeline.workflows.backup;

import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import dev.lifeline.workflows.playbook.PlaybookControl;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Backs up a D1 database (or a plain SQLite file): export, detect and capture the values the dump
 * format loses, compress, encrypt with a fresh data key, upload, record the manifest, then verify
 * by restoring to a local SQLite file. The backup is listed as usable only once verified.
 */
@WorkflowInterface
public interface D1Backup extends PlaybookControl {
  /** The workflow type. */
  String TYPE = "D1Backup";

  /** Runs the backup; returns its verified manifest. */
  @WorkflowMethod(name = TYPE)
  BackupManifest run(D1BackupInput input, PlaybookCheckpoint checkpoint);
}
