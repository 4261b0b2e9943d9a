package dev.lifeline.workflows.backup;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * The backup store as the playbooks see it: capture a D1 database or SQLite file into an
 * encrypted, compressed backup; verify a backup by restoring it locally; record and read
 * manifests. Implementations hold the credentials; nothing secret crosses this interface (the
 * per-backup data key travels only wrapped by the backup key).
 */
@ActivityInterface
public interface BackupActivities {
  /**
   * Reads the target (D1 export, or SQLite's online backup API), detects and captures values the
   * dump format would lose, then streams it through compression and encryption into the backup
   * bucket. Heartbeats its progress. Idempotent per {@code backupId}: a retry starts over and
   * overwrites the same objects; a D1 export it started is never left running.
   *
   * @return the manifest of the stored backup, not yet verified
   */
  @ActivityMethod(name = "CaptureBackup")
  BackupManifest capture(CaptureRequest request);

  /**
   * Verifies a backup by restoring it: downloads and checks the SHA-256 before decrypting,
   * decrypts, loads into a local SQLite file, applies captured lossy values, runs integrity and
   * foreign-key checks and compares row counts (and, when recorded, checksums) with the manifest.
   * Read-only with respect to the source and the bucket; idempotent.
   */
  @ActivityMethod(name = "VerifyBackup")
  Verification verify(BackupManifest manifest);

  /**
   * Writes {@code manifest.json} for the backup, authenticated with the backup key's MAC.
   * Idempotent: writing the same manifest again replaces it.
   *
   * @return the manifest as stored (with its MAC)
   */
  @ActivityMethod(name = "SaveManifest")
  BackupManifest saveManifest(BackupManifest manifest);

  /**
   * Lists backups matching {@code query}, newest first. Manifests whose MAC does not verify are
   * left out (and logged): they are not trusted. Read-only.
   */
  @ActivityMethod(name = "ListBackups")
  List<BackupManifest> list(BackupQuery query);

  /** Reads one manifest by backup id, checking its MAC. Read-only. */
  @ActivityMethod(name = "GetBackup")
  BackupManifest get(String backupId);

  /**
   * Moves a backup's objects to {@code trash/} (server-side copy, then delete), where they stay
   * until {@link #purgeTrash} removes them: the undo handle of retention. Idempotent: a backup
   * already in the trash is left there.
   *
   * @return what was moved, in words
   */
  @ActivityMethod(name = "TrashBackup")
  String trash(String backupId);

  /** Moves a trashed backup back. Idempotent. Returns what was restored, in words. */
  @ActivityMethod(name = "RestoreTrashedBackup")
  String untrash(String backupId);

  /**
   * Deletes trashed backups older than {@code olderThanDays} for good. Idempotent.
   *
   * @return the backup ids purged
   */
  @ActivityMethod(name = "PurgeTrash")
  List<String> purgeTrash(int olderThanDays);

  /**
   * Key rotation: for every manifest in the backup bucket (every kind, usable or not, live or
   * trashed), re-wraps the data key of each stored object from the previous key that wrapped it
   * ({@code BACKUP_ENCRYPTION_KEY_PREVIOUS}) to the current one ({@code BACKUP_ENCRYPTION_KEY}) and
   * saves the manifest authenticated with the current key. The encrypted data objects are never
   * read or written. Heartbeats once per manifest.
   *
   * <p>Idempotent, and that is its checkpoint: a manifest already under the current key is left
   * alone, so a retry or a second run only does what is left (a retry counts manifests its failed
   * attempt finished as already current). A manifest that cannot be rotated (its MAC verifies under
   * no configured key, a key it needs is not configured, a wrapped key does not open) is left
   * unchanged and reported; the others still rotate.
   */
  @ActivityMethod(name = "RotateBackupKeys")
  KeyRotationReport rotateKeys(KeyRotationInput input);
}
