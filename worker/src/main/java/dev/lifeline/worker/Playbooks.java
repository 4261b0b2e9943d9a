package dev.lifeline.worker;

import dev.lifeline.activities.assess.AssessmentActivitiesImpl;
import dev.lifeline.activities.backups.BackupActivitiesImpl;
import dev.lifeline.activities.backups.DrillActivitiesImpl;
import dev.lifeline.activities.backups.KvBackupActivitiesImpl;
import dev.lifeline.activities.backups.RestoreActivitiesImpl;
import dev.lifeline.activities.env.BackendSettings;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.notify.WebhookNotifier;
import dev.lifeline.activities.replication.R2ReplicationActivitiesImpl;
import dev.lifeline.worker.config.LifelineConfig;
import dev.lifeline.workflows.assess.CorruptionAssessmentImpl;
import dev.lifeline.workflows.backup.BackupCatalogImpl;
import dev.lifeline.workflows.backup.BackupKeyRotationImpl;
import dev.lifeline.workflows.backup.BackupRetentionImpl;
import dev.lifeline.workflows.backup.D1BackupImpl;
import dev.lifeline.workflows.backup.KvBackupImpl;
import dev.lifeline.workflows.backup.R2ReplicationImpl;
import dev.lifeline.workflows.backup.VerifyBackupImpl;
import dev.lifeline.workflows.drill.RecoveryDrillImpl;
import dev.lifeline.workflows.pitr.PointInTimeRestoreImpl;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Lifeline worker registers: every playbook workflow implementation and the activity
 * implementations they call, built from the configuration. One place, so the worker, the dev stack
 * and the tests register exactly the same things.
 */
public final class Playbooks {
  private Playbooks() {}

  /** Every playbook workflow implementation class. */
  public static List<Class<?>> workflowImplementations() {
    return List.of(
        D1BackupImpl.class,
        KvBackupImpl.class,
        R2ReplicationImpl.class,
        BackupRetentionImpl.class,
        VerifyBackupImpl.class,
        BackupCatalogImpl.class,
        BackupKeyRotationImpl.class,
        PointInTimeRestoreImpl.class,
        CorruptionAssessmentImpl.class,
        RecoveryDrillImpl.class);
  }

  /** The connections activities share, from {@code config}. */
  public static Backends backends(LifelineConfig config) {
    return new Backends(
        new BackendSettings(
            config.cloudflareApiBaseUrl(),
            config.cloudflareAccountId().orElse(null),
            config.cloudflareApiToken().orElse(null),
            config.r2Endpoint().orElse(null),
            config.s3Region(),
            config.r2AccessKeyId().orElse(null),
            config.r2SecretAccessKey().orElse(null),
            config.backupBucket().orElse(null),
            config.secondaryBucket().orElse(null),
            config.backupEncryptionKey().orElse(null),
            config.workDir(),
            config.previousBackupEncryptionKeys()));
  }

  /** The activity implementations, built from {@code config} on {@code backends}. */
  public static List<Object> activities(LifelineConfig config, Backends backends) {
    List<Object> activities = new ArrayList<>();
    activities.add(new WebhookNotifier(config.notifyWebhook()));
    activities.add(new BackupActivitiesImpl(backends));
    activities.add(new KvBackupActivitiesImpl(backends));
    activities.add(new R2ReplicationActivitiesImpl(backends));
    activities.add(new RestoreActivitiesImpl(backends));
    activities.add(new AssessmentActivitiesImpl(backends));
    activities.add(new DrillActivitiesImpl(backends));
    return activities;
  }
}
