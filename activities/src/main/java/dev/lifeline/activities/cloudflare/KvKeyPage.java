package dev.lifeline.activities.cloudflare;

import java.util.List;

/**
 * One page of a KV key listing, for callers that checkpoint the cursor (a heartbeating activity
 * resumes from {@link #cursor()}).
 *
 * @param keys the keys on this page
 * @param cursor the cursor for the next page, or null when this was the last one
 */
public record KvKeyPage(List<KvKey> keys, String cursor) {
  public KvKeyPage {
    keys = List.copyOf(keys);
  }

  /** True when more pages follow. */
  public boolean hasMore() {
    return cursor != null;
  }
}
