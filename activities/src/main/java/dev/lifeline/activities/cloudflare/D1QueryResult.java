package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * The result of one statement from D1's {@code query} endpoint: rows as column-name maps.
 *
 * <p>Cell values are what JSON gives: {@code String}, {@code Integer}/{@code Long}/{@code Double},
 * {@code Boolean} or null. How D1 encodes BLOBs in JSON is not documented; use exports for BLOB
 * data.
 *
 * @param success D1's per-statement success flag
 * @param results the rows, in order; empty for statements without rows
 * @param meta statement statistics
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record D1QueryResult(boolean success, List<Map<String, Object>> results, D1QueryMeta meta) {
  public D1QueryResult {
    results = results == null ? List.of() : results;
  }
}
