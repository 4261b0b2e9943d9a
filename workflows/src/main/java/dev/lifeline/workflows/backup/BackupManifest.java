package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything known about one backup, stored as {@code manifest.json} next to its data and
 * authenticated with an HMAC derived from the backup key (a tampered manifest fails to load). A
 * backup is usable only once {@link #verification()} has {@code status: PASSED}: it was restored
 * to a local SQLite file and checked.
 *
 * @param formatVersion manifest format, 1
 * @param backupId unique id, also the object prefix
 * @param kind {@code d1}, {@code sqlite} or {@code kv}
 * @param source the target label, e.g. {@code d1:monotask-production}
 * @param databaseId D1 database uuid, when a D1 backup
 * @param databaseName D1 database name, SQLite path or KV namespace title
 * @param createdAt when capture started (the recovery point is at or just before this)
 * @param completedAt when the data was stored
 * @param tier {@code daily}, {@code weekly}, {@code monthly}, {@code manual}, {@code pre-restore}, {@code drill}
 *     or {@code imported}
 * @param timeTravelBookmark the D1 Time Travel bookmark the export was taken at
 * @param exportMethod how the data was read ({@code d1-export}, {@code d1-query},
 *     {@code sqlite-backup-api}, {@code kv-list}, {@code imported-dump})
 * @param plaintextFormat {@code sql-dump}, {@code sqlite-file} or {@code kv-ndjson}
 * @param tables per-table row counts and schema at the source
 * @param skippedVirtualTables virtual tables not in the data, with their DDL, to rebuild on restore
 * @param data the stored data object
 * @param lossyPatches exact values the dump format loses, stored encrypted beside it (or null)
 * @param index for KV: the sorted key index (key and value hash per line), encrypted
 * @param lossy what the export would have lost, per column, and whether it was captured
 * @param verification the verdict of restoring and checking this backup
 * @param baseBackupId for KV incrementals: the full backup the chain starts from
 * @param parentBackupId for KV incrementals: the previous backup in the chain
 * @param keyCount for KV: keys in the namespace at capture
 * @param labels free-form labels (incident, trigger, schedule)
 * @param mac HMAC-SHA256 of the canonical manifest without this field, hex
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupManifest(
    int formatVersion,
    String backupId,
    String kind,
    String source,
    String databaseId,
    String databaseName,
    Instant createdAt,
    Instant completedAt,
    String tier,
    String timeTravelBookmark,
    String exportMethod,
    String plaintextFormat,
    List<TableManifest> tables,
    List<TableManifest> skippedVirtualTables,
    StoredObject data,
    StoredObject lossyPatches,
    StoredObject index,
    List<LossyColumn> lossy,
    Verification verification,
    String baseBackupId,
    String parentBackupId,
    Long keyCount,
    Map<String, String> labels,
    String mac) {

  /** The current manifest format. */
  public static final int FORMAT_VERSION = 1;

  /** Whether this backup passed verification and may be restored from. */
  public boolean usable() {
    return verification != null && verification.status() == Verification.Status.PASSED;
  }

  /** This manifest with {@code verification}. */
  public BackupManifest withVerification(Verification verification) {
    return new BackupManifest(formatVersion, backupId, kind, source, databaseId, databaseName, createdAt,
        completedAt, tier, timeTravelBookmark, exportMethod, plaintextFormat, tables, skippedVirtualTables,
        data, lossyPatches, index, lossy, verification, baseBackupId, parentBackupId, keyCount, labels, null);
  }

  /** This manifest with {@code mac}. */
  public BackupManifest withMac(String mac) {
    return new BackupManifest(formatVersion, backupId, kind, source, databaseId, databaseName, createdAt,
        completedAt, tier, timeTravelBookmark, exportMethod, plaintextFormat, tables, skippedVirtualTables,
        data, lossyPatches, index, lossy, verification, baseBackupId, parentBackupId, keyCount, labels, mac);
  }

  /** Total rows over all tables, as counted at the source. */
  public long totalRows() {
    return tables == null ? 0 : tables.stream().mapToLong(TableManifest::rows).sum();
  }

  /**
   * One table as it was at the source: the baseline schema drift and row counts are checked
   * against.
   *
   * @param name the table
   * @param rows row count at capture
   * @param schemaSql its {@code CREATE} statement
   * @param columns {@code name type} of each column, in order
   * @param indexes the {@code CREATE INDEX} statements of its explicit indexes
   * @param checksum the typeof-aware checksum of the captured rows, when capture could compute it
   *     (SQLite snapshots); verification must reproduce it
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TableManifest(
      String name, long rows, String schemaSql, List<String> columns, List<String> indexes, String checksum) {}

  /**
   * A stored object and how to read it back.
   *
   * @param key the object key in the backup bucket
   * @param storedBytes bytes stored
   * @param storedSha256 SHA-256 of the stored (compressed, encrypted) bytes
   * @param plaintextBytes bytes before compression and encryption
   * @param plaintextSha256 SHA-256 of the plaintext
   * @param compression e.g. {@code zstd-3}
   * @param encryption scheme, key id and the wrapped per-backup data key
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StoredObject(
      String key,
      long storedBytes,
      String storedSha256,
      long plaintextBytes,
      String plaintextSha256,
      String compression,
      Encryption encryption) {}

  /**
   * How an object is encrypted: the scheme, the id of the key that wraps the data key (a
   * fingerprint, never the key), and the wrapped data key itself (ciphertext).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Encryption(String scheme, String keyId, String wrappedKey) {}

  /**
   * Values in one column the dump format would lose.
   *
   * @param table the table
   * @param column the column
   * @param problem {@code integer-beyond-2^53} or {@code text-with-backslash-n-and-newline}
   * @param rows rows affected
   * @param captured whether the exact values were captured in {@link #lossyPatches()}
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LossyColumn(String table, String column, String problem, long rows, boolean captured) {}
}
