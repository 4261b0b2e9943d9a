package dev.lifeline.workflows.catalog;

import dev.lifeline.workflows.assess.AssessmentInput;
import dev.lifeline.workflows.assess.CorruptionAssessment;
import dev.lifeline.workflows.backup.BackupRetention;
import dev.lifeline.workflows.backup.BackupRetentionInput;
import dev.lifeline.workflows.backup.D1Backup;
import dev.lifeline.workflows.backup.D1BackupInput;
import dev.lifeline.workflows.backup.KvBackup;
import dev.lifeline.workflows.backup.KvBackupInput;
import dev.lifeline.workflows.backup.R2Replication;
import dev.lifeline.workflows.backup.R2ReplicationInput;
import dev.lifeline.workflows.backup.VerifyBackup;
import dev.lifeline.workflows.backup.VerifyBackupInput;
import dev.lifeline.workflows.drill.DrillInput;
import dev.lifeline.workflows.drill.RecoveryDrill;
import dev.lifeline.workflows.pitr.PitrInput;
import dev.lifeline.workflows.pitr.PointInTimeRestore;
import java.util.List;

/** The playbooks Lifeline ships. */
public final class LifelinePlaybooks implements PlaybookProvider {
  @Override
  public List<PlaybookDescriptor> playbooks() {
    return List.of(
        new PlaybookDescriptor("assess", CorruptionAssessment.TYPE, AssessmentInput.class,
            "Assess corruption (read-only): scope, impact, severity, root-cause hints and the playbook to run next.",
            List.of("assessment", "corruption-assessment")),
        new PlaybookDescriptor("pitr", PointInTimeRestore.TYPE, PitrInput.class,
            "Restore D1, SQLite or KV to a verified backup or a Time Travel bookmark, with a safety point and undo.",
            List.of("restore", "point-in-time-restore")),
        new PlaybookDescriptor("drill", RecoveryDrill.TYPE, DrillInput.class,
            "Monthly recovery drill on scratch copies: back up, damage, assess, restore; RTO/RPO report.",
            List.of("recovery-drill")),
        new PlaybookDescriptor("backup-d1", D1Backup.TYPE, D1BackupInput.class,
            "Back up a D1 database or SQLite file: encrypted, compressed, verified by restoring.",
            List.of("d1-backup")),
        new PlaybookDescriptor("backup-kv", KvBackup.TYPE, KvBackupInput.class,
            "Back up KV namespaces, full or incremental, verified by replaying the chain.",
            List.of("kv-backup")),
        new PlaybookDescriptor("replicate-r2", R2Replication.TYPE, R2ReplicationInput.class,
            "Copy R2 buckets to the secondary bucket; report lag, missing objects, checksum mismatches.",
            List.of("r2-replication", "backup-r2")),
        new PlaybookDescriptor("retention", BackupRetention.TYPE, BackupRetentionInput.class,
            "Prune backups by tier (daily 30d, weekly 90d, monthly 1y) via the trash; dryRun lists.",
            List.of("backup-retention")),
        new PlaybookDescriptor("verify-backup", VerifyBackup.TYPE, VerifyBackupInput.class,
            "Verify an existing backup again by restoring it locally; record the verdict.",
            List.of()));
  }
}
