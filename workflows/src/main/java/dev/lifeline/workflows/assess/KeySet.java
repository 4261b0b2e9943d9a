package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A counted set of keys (KV keys, object keys), listed in key order up to a limit.
 *
 * @param count how many there are
 * @param keys the first of them, in key order
 * @param complete whether {@code keys} lists every one
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KeySet(long count, List<String> keys, boolean complete) {
  /** The empty set. */
  public static KeySet empty() {
    return new KeySet(0, List.of(), true);
  }

  /** Whether there are none. */
  public boolean isEmpty() {
    return count == 0;
  }
}
