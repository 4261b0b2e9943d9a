package dev.lifeline.activities.backup;

/**
 * Receives {@link SqliteLoader} progress on the loading thread, for activity heartbeats. A
 * checkpoint is only reported once it is committed, so heartbeating it as the resume point is safe.
 */
public interface LoadProgressListener {
  /** Called about every {@link LoadOptions#progressEveryBytes()} of dump. */
  default void onProgress(LoadProgress progress) {}

  /** Called after each commit of a checkpointed load ({@link LoadOptions#checkpointEveryBytes()}). */
  default void onCheckpoint(LoadCheckpoint checkpoint) {}

  /** Ignores everything. */
  LoadProgressListener NONE = new LoadProgressListener() {};
}
