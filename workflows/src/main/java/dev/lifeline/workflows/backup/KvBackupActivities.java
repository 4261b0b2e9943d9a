package dev.lifeline.workflows.backup;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** Workers KV backups: capture a namespace fully or incrementally, and verify a chain. */
@ActivityInterface
public interface KvBackupActivities {
  /**
   * Lists every key of the namespace (cursor pagination), reads values with metadata and
   * expiration (bulk get for text, single reads for binary values), and stores them as encrypted,
   * compressed NDJSON with a sorted key index. Incremental mode compares each value's hash with
   * the parent backup's index (KV has no change feed, so every value is read) and stores only puts
   * for new or changed keys and deletes for removed ones. Heartbeats with the listing cursor.
   * Idempotent per backup id.
   *
   * @return the manifest of the stored backup, not yet verified
   */
  @ActivityMethod(name = "CaptureKvBackup")
  BackupManifest capture(KvCaptureRequest request);

  /**
   * Verifies a chain (a full backup followed by its incrementals, oldest first) by replaying it
   * into a local SQLite table: checksums before decryption, decryption, every record parsed, and
   * the replayed key set matching the last backup's index and key count. Read-only; idempotent.
   */
  @ActivityMethod(name = "VerifyKvBackup")
  Verification verify(List<BackupManifest> chain);
}
