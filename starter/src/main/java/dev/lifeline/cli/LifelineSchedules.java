package dev.lifeline.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeline.workflows.catalog.PlaybookCatalog;
import java.util.ArrayList;
import java.util.List;

/**
 * The recurring jobs of the backup and recovery system, as the runbook sets them: D1 daily at
 * 02:00 UTC, KV hourly, R2 replication every 15 minutes, retention daily, the recovery drill on
 * the 1st of each month. Each is a workflow type, a cron expression (UTC) and its input.
 */
final class LifelineSchedules {
  /** One recurring job. */
  record Definition(String id, String workflowType, String cron, String description, ObjectNode input) {}

  private LifelineSchedules() {}

  /**
   * The definitions for the given settings; jobs whose input cannot be built (no database, no
   * namespaces) are left out and named in {@code skipped}.
   */
  static List<Definition> definitions(
      String database, List<String> kvNamespaces, List<String> r2Buckets, PlaybookCatalog catalog,
      List<String> skipped) {
    List<Definition> out = new ArrayList<>();
    if (database != null && !database.isBlank()) {
      ObjectNode in = base();
      in.put("database", database);
      in.put("tier", "daily");
      out.add(new Definition("lifeline-backup-d1", "D1Backup", "0 2 * * *",
          "D1 backup of " + database + ", daily at 02:00 UTC", in));
    } else {
      skipped.add("lifeline-backup-d1 (no database: pass --database or set D1_DATABASE_NAME)");
    }
    if (kvNamespaces != null && !kvNamespaces.isEmpty()) {
      ObjectNode in = base();
      var ns = in.putArray("namespaces");
      kvNamespaces.forEach(ns::add);
      in.put("mode", "auto");
      in.put("tier", "daily");
      out.add(new Definition("lifeline-backup-kv", "KvBackup", "0 * * * *",
          "KV backup of " + String.join(", ", kvNamespaces) + ", hourly (incremental, full every 24)", in));
    } else {
      skipped.add("lifeline-backup-kv (no namespaces: pass --kv-namespace or set LIFELINE_KV_NAMESPACES)");
    }
    ObjectNode r2 = base();
    if (r2Buckets != null && !r2Buckets.isEmpty()) {
      var b = r2.putArray("buckets");
      r2Buckets.forEach(b::add);
    }
    r2.put("verify", "sample");
    out.add(new Definition("lifeline-replicate-r2", "R2Replication", "*/15 * * * *",
        "R2 replication to the secondary bucket, every 15 minutes", r2));
    ObjectNode retention = base();
    retention.put("separationOfDuties", false);
    retention.putArray("autoApprove").add("delete");
    out.add(new Definition("lifeline-retention", "BackupRetention", "0 3 * * *",
        "Backup retention (daily 30d, weekly 90d, monthly 1y), daily at 03:00 UTC;"
            + " deletions auto-approved by this recorded policy, undoable from the trash", retention));
    boolean hasDb = database != null && !database.isBlank();
    boolean hasKv = kvNamespaces != null && !kvNamespaces.isEmpty();
    if (catalog.find("RecoveryDrill").isEmpty()) {
      skipped.add("lifeline-recovery-drill (this build has no RecoveryDrill playbook)");
    } else if (!hasDb && !hasKv) {
      skipped.add("lifeline-recovery-drill (nothing to drill: no database and no KV namespace)");
    } else {
      ObjectNode drill = base();
      drill.put("separationOfDuties", false);
      drill.putArray("autoApprove").add("*");
      var components = drill.putArray("components");
      if (hasDb) {
        components.add("d1");
        drill.put("database", database);
      }
      if (hasKv) {
        components.add("kv");
        drill.put("kvNamespace", kvNamespaces.get(0));
      }
      out.add(new Definition("lifeline-recovery-drill", "RecoveryDrill", "0 4 1 * *",
          "Recovery drill on scratch copies on the 1st of each month at 04:00 UTC (its one gate auto-approved by"
              + " this recorded policy)", drill));
    }
    return out;
  }

  private static ObjectNode base() {
    ObjectNode in = Json.MAPPER.createObjectNode();
    in.put("initiatedBy", "schedule");
    return in;
  }
}
