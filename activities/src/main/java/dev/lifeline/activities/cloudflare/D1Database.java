package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A D1 database as the API describes it. Fields the answer did not include are null (list answers
 * carry fewer fields than get).
 *
 * @param uuid the database id
 * @param name the database name
 * @param createdAt ISO-8601 creation time, as sent
 * @param version {@code alpha}, {@code beta} or {@code production}; Time Travel needs production
 * @param jurisdiction {@code eu}, {@code fedramp}, ... or null
 * @param numTables number of tables (get only)
 * @param fileSize size in bytes (get only)
 * @param runningInRegion where the primary runs (get only)
 * @param readReplication read replication settings (get only)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record D1Database(
    String uuid,
    String name,
    @JsonProperty("created_at") String createdAt,
    String version,
    String jurisdiction,
    @JsonProperty("num_tables") Integer numTables,
    @JsonProperty("file_size") Long fileSize,
    @JsonProperty("running_in_region") String runningInRegion,
    @JsonProperty("read_replication") ReadReplication readReplication) {

  /** {@code {"mode": "auto"|"disabled"}}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ReadReplication(String mode) {}

  /** Whether Time Travel is available (it is not for {@code alpha} databases). */
  public boolean supportsTimeTravel() {
    return version == null || !"alpha".equalsIgnoreCase(version);
  }
}
