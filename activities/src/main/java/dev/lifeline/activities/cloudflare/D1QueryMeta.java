package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code meta} D1 returns per statement. Absent fields are null.
 *
 * @param changedDb whether the statement changed the database
 * @param changes rows changed
 * @param duration milliseconds spent
 * @param lastRowId rowid of the last insert
 * @param rowsRead rows read
 * @param rowsWritten rows written
 * @param sizeAfter database size in bytes afterwards
 * @param servedByRegion region that served it (WNAM, ENAM, ...)
 * @param servedByPrimary whether the primary served it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record D1QueryMeta(
    @JsonProperty("changed_db") Boolean changedDb,
    Long changes,
    Double duration,
    @JsonProperty("last_row_id") Long lastRowId,
    @JsonProperty("rows_read") Long rowsRead,
    @JsonProperty("rows_written") Long rowsWritten,
    @JsonProperty("size_after") Long sizeAfter,
    @JsonProperty("served_by_region") String servedByRegion,
    @JsonProperty("served_by_primary") Boolean servedByPrimary) {}
