package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The envelope's {@code result_info}, present on list operations; fields a style does not use are
 * null. Page-based lists fill {@code page/perPage/count/totalCount}; cursor-based ones fill
 * {@code cursor} (and {@code count} or {@code perPage}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResultInfo(
    Integer page,
    @JsonProperty("per_page") Integer perPage,
    Integer count,
    @JsonProperty("total_count") Integer totalCount,
    @JsonProperty("total_pages") Integer totalPages,
    String cursor) {

  /** True when a cursor-paginated list has more pages: the cursor is present and non-empty. */
  public boolean hasNextCursor() {
    return cursor != null && !cursor.isEmpty();
  }
}
