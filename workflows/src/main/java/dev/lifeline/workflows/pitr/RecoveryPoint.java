package dev.lifeline.workflows.pitr;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A point a target can be restored to.
 *
 * @param method {@code backup} or {@code time-travel}
 * @param at the moment the data reflects
 * @param backupId the backup, for {@code backup}
 * @param bookmark the D1 Time Travel bookmark, for {@code time-travel}
 * @param description in words
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RecoveryPoint(String method, Instant at, String backupId, String bookmark, String description) {
  /** Method name for backups. */
  public static final String BACKUP = "backup";

  /** Method name for Time Travel. */
  public static final String TIME_TRAVEL = "time-travel";
}
