/**
 * The backup library under the backup and restore playbooks: Temporal-free, streaming, and
 * verifiable. Activities call it; it calls only the {@link dev.lifeline.activities.s3.ObjectStore},
 * {@link dev.lifeline.activities.crypto.BackupKeys} and SQLite.
 *
 * <ul>
 *   <li>{@link dev.lifeline.activities.backup.BackupWriter}: plaintext → SHA-256 → zstd → Tink
 *       streaming AEAD → SHA-256 → multipart upload, stages overlapped on both cores, returning a
 *       {@link dev.lifeline.activities.backup.BackupObject} for the manifest.
 *   <li>{@link dev.lifeline.activities.backup.BackupReader}: verify-then-use; stored size and
 *       SHA-256 are checked before anything is decrypted, the plaintext's at its end ({@link
 *       dev.lifeline.activities.backup.VerifiedPlaintext}).
 *   <li>{@link dev.lifeline.activities.backup.DumpParser}: SQL dumps (both wrangler INSERT styles,
 *       {@code sqlite3 .dump}) into statements and typed {@link
 *       dev.lifeline.activities.backup.SqlValue}s, in constant memory.
 *   <li>{@link dev.lifeline.activities.backup.SqliteLoader}: a dump into a new SQLite file, fast and
 *       type-exact, with progress and resumable checkpoints.
 *   <li>{@link dev.lifeline.activities.backup.DatabaseCensus}: row counts, schema, typeof-aware
 *       checksums, integrity and foreign key checks of a SQLite file; equal censuses mean equal
 *       data.
 *   <li>{@link dev.lifeline.activities.backup.LossyExportDetector} and {@link
 *       dev.lifeline.activities.backup.LossyPatchSet}: the values D1's exporter loses, found and
 *       captured exactly through D1's query API and written back after a restore.
 * </ul>
 *
 * <p>Failures are typed: {@link dev.lifeline.activities.backup.BackupPipelineException} (names the
 * stage), {@link dev.lifeline.activities.crypto.BackupIntegrityException} (never retryable: stop
 * before touching a target), {@link dev.lifeline.activities.backup.DumpFormatException} and {@link
 * dev.lifeline.activities.backup.DumpLoadException} (name the dump line, never values).
 */
package dev.lifeline.activities.backup;
