package dev.lifeline.activities.cloudflare;

import java.util.List;

/**
 * A progress report from a long D1 job, for heartbeats and status screens.
 *
 * @param phase what is happening
 * @param messages D1's progress messages since the previous report (possibly empty)
 * @param bytesTransferred bytes downloaded or uploaded so far in this phase
 * @param totalBytes bytes expected in this phase, or -1 when unknown
 * @param atBookmark the job's bookmark, when known (resumable handle for an export poll)
 */
public record D1Progress(
    Phase phase, List<String> messages, long bytesTransferred, long totalBytes, String atBookmark) {

  public D1Progress {
    messages = messages == null ? List.of() : List.copyOf(messages);
  }

  /** Phases of export and import jobs. */
  public enum Phase {
    /** D1 is writing the dump. */
    EXPORTING,
    /** The dump is being downloaded from its signed URL. */
    DOWNLOADING,
    /** The SQL file is being hashed and uploaded. */
    UPLOADING,
    /** D1 is executing the uploaded SQL. */
    IMPORTING
  }
}
