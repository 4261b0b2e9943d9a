package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which backups a retention run keeps and which it deletes, grandfather-father-son style and
 * computed purely from the manifests and the time (so workflow code can compute it
 * deterministically): per source, every verified backup of the last {@code dailyDays}; the newest
 * of each ISO week up to {@code weeklyDays}; the newest of each month up to {@code monthlyDays}.
 * Never deletes the newest verified backup of a source, nor a backup a kept incremental builds
 * on. Unverified or failed backups are deleted once older than two days (younger ones may still
 * be verifying).
 *
 * @param keep backups kept, with the reason
 * @param delete backups to delete, with the reason
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RetentionPlan(Map<String, String> keep, Map<String, String> delete) {
  /** Unverified backups younger than this are left alone. */
  public static final Duration UNVERIFIED_GRACE = Duration.ofDays(2);

  /** Computes the plan. */
  public static RetentionPlan compute(
      List<BackupManifest> backups, Instant now, int dailyDays, int weeklyDays, int monthlyDays) {
    Map<String, String> keep = new LinkedHashMap<>();
    Map<String, String> delete = new LinkedHashMap<>();
    Map<String, List<BackupManifest>> bySource = new LinkedHashMap<>();
    for (BackupManifest m : backups) {
      bySource.computeIfAbsent(m.kind() + ":" + m.databaseName(), k -> new ArrayList<>()).add(m);
    }
    for (List<BackupManifest> list : bySource.values()) {
      list.sort(Comparator.comparing(BackupManifest::createdAt).reversed());
      Set<String> weeks = new HashSet<>();
      Set<String> months = new HashSet<>();
      boolean newestKept = false;
      for (BackupManifest m : list) {
        Duration age = Duration.between(m.createdAt(), now);
        if (!m.usable()) {
          if (age.compareTo(UNVERIFIED_GRACE) > 0) {
            delete.put(m.backupId(), "not verified (" + status(m) + ") and older than two days");
          } else {
            keep.put(m.backupId(), "not verified yet (younger than two days)");
          }
          continue;
        }
        ZonedDateTime t = m.createdAt().atZone(ZoneOffset.UTC);
        String week = t.get(IsoFields.WEEK_BASED_YEAR) + "-W" + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        String month = t.getYear() + "-" + t.getMonthValue();
        long days = age.toDays();
        if (!newestKept) {
          newestKept = true;
          keep.put(m.backupId(), "newest verified backup of " + m.source());
          weeks.add(week);
          months.add(month);
        } else if (days < dailyDays) {
          keep.put(m.backupId(), "daily: younger than " + dailyDays + " days");
          weeks.add(week);
          months.add(month);
        } else if (days < weeklyDays && weeks.add(week)) {
          keep.put(m.backupId(), "weekly: newest of " + week);
          months.add(month);
        } else if (days < monthlyDays && months.add(month)) {
          keep.put(m.backupId(), "monthly: newest of " + month);
        } else {
          delete.put(m.backupId(), "older than the retention of its tier (" + days + " days old)");
        }
      }
    }
    // A kept incremental needs its whole chain.
    Map<String, BackupManifest> byId = new HashMap<>();
    for (BackupManifest m : backups) {
      byId.put(m.backupId(), m);
    }
    for (String id : List.copyOf(keep.keySet())) {
      BackupManifest m = byId.get(id);
      while (m != null && m.parentBackupId() != null) {
        String parent = m.parentBackupId();
        if (delete.remove(parent) != null) {
          keep.put(parent, "needed by incremental " + id);
        }
        m = byId.get(parent);
      }
    }
    return new RetentionPlan(keep, delete);
  }

  private static String status(BackupManifest m) {
    return m.verification() == null ? "no verdict" : m.verification().status().name();
  }
}
