package dev.lifeline.workflows.assess;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * The facts a corruption assessment needs, gathered read-only. Implementations never change the
 * target, the namespaces or the buckets; every method is idempotent (the same request over the same
 * data gives the same facts) and heartbeats its progress per check.
 */
@ActivityInterface
public interface AssessmentActivities {
  /**
   * Takes one fresh local staging copy of the database (a D1 export loaded into a new SQLite file,
   * or SQLite's online backup of the file), then runs everything on the copy: {@code quick_check}
   * (and {@code integrity_check} on request or when it fails), {@code foreign_key_check}, schema
   * and row counts, the schema's default rules, the given rules and the data's suggestions,
   * {@code d1_migrations}; and, when something is wrong and a baseline backup is given, restores
   * the baseline into a second local file to find deleted rows and whether the backup holds the
   * damaged rows intact. Staging files are deleted before it returns.
   */
  @ActivityMethod(name = "AssessDatabase")
  DatabaseFacts database(DatabaseFactsRequest request);

  /**
   * Lists the namespace with its values and compares it key by key with the baseline chain
   * replayed into a local file: missing keys, values that lost their shape, unexpected
   * expirations.
   */
  @ActivityMethod(name = "AssessKvNamespace")
  KvFacts kvNamespace(KvFactsRequest request);

  /**
   * Compares the bucket with its copy in the secondary bucket and checks objects' bytes (a sample
   * or all) against their recorded SHA-256.
   */
  @ActivityMethod(name = "AssessR2Bucket")
  R2Facts r2Bucket(R2FactsRequest request);

  /** Recent deployments of each Worker script (a script that cannot be read reports why). */
  @ActivityMethod(name = "ListRecentDeployments")
  List<DeploymentFacts> deployments(List<String> scripts);
}
