package dev.lifeline.workflows.pitr;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.common.Target;
import java.util.List;

/**
 * A restore from backup.
 *
 * @param restoreId unique per restore; makes retries idempotent (same import file, same swap
 *     names)
 * @param target where to restore
 * @param chain the backup (D1, SQLite) or the KV chain, oldest first
 * @param kvMode for KV: replace, clear or skip-existing
 * @param keys for KV: only these keys, or null for all
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestoreRequest(
    String restoreId, Target target, List<BackupManifest> chain, String kvMode, List<String> keys) {}
