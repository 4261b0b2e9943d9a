package dev.lifeline.workflows.backup;

import dev.lifeline.workflows.playbook.AbstractPlaybook;
import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import io.temporal.workflow.WorkflowInit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The {@link R2Replication} workflow. */
public class R2ReplicationImpl extends AbstractPlaybook implements R2Replication {
  private final R2ReplicationActivities r2 = BackupActivityStubs.r2();

  /** Creates the runtime before any handler runs. */
  @WorkflowInit
  public R2ReplicationImpl(R2ReplicationInput input, PlaybookCheckpoint checkpoint) {
    super(TYPE, input, checkpoint);
  }

  @Override
  public List<ReplicationReport> run(R2ReplicationInput input, PlaybookCheckpoint checkpoint) {
    return runtime.execute(
        () -> {
          List<String> buckets =
              input.buckets() != null && !input.buckets().isEmpty()
                  ? input.buckets()
                  : Arrays.asList(runtime.step("buckets", "List the buckets to replicate", String[].class,
                      () -> r2.replicableBuckets().toArray(new String[0])));
          List<ReplicationReport> reports = new ArrayList<>();
          int i = 0;
          for (String bucket : buckets) {
            runtime.progress(i++, buckets.size(), "buckets", bucket);
            ReplicationRequest request =
                new ReplicationRequest(bucket, input.secondaryBucket(), Boolean.TRUE.equals(input.deleteExtraneous()),
                    input.verifyOrDefault(), input.samplePercent() == null ? 10 : input.samplePercent());
            ReplicationReport r =
                runtime.step("replicate-" + bucket, "Replicate " + bucket, ReplicationReport.class,
                    () -> r2.replicate(request));
            reports.add(r);
            for (String key : r.checksumMismatches()) {
              runtime.finding("high", "r2-checksum-mismatch",
                  bucket + "/" + key + " no longer matches its recorded SHA-256; the secondary copy was kept");
            }
            if (r.extraneous() > 0 && !Boolean.TRUE.equals(input.deleteExtraneous())) {
              runtime.warn(r.extraneous() + " object(s) in " + r.secondaryBucket() + "/" + bucket
                  + "/ have no primary; kept (deleteExtraneous is off)");
            }
            if (r.lagSeconds() > 2 * 3600) {
              runtime.warn("replication lag of " + bucket + " was " + r.lagSeconds() / 60
                  + " minutes (alert threshold: 2 hours)");
            }
          }
          long copied = reports.stream().mapToLong(ReplicationReport::copied).sum();
          long mismatches = reports.stream().mapToLong(r -> r.checksumMismatches().size()).sum();
          runtime.outcome("Replicated " + reports.size() + " bucket(s): " + copied + " object(s) copied, "
              + mismatches + " checksum mismatch(es).");
          return reports;
        });
  }
}
