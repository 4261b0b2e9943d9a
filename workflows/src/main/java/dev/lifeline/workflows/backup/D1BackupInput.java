package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.playbook.InputProblems;
import dev.lifeline.workflows.playbook.UngatedInput;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Input of {@link D1Backup}: {@code {"database": "monotask-production"}} (name or id), or
 * {@code {"target": {"sqlite": "/data/app.db"}}} for a plain SQLite file.
 *
 * @param database a D1 database name or id (shorthand for {@code target.d1})
 * @param target the database: {@code {"d1": ...}} or {@code {"sqlite": ...}}
 * @param tier {@code daily}, {@code weekly}, {@code monthly} or {@code manual} (default manual)
 * @param tables back up only these tables (default: all)
 * @param initiatedBy who asked (a person, or {@code schedule})
 * @param incidentId an incident, if this backup is part of one
 * @param labels free-form labels recorded in the manifest
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record D1BackupInput(
    String database,
    Target target,
    String tier,
    List<String> tables,
    String initiatedBy,
    String incidentId,
    Map<String, String> labels)
    implements UngatedInput {

  /** Tiers a backup may be recorded in. */
  public static final Set<String> TIERS = Set.of("daily", "weekly", "monthly", "manual", "pre-restore", "drill");

  /** A backup of D1 database {@code database}. */
  public static D1BackupInput of(String database) {
    return new D1BackupInput(database, null, null, null, null, null, null);
  }

  /** The target, from {@code target} or the {@code database} shorthand. */
  public Target resolvedTarget() {
    if (target != null) {
      return target;
    }
    return database == null ? null : Target.d1(database);
  }

  /** The tier, defaulting to manual. */
  public String tierOrDefault() {
    return tier == null || tier.isBlank() ? "manual" : tier.trim();
  }



  @Override
  public String targetLabel() {
    Target t = resolvedTarget();
    return t == null ? null : t.label();
  }

  @Override
  public void validate(InputProblems problems) {
    if (database != null && target != null) {
      problems.add("database", "and target are both given; give one");
    }
    Target.validate(resolvedTarget(), database == null ? "target" : "database",
        EnumSet.of(Target.Kind.D1, Target.Kind.SQLITE), problems);
    if (tier != null && !TIERS.contains(tier.trim())) {
      problems.add("tier", "must be one of daily, weekly, monthly, manual, pre-restore, drill (got \"" + tier + "\")");
    }
    if (tables != null && tables.stream().anyMatch(t -> t == null || t.isBlank())) {
      problems.add("tables", "must not contain empty names");
    }
  }
}
