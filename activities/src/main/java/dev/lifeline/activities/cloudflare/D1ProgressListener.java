package dev.lifeline.activities.cloudflare;

/**
 * Receives progress of D1 export and import jobs. A Temporal activity heartbeats from here; an
 * unchecked exception thrown by the listener (for example an activity cancellation) stops the job
 * loop and propagates to the caller. Called on the thread running the job, at least once per poll
 * and about once per MiB transferred.
 */
@FunctionalInterface
public interface D1ProgressListener {
  /** Ignores all progress. */
  D1ProgressListener NONE = p -> {};

  void onProgress(D1Progress progress);
}
