package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The result of one statement from D1's {@code raw} endpoint: column names once, rows as arrays.
 * Cheaper than {@link D1QueryResult} for wide or long results and keeps duplicate column names.
 *
 * @param success D1's per-statement success flag
 * @param results columns and rows
 * @param meta statement statistics
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record D1RawResult(boolean success, Rows results, D1QueryMeta meta) {
  public D1RawResult {
    results = results == null ? new Rows(List.of(), List.of()) : results;
  }

  /** Column names and row arrays, in the same order. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Rows(List<String> columns, List<List<Object>> rows) {
    public Rows {
      columns = columns == null ? List.of() : columns;
      rows = rows == null ? List.of() : rows;
    }
  }
}
