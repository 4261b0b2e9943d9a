package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Worker deployment: which versions serve what share of traffic.
 *
 * @param id deployment id
 * @param createdOn ISO-8601 creation time (sorts chronologically as text)
 * @param source who or what created it ({@code api}, {@code wrangler}, ...)
 * @param strategy {@code percentage}
 * @param authorEmail creator's e-mail, when reported
 * @param annotations {@code workers/message}, {@code workers/triggered_by}, ...
 * @param versions the versions and their percentages, summing to 100
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WorkerDeployment(
    String id,
    @JsonProperty("created_on") String createdOn,
    String source,
    String strategy,
    @JsonProperty("author_email") String authorEmail,
    Map<String, String> annotations,
    List<VersionShare> versions) {

  public WorkerDeployment {
    annotations = annotations == null ? Map.of() : annotations;
    versions = versions == null ? List.of() : versions;
  }

  /** One version's share of traffic. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record VersionShare(
      @JsonProperty("version_id") String versionId, double percentage) {}

  /** The version serving 100% of traffic, if this deployment has one. */
  public Optional<String> fullVersionId() {
    return versions.stream()
        .filter(v -> v.percentage() >= 100.0)
        .map(VersionShare::versionId)
        .findFirst();
  }
}
