package dev.lifeline.workflows.drill;

import java.time.Duration;

/**
 * The RTO and RPO targets of the backup and recovery runbook ("RTO/RPO Targets"): D1 one hour
 * and 24 hours, KV namespaces 30 minutes and one hour.
 */
public final class DrillTargets {
  private DrillTargets() {}

  /** The recovery time target of {@code component}. */
  public static Duration rto(String component) {
    return switch (component) {
      case "d1" -> Duration.ofHours(1);
      case "kv" -> Duration.ofMinutes(30);
      default -> throw new IllegalArgumentException("no RTO target for " + component);
    };
  }

  /** The recovery point (data loss) target of {@code component}. */
  public static Duration rpo(String component) {
    return switch (component) {
      case "d1" -> Duration.ofHours(24);
      case "kv" -> Duration.ofHours(1);
      default -> throw new IllegalArgumentException("no RPO target for " + component);
    };
  }
}
