package dev.lifeline.activities.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * A committed point of a checkpointed load, from which {@link SqliteLoader#resume} continues: put
 * it in the activity's heartbeat details. Small: positions, counts and the deferred index
 * statements (the schema's plain indexes, not data).
 *
 * @param position the first statement not yet loaded
 * @param rowsPerTable rows committed per table; checked against the file before resuming, so a
 *     file that does not match the checkpoint is refused instead of silently completed
 * @param deferredIndexSql plain CREATE INDEX statements seen but not yet executed
 * @param inTransactionBlock whether the dump had opened a {@code BEGIN} not yet closed
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LoadCheckpoint(
    DumpPosition position,
    Map<String, Long> rowsPerTable,
    List<String> deferredIndexSql,
    boolean inTransactionBlock) {
  public LoadCheckpoint {
    rowsPerTable = Map.copyOf(rowsPerTable);
    deferredIndexSql = List.copyOf(deferredIndexSql);
  }
}
