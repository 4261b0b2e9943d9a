package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer to a D1 Time Travel restore.
 *
 * @param bookmark the database state after the restore
 * @param previousBookmark the state just before the restore: the undo handle; restoring to it
 *     reverses this restore. Record it before anything else happens.
 * @param message D1's human-readable note
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TimeTravelRestoreResult(
    String bookmark,
    @JsonProperty("previous_bookmark") String previousBookmark,
    String message) {}
