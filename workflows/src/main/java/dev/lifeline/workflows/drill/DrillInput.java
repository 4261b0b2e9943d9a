package dev.lifeline.workflows.drill;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.lifeline.workflows.assess.RuleSets;
import dev.lifeline.workflows.playbook.ApprovalPolicy;
import dev.lifeline.workflows.playbook.InputProblems;
import dev.lifeline.workflows.playbook.PlaybookInput;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Input of {@link RecoveryDrill}:
 *
 * <pre>{@code
 * {"database": "monotask-production", "kvNamespace": "SESSIONS", "initiatedBy": "alice"}
 * }</pre>
 *
 * <p>The drill never writes to {@code database} or {@code kvNamespace}: it backs them up, restores
 * those backups into drill copies ({@code drillDatabase}, {@code drillNamespace}; created when
 * missing, overwritten when present), and damages, assesses and restores the copies.
 *
 * @param components {@code d1}, {@code kv} or both (default both)
 * @param database the D1 database whose backups are drilled (name or id); needed for {@code d1}
 * @param kvNamespace the KV namespace whose backups are drilled (title or id); needed for {@code kv}
 * @param drillDatabase the D1 copy the drill damages and restores (default: {@code database} with
 *     {@code -production} replaced by, or else followed by, {@code -recovery-test})
 * @param drillNamespace the KV copy (default: {@code kvNamespace} followed by {@code -recovery-test})
 * @param seed chooses which rows and keys are damaged (default 1)
 * @param ruleSet a named rule set the assessment also checks ({@code monotask})
 * @param incidentId an incident or change ticket, if the drill is filed under one
 * @param initiatedBy who started it (a person, {@code schedule} or {@code lifeline drill})
 * @param approval the approval policy of the drill's one gate (before the first write to a
 *     copy); {@code lifeline drill} and the monthly schedule record {@code autoApprove: ["*"]}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DrillInput(
    List<String> components,
    String database,
    String kvNamespace,
    String drillDatabase,
    String drillNamespace,
    Long seed,
    String ruleSet,
    String incidentId,
    String initiatedBy,
    @JsonUnwrapped ApprovalPolicy approval)
    implements PlaybookInput {

  /** The components a drill knows. */
  public static final List<String> KNOWN_COMPONENTS = List.of("d1", "kv");

  /** What the default copy names end with (the runbook's {@code monotask-recovery-test}). */
  public static final String COPY_SUFFIX = "-recovery-test";

  /** The components, normalised (default both), in a stable order. */
  public List<String> componentsOrDefault() {
    if (components == null || components.isEmpty()) {
      return KNOWN_COMPONENTS;
    }
    Set<String> out = new LinkedHashSet<>();
    for (String c : components) {
      if (c != null) {
        out.add(c.trim().toLowerCase(Locale.ROOT));
      }
    }
    return KNOWN_COMPONENTS.stream().filter(out::contains).toList();
  }

  /** Whether {@code component} is drilled. */
  public boolean drills(String component) {
    return componentsOrDefault().contains(component);
  }

  /** The D1 copy's name. */
  public String drillDatabaseOrDefault() {
    if (drillDatabase != null && !drillDatabase.isBlank()) {
      return drillDatabase.trim();
    }
    if (database == null) {
      return null;
    }
    String d = database.trim();
    return d.endsWith("-production") ? d.substring(0, d.length() - "-production".length()) + COPY_SUFFIX : d + COPY_SUFFIX;
  }

  /** The KV copy's title. */
  public String drillNamespaceOrDefault() {
    if (drillNamespace != null && !drillNamespace.isBlank()) {
      return drillNamespace.trim();
    }
    return kvNamespace == null ? null : kvNamespace.trim() + COPY_SUFFIX;
  }

  /** The seed, default 1. */
  public long seedOrDefault() {
    return seed == null ? 1L : seed;
  }

  @Override
  public String targetLabel() {
    List<String> parts = new ArrayList<>();
    if (drills("d1") && database != null) {
      parts.add("d1:" + database);
    }
    if (drills("kv") && kvNamespace != null) {
      parts.add("kv:" + kvNamespace);
    }
    return parts.isEmpty() ? null : String.join(",", parts);
  }

  @Override
  public void validate(InputProblems problems) {
    if (components != null) {
      for (String c : components) {
        if (c == null || !KNOWN_COMPONENTS.contains(c.trim().toLowerCase(Locale.ROOT))) {
          problems.add("components", "must be d1 and/or kv (got \"" + c + "\")");
        }
      }
      if (components.isEmpty()) {
        problems.add("components", "must name at least one of d1, kv (or be left out for both)");
      }
    }
    if (drills("d1")) {
      if (blank(database)) {
        problems.add("database", "is required to drill D1 (the database whose backups are drilled)");
      } else if (drillDatabaseOrDefault().equalsIgnoreCase(database.trim())) {
        problems.add("drillDatabase", "must differ from database: the drill damages its copy, never the source");
      }
    }
    if (drills("kv")) {
      if (blank(kvNamespace)) {
        problems.add("kvNamespace", "is required to drill KV (the namespace whose backups are drilled)");
      } else if (drillNamespaceOrDefault().equalsIgnoreCase(kvNamespace.trim())) {
        problems.add("drillNamespace", "must differ from kvNamespace: the drill damages its copy, never the source");
      }
    }
    if (ruleSet != null && !ruleSet.isBlank() && RuleSets.named(ruleSet).isEmpty()) {
      problems.add("ruleSet", "is not a known rule set (known: monotask; got \"" + ruleSet + "\")");
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
