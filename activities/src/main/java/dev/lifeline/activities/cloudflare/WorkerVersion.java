package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A Worker version (uploaded code plus configuration). List answers carry id, number and metadata;
 * a single get also carries annotations and resources.
 *
 * @param id version id
 * @param number sequential version number
 * @param metadata {@code author_email, author_id, created_on, modified_on, source}
 * @param annotations {@code workers/message}, {@code workers/tag}, ... or empty
 * @param resources bindings, script and runtime settings (get only), as JSON
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WorkerVersion(
    String id,
    Long number,
    Metadata metadata,
    Map<String, String> annotations,
    JsonNode resources) {

  public WorkerVersion {
    annotations = annotations == null ? Map.of() : annotations;
  }

  /** Who created the version and when. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Metadata(
      @JsonProperty("author_email") String authorEmail,
      @JsonProperty("author_id") String authorId,
      @JsonProperty("created_on") String createdOn,
      @JsonProperty("modified_on") String modifiedOn,
      String source) {}
}
