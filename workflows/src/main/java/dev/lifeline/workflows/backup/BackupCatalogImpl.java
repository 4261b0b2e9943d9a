package dev.lifeline.workflows.backup;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

/** The {@link BackupCatalog} workflow. */
public class BackupCatalogImpl implements BackupCatalog {
  private final BackupActivities backups =
      Workflow.newActivityStub(
          BackupActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofMinutes(5))
              .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(3).build())
              .build());

  @Override
  public List<BackupManifest> list(BackupQuery query) {
    return backups.list(query == null ? new BackupQuery(null, null, false, null) : query);
  }
}
