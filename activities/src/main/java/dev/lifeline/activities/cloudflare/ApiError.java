package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One entry of the envelope's {@code errors} or {@code messages} array: {@code {code, message}}.
 *
 * <p>Mapped leniently: unknown fields are ignored, a missing code is 0, and nested
 * {@code error_chain} entries are kept so that the root cause is not lost.
 *
 * @param code Cloudflare error code (for example 7500 for a D1 SQL error), or 0 when absent
 * @param message the human-readable text; for D1 SQL errors it is SQLite's own message
 * @param documentationUrl a link Cloudflare sometimes adds, or null
 * @param errorChain nested causes, possibly empty
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiError(
    int code,
    String message,
    @JsonProperty("documentation_url") String documentationUrl,
    @JsonProperty("error_chain") List<ApiError> errorChain) {

  public ApiError {
    message = message == null ? "" : message;
    errorChain = errorChain == null ? List.of() : List.copyOf(errorChain);
  }

  /** An error with only a code and a message. */
  public static ApiError of(int code, String message) {
    return new ApiError(code, message, null, List.of());
  }

  @Override
  public String toString() {
    return code == 0 ? message : message + " [code " + code + "]";
  }
}
