package dev.lifeline.workflows.pitr;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * Everything a target can be restored to right now.
 *
 * @param target the target label
 * @param timeTravelAvailable whether D1 Time Travel can restore this target
 * @param timeTravelReason why not, when it cannot
 * @param timeTravelEarliest the oldest moment Time Travel reaches
 * @param timeTravelLatest now, as the server sees it
 * @param currentBookmark the bookmark of the current state
 * @param backups verified backups, newest first
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RecoveryWindow(
    String target,
    boolean timeTravelAvailable,
    String timeTravelReason,
    Instant timeTravelEarliest,
    Instant timeTravelLatest,
    String currentBookmark,
    List<BackupPoint> backups) {

  /**
   * A verified backup as a recovery point.
   *
   * @param backupId the backup
   * @param at when it was taken
   * @param tier its tier
   * @param rows rows at the source
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record BackupPoint(String backupId, Instant at, String tier, long rows) {}
}
