package dev.lifeline.activities.backup;

/**
 * How far a load has come.
 *
 * @param position the next statement to execute (not necessarily committed; see {@link
 *     LoadCheckpoint} for a resumable one)
 * @param rowsLoaded rows inserted so far
 */
public record LoadProgress(DumpPosition position, long rowsLoaded) {}
