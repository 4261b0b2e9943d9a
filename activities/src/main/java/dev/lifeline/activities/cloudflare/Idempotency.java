package dev.lifeline.activities.cloudflare;

/**
 * Whether repeating a request is harmless, which decides what the client may retry by itself.
 *
 * <p>After a timeout, a dropped connection or a 5xx answer the request may already have been
 * executed. Only {@link #IDEMPOTENT} calls are re-sent in that case. {@link #NON_IDEMPOTENT} calls
 * (a D1 write query, an import ingest, a Time Travel restore, a new deployment) are re-sent only
 * when the server certainly did not run them: HTTP 429, or a connection that was refused before
 * anything was sent.
 */
public enum Idempotency {
  /** Safe to repeat: reads, polls, PUTs of the same value, deletes. */
  IDEMPOTENT,
  /** Repeating could apply the change twice or lose an undo handle. */
  NON_IDEMPOTENT
}
