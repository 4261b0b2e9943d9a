package dev.lifeline.workflows.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionPlanTest {
  private static final Instant NOW = Instant.parse("2026-11-22T03:00:00Z");

  private static BackupManifest backup(String id, String db, Instant at, Verification.Status status, String parent) {
    Verification v = new Verification(status, at, List.of(), "ok", 0, List.of());
    return new BackupManifest(1, id, "d1", "d1:" + db, null, db, at, at, "daily", null, null, null,
        List.of(), List.of(), null, null, null, List.of(), v, null, parent, null, null, null);
  }

  /** One verified backup a day at 02:00 for {@code days} days. */
  private static List<BackupManifest> daily(String db, int days) {
    List<BackupManifest> out = new ArrayList<>();
    for (int d = 0; d < days; d++) {
      Instant at = NOW.minus(Duration.ofDays(d)).minus(Duration.ofHours(1));
      out.add(backup(db + "-" + d, db, at, Verification.Status.PASSED, null));
    }
    return out;
  }

  @Test
  void keepsDailyWeeklyMonthlyAndDeletesTheRest() {
    List<BackupManifest> all = daily("prod", 400);
    RetentionPlan plan = RetentionPlan.compute(all, NOW, 30, 90, 365);

    // Every backup of the last 30 days is kept.
    for (int d = 0; d < 30; d++) {
      assertThat(plan.keep()).containsKey("prod-" + d);
    }
    // Between 30 and 90 days, one per ISO week; between 90 and 365, one per month.
    long weekly = plan.keep().values().stream().filter(r -> r.startsWith("weekly")).count();
    long monthly = plan.keep().values().stream().filter(r -> r.startsWith("monthly")).count();
    assertThat(weekly).isBetween(8L, 9L);
    assertThat(monthly).isBetween(9L, 12L);
    // One per calendar month: the monthly reasons name distinct months.
    assertThat(plan.keep().values().stream().filter(r -> r.startsWith("monthly")).distinct().count())
        .isEqualTo(monthly);
    // Nothing older than a year survives, and every backup is decided exactly once.
    assertThat(plan.delete()).containsKeys("prod-365", "prod-399");
    assertThat(plan.keep().size() + plan.delete().size()).isEqualTo(400);
    assertThat(plan.keep().keySet()).doesNotContainAnyElementsOf(plan.delete().keySet());
  }

  @Test
  void neverDeletesTheNewestVerifiedBackupEvenIfAncient() {
    BackupManifest old = backup("old", "legacy", NOW.minus(Duration.ofDays(800)), Verification.Status.PASSED, null);
    BackupManifest older = backup("older", "legacy", NOW.minus(Duration.ofDays(900)), Verification.Status.PASSED, null);
    RetentionPlan plan = RetentionPlan.compute(List.of(old, older), NOW, 30, 90, 365);
    assertThat(plan.keep()).containsOnlyKeys("old");
    assertThat(plan.delete()).containsOnlyKeys("older");
  }

  @Test
  void unverifiedBackupsGoAfterTwoDaysAndChainsStayWhole() {
    BackupManifest failed = backup("failed", "prod", NOW.minus(Duration.ofDays(3)), Verification.Status.FAILED, null);
    BackupManifest fresh = backup("fresh", "prod", NOW.minus(Duration.ofHours(2)), Verification.Status.PENDING, null);
    BackupManifest base = backup("base", "SESSIONS", NOW.minus(Duration.ofDays(500)), Verification.Status.PASSED, null);
    BackupManifest inc = backup("inc", "SESSIONS", NOW.minus(Duration.ofDays(1)), Verification.Status.PASSED, "base");
    RetentionPlan plan = RetentionPlan.compute(List.of(failed, fresh, base, inc), NOW, 30, 90, 365);
    assertThat(plan.delete()).containsOnlyKeys("failed");
    assertThat(plan.keep()).containsKeys("fresh", "inc", "base");
    assertThat(plan.keep().get("base")).isEqualTo("needed by incremental inc");
  }
}
