package dev.lifeline.workflows.backup;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** R2 replication: keep a copy of each data bucket in the secondary bucket. */
@ActivityInterface
public interface R2ReplicationActivities {
  /** The buckets to replicate when the input names none: every bucket but the backup buckets. */
  @ActivityMethod(name = "ListReplicableBuckets")
  List<String> replicableBuckets();

  /**
   * Replicates one bucket into the secondary bucket under {@code <bucket>/}: copies missing
   * objects and objects whose size or ETag changed, never deletes on the secondary unless asked,
   * and never overwrites a good copy with a primary object whose bytes no longer match its
   * recorded SHA-256 (that is reported as a checksum mismatch instead). Walks both listings in key
   * order and heartbeats the last key done, so a retry after a crash resumes where it stopped.
   * Idempotent.
   */
  @ActivityMethod(name = "ReplicateBucket")
  ReplicationReport replicate(ReplicationRequest request);
}
