package dev.lifeline.workflows.drill;

import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.common.Target;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** What only a drill does: damage data on purpose, and compare a target with a backup. */
@ActivityInterface
public interface DrillActivities {
  /**
   * Makes sure the drill copy exists: creates the D1 database or KV namespace when it is missing.
   * Idempotent. Never touches anything but {@code copy}.
   *
   * @return {@code created} or {@code exists}
   */
  @ActivityMethod(name = "PrepareDrillCopy")
  String prepareCopy(Target copy);

  /**
   * Damages {@code target} the way incidents do, through the same APIs an application uses
   * (D1 queries, KV writes): invalid states and deleted rows in D1; deleted keys and malformed
   * JSON values in KV. Deterministic from {@code seed}. Not idempotent by nature; a retry damages
   * the same rows again, which changes nothing further.
   *
   * @return exactly what was changed
   */
  @ActivityMethod(name = "InjectDrillCorruption")
  DrillInjection inject(Target target, long seed);

  /**
   * Compares {@code target} now with {@code backup}: D1 by exporting once into a local SQLite file
   * and comparing row counts and typeof-aware checksums per table with the backup's verification;
   * KV by hashing every key and value against the backup's index. Read-only.
   */
  @ActivityMethod(name = "CompareWithBackup")
  DrillComparison compare(Target target, BackupManifest backup);

  /**
   * What was injected.
   *
   * @param target the target label
   * @param changes one line per kind of damage, with counts
   * @param rows rows or keys affected
   * @param at when the first write was made, by the worker's clock (the clock backups record)
   */
  record DrillInjection(String target, List<String> changes, long rows, java.time.Instant at) {}

  /**
   * The result of a comparison.
   *
   * @param equal whether the target holds exactly the backup's data
   * @param differences what differs, in words
   */
  record DrillComparison(boolean equal, List<String> differences) {}
}
