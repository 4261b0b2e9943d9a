package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * The verdict of verifying a backup by restoring it: downloaded, checksum checked, decrypted,
 * loaded into a local SQLite file, {@code integrity_check} and {@code foreign_key_check} run, row
 * counts and typeof-aware checksums compared.
 *
 * @param status PENDING (not verified yet), PASSED or FAILED
 * @param verifiedAt when
 * @param reasons why it failed (empty when passed); warnings when passed
 * @param integrityCheck the first lines of {@code PRAGMA integrity_check} ({@code ok} when sound)
 * @param foreignKeyViolations rows reported by {@code PRAGMA foreign_key_check}
 * @param tables per-table census of the restored copy
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Verification(
    Status status,
    Instant verifiedAt,
    List<String> reasons,
    String integrityCheck,
    long foreignKeyViolations,
    List<TableCensus> tables) {

  /** Verification status. */
  public enum Status {
    PENDING,
    PASSED,
    FAILED
  }

  /** Not verified yet. */
  public static Verification pending() {
    return new Verification(Status.PENDING, null, List.of(), null, 0, List.of());
  }

  /**
   * One table of the restored copy.
   *
   * @param name table
   * @param rows row count
   * @param checksum typeof-aware SHA-256 over the rows (INTEGER 1, REAL 1.0 and TEXT '1' differ)
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TableCensus(String name, long rows, String checksum) {}
}
