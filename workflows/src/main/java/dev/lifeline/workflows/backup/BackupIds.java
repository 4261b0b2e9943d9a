package dev.lifeline.workflows.backup;

import dev.lifeline.workflows.common.Target;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Backup ids and where a backup's objects live. An id reads
 * {@code <kind>-<name>-<yyyyMMdd'T'HHmmss'Z'>-<6 hex>}, e.g.
 * {@code d1-monotask-production-20261122T020000Z-3f9a1c}; its objects live under
 * {@code backups/<kind>/<name>/<id>/}. Names are reduced to lowercase letters, digits, dots and
 * hyphens so ids are safe in object keys, file names and workflow ids.
 */
public final class BackupIds {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private BackupIds() {}

  /** A new id for a backup of {@code target} at {@code at}; {@code random} gives the suffix. */
  public static String newId(Target target, Instant at, String random) {
    return kind(target) + "-" + name(target) + "-" + STAMP.format(at) + "-"
        + random.replace("-", "").substring(0, 6).toLowerCase(Locale.ROOT);
  }

  /** {@code d1}, {@code sqlite} or {@code kv}. */
  public static String kind(Target target) {
    return target.kind().name().toLowerCase(Locale.ROOT);
  }

  /** The target's name reduced to a key-safe form (a SQLite path keeps only its file name). */
  public static String name(Target target) {
    String v = target.value();
    if (target.kind() == Target.Kind.SQLITE) {
      int slash = Math.max(v.lastIndexOf('/'), v.lastIndexOf('\\'));
      v = v.substring(slash + 1);
    }
    return safe(v);
  }

  /** {@code s} reduced to lowercase letters, digits, dots and hyphens. */
  public static String safe(String s) {
    String out = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]+", "-").replaceAll("-{2,}", "-");
    out = out.replaceAll("^[-.]+|[-.]+$", "");
    return out.isEmpty() ? "unnamed" : out;
  }

  /** The object prefix of backup {@code backupId} (ends with '/'). */
  public static String prefix(String backupId) {
    String[] parts = backupId.split("-");
    if (parts.length < 4 || !parts[parts.length - 2].matches("\\d{8}T\\d{6}Z")) {
      throw new IllegalArgumentException("not a Lifeline backup id: " + backupId);
    }
    String kind = parts[0];
    String name = backupId.substring(kind.length() + 1, backupId.length()
        - parts[parts.length - 1].length() - parts[parts.length - 2].length() - 2);
    return "backups/" + kind + "/" + name + "/" + backupId + "/";
  }

  /** The prefix under which all backups of {@code kind}/{@code name} live. */
  public static String prefix(String kind, String name) {
    return "backups/" + kind + "/" + ("sqlite".equals(kind) ? name(Target.sqlite(name)) : safe(name)) + "/";
  }
}
