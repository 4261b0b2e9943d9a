package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The polling object D1 answers for export and import jobs:
 * {@code {success, type, at_bookmark, status, messages, error?, result?}}.
 *
 * @param success the job's own success flag (false carries {@link #error()})
 * @param type {@code export} or {@code import}
 * @param atBookmark the bookmark the job runs at; constant for the job, used to poll it
 * @param status {@code active}, {@code complete} or {@code error}
 * @param messages progress since the previous poll, possibly out of order
 * @param error the failure text (spec form)
 * @param errors the failure texts (wrangler form)
 * @param result the outcome once complete: {@code {filename, signed_url}} for exports, {@code
 *     {final_bookmark, num_queries, meta}} for imports
 * @param filename for an import init that needs an upload: the target object name
 * @param uploadUrl for an import init that needs an upload: the presigned PUT URL
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record D1Job(
    Boolean success,
    String type,
    @JsonProperty("at_bookmark") String atBookmark,
    String status,
    List<String> messages,
    String error,
    List<String> errors,
    JsonNode result,
    String filename,
    @JsonProperty("upload_url") String uploadUrl) {

  public D1Job {
    messages = messages == null ? List.of() : messages;
    errors = errors == null ? List.of() : errors;
  }

  /** Still running: poll again. */
  public boolean isActive() {
    return "active".equalsIgnoreCase(status);
  }

  /** Finished successfully. */
  public boolean isComplete() {
    return "complete".equalsIgnoreCase(status) && !Boolean.FALSE.equals(success);
  }

  /** The failure text from whichever field D1 used, or a generic one. */
  public String failureText() {
    if (error != null && !error.isBlank()) {
      return error;
    }
    if (!errors.isEmpty()) {
      return String.join("; ", errors);
    }
    if (result != null && result.hasNonNull("error")) {
      return result.get("error").asText();
    }
    return "job ended with status " + status;
  }
}
