package dev.lifeline.activities.cloudflare;

import java.util.List;

/**
 * The outcome of a batched KV bulk write or delete.
 *
 * @param successfulKeyCount keys written or deleted, counted by the server across all batches
 * @param unsuccessfulKeys keys still failing after the configured re-sends; empty on full success
 * @param requests bulk requests sent, re-sends included
 */
public record KvBulkResult(long successfulKeyCount, List<String> unsuccessfulKeys, int requests) {
  public KvBulkResult {
    unsuccessfulKeys = List.copyOf(unsuccessfulKeys);
  }

  /** True when every key was accepted. */
  public boolean complete() {
    return unsuccessfulKeys.isEmpty();
  }
}
