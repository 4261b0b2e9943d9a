package dev.lifeline.workflows.pitr;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a restore did.
 *
 * @param method {@code d1-import}, {@code d1-time-travel}, {@code sqlite-swap} or {@code kv-bulk}
 * @param items statements imported, or keys written
 * @param deleted keys deleted (KV clear mode)
 * @param bookmark the D1 bookmark right after the restore
 * @param previousBookmark the D1 bookmark right before it (restoring it undoes the restore)
 * @param preservedOriginal for SQLite: where the replaced file was kept
 * @param detail one line, in words
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestoreOutcome(
    String method,
    long items,
    long deleted,
    String bookmark,
    String previousBookmark,
    String preservedOriginal,
    String detail) {}
