package dev.lifeline.activities.backup;

/**
 * How {@link SqliteLoader} loads a dump. Immutable; start from {@link #defaults()}.
 *
 * @param batchRows rows per JDBC batch of one prepared INSERT
 * @param cacheMebibytes SQLite page cache while loading (bounded: memory does not grow with the
 *     database)
 * @param deferIndexes create plain (non-UNIQUE) indexes after the data, where the dump would
 *     create them before it: building an index once is faster than maintaining it per row, and
 *     the result is the same
 * @param progressEveryBytes spacing of {@link LoadProgressListener#onProgress} calls
 * @param checkpointEveryBytes 0 loads in one transaction with SQLite's journal off (fastest; a
 *     crash leaves a file to delete). Positive: the load commits about every that many dump bytes
 *     in WAL mode and reports each commit as a {@link LoadCheckpoint}, from which {@link
 *     SqliteLoader#resume} continues after a crash (survives a process crash, not a power loss)
 * @param parseAhead parse the dump on a second thread while SQLite inserts on the caller's, with
 *     a small bounded queue between them
 * @param maxStatementBytes the largest single statement accepted
 */
public record LoadOptions(
    int batchRows,
    int cacheMebibytes,
    boolean deferIndexes,
    long progressEveryBytes,
    long checkpointEveryBytes,
    boolean parseAhead,
    int maxStatementBytes) {

  public LoadOptions {
    if (batchRows < 1 || batchRows > 100_000) {
      throw new IllegalArgumentException("batchRows must be 1..100000");
    }
    if (cacheMebibytes < 1 || cacheMebibytes > 4096) {
      throw new IllegalArgumentException("cacheMebibytes must be 1..4096");
    }
    if (progressEveryBytes < 1 || checkpointEveryBytes < 0) {
      throw new IllegalArgumentException("progressEveryBytes must be positive, checkpointEveryBytes >= 0");
    }
  }

  /**
   * Batches of 1,000 rows, a 64 MiB page cache, deferred plain indexes, progress every 16 MiB, one
   * transaction (no checkpoints), parse-ahead on a second thread.
   */
  public static LoadOptions defaults() {
    return new LoadOptions(1000, 64, true, 16L << 20, 0, true, DumpParser.DEFAULT_MAX_STATEMENT_BYTES);
  }

  /** Commits and reports a checkpoint about every {@code bytes} of dump (WAL mode). */
  public LoadOptions withCheckpointEvery(long bytes) {
    return new LoadOptions(batchRows, cacheMebibytes, deferIndexes, progressEveryBytes, bytes,
        parseAhead, maxStatementBytes);
  }

  public LoadOptions withProgressEvery(long bytes) {
    return new LoadOptions(batchRows, cacheMebibytes, deferIndexes, bytes, checkpointEveryBytes,
        parseAhead, maxStatementBytes);
  }

  public LoadOptions withParseAhead(boolean on) {
    return new LoadOptions(batchRows, cacheMebibytes, deferIndexes, progressEveryBytes,
        checkpointEveryBytes, on, maxStatementBytes);
  }

  public LoadOptions withDeferIndexes(boolean on) {
    return new LoadOptions(batchRows, cacheMebibytes, on, progressEveryBytes, checkpointEveryBytes,
        parseAhead, maxStatementBytes);
  }
}
