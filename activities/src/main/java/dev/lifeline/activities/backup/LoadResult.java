package dev.lifeline.activities.backup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What {@link SqliteLoader} loaded.
 *
 * @param database the SQLite file
 * @param statements statements executed (INSERTs count once however many rows they hold)
 * @param rows rows inserted
 * @param rowsPerTable rows inserted per table, in first-seen order (names as the dump wrote them)
 * @param dumpBytes bytes of dump read
 * @param elapsed wall time of the load (this call, for a resumed load)
 */
public record LoadResult(
    Path database,
    long statements,
    long rows,
    Map<String, Long> rowsPerTable,
    long dumpBytes,
    Duration elapsed) {}
