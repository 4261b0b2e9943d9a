package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.playbook.InputProblems;
import dev.lifeline.workflows.playbook.UngatedInput;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * Input of {@link CorruptionAssessment}. Everything but the target is optional:
 *
 * <pre>{@code
 * {"target": {"d1": "monotask-production"}, "kvNamespaces": ["SESSIONS"], "r2Buckets": ["screenshots"],
 *  "suspectedSince": "2026-11-21T02:00:00Z", "ruleSet": "monotask", "incidentId": "INC-42"}
 * }</pre>
 *
 * @param target the database: {@code {"d1": NAME}} or {@code {"sqlite": PATH}}
 * @param kvNamespaces KV namespaces (titles or ids) to compare with their last verified backup
 * @param r2Buckets R2 buckets to compare with their copy in the secondary bucket
 * @param suspectedSince when the damage is thought to have begun (ISO-8601); the baseline is the
 *     newest verified backup at or before it, and the recommended recovery point is before it
 * @param rules extra rules (see {@link Rule}), checked after the schema's defaults and the rule set
 * @param ruleSet {@code auto} (default: every named rule set whose tables and columns all exist in
 *     the database, so a MonoTask database gets the MonoTask rules), {@code none}, or a set's name
 *     ({@code monotask})
 * @param integrityCheck {@code quick} (default: {@code quick_check}, then {@code integrity_check}
 *     only when it fails) or {@code full} ({@code integrity_check} always)
 * @param r2Verify {@code sample} (default) or {@code all}: which objects' bytes are checked against
 *     their recorded SHA-256
 * @param samplePercent the share of objects checked with {@code r2Verify: sample}, 1–100 (default 10)
 * @param sampleSize sample keys shown per finding (default {@value #DEFAULT_SAMPLE_SIZE})
 * @param recordLimit the most keys listed per finding in a record set for a merge or repair
 *     (default {@value #DEFAULT_RECORD_LIMIT}); damage beyond it cannot be isolated record by record
 * @param workerScripts Worker scripts whose recent deployments are root-cause candidates
 * @param secondaryBucket where R2 copies live (default: the worker's {@code SECONDARY_R2_BUCKET})
 * @param incidentId the incident
 * @param initiatedBy who started it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AssessmentInput(
    Target target,
    List<String> kvNamespaces,
    List<String> r2Buckets,
    String suspectedSince,
    List<Rule> rules,
    String ruleSet,
    String integrityCheck,
    String r2Verify,
    Integer samplePercent,
    Integer sampleSize,
    Integer recordLimit,
    List<String> workerScripts,
    String secondaryBucket,
    String incidentId,
    String initiatedBy)
    implements UngatedInput {

  /** Default sample keys per finding. */
  public static final int DEFAULT_SAMPLE_SIZE = 10;

  /** Default keys per record set. */
  public static final int DEFAULT_RECORD_LIMIT = 1000;

  /**
   * The largest record set an input may ask for: every violated rule carries up to this many keys
   * through the history, and activity results must stay well inside Temporal's 2 MB payload limit.
   */
  public static final int MAX_RECORD_LIMIT = 5_000;

  /** An assessment of {@code target} with every default. */
  public static AssessmentInput of(Target target) {
    return new AssessmentInput(target, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null);
  }

  /** The rule set, normalised ({@code auto} by default). */
  public String ruleSetOrDefault() {
    return ruleSet == null || ruleSet.isBlank() ? "auto" : ruleSet.trim().toLowerCase(Locale.ROOT);
  }

  /** Whether named rule sets are chosen by the database's schema. */
  public boolean autoRuleSets() {
    return ruleSetOrDefault().equals("auto");
  }

  /** {@code quick} or {@code full}. */
  public String integrityOrDefault() {
    return integrityCheck == null || integrityCheck.isBlank() ? "quick" : integrityCheck.trim().toLowerCase(Locale.ROOT);
  }

  /** {@code sample} or {@code all}. */
  public String r2VerifyOrDefault() {
    return r2Verify == null || r2Verify.isBlank() ? "sample" : r2Verify.trim().toLowerCase(Locale.ROOT);
  }

  /** The sample share, default 10. */
  public int samplePercentOrDefault() {
    return samplePercent == null ? 10 : samplePercent;
  }

  /** Sample keys per finding. */
  public int sampleSizeOrDefault() {
    return sampleSize == null ? DEFAULT_SAMPLE_SIZE : sampleSize;
  }

  /** Keys per record set. */
  public int recordLimitOrDefault() {
    return recordLimit == null ? DEFAULT_RECORD_LIMIT : recordLimit;
  }

  /** The KV namespaces, never null. */
  public List<String> kvNamespacesOrEmpty() {
    return kvNamespaces == null ? List.of() : kvNamespaces;
  }

  /** The R2 buckets, never null. */
  public List<String> r2BucketsOrEmpty() {
    return r2Buckets == null ? List.of() : r2Buckets;
  }

  /** The Worker scripts, never null. */
  public List<String> workerScriptsOrEmpty() {
    return workerScripts == null ? List.of() : workerScripts;
  }

  /** {@code suspectedSince}, parsed, or null. */
  public Instant suspectedInstant() {
    return suspectedSince == null || suspectedSince.isBlank() ? null : Instant.parse(suspectedSince.trim());
  }

  /**
   * The rules given by name and inline, each with where it came from ({@code ruleSet}'s name or
   * {@code input}); the schema's defaults are derived where the data is.
   */
  public List<SourcedRule> namedAndInlineRules() {
    List<SourcedRule> out = new ArrayList<>();
    if (ruleSet != null && !ruleSet.isBlank() && !autoRuleSets() && !ruleSetOrDefault().equals("none")) {
      RuleSets.named(ruleSet).orElse(List.of())
          .forEach(r -> out.add(new SourcedRule(r, ruleSet.trim().toLowerCase(Locale.ROOT))));
    }
    if (rules != null) {
      rules.forEach(r -> out.add(new SourcedRule(r, "input")));
    }
    return out;
  }



  @Override
  public String targetLabel() {
    return target == null ? null : target.label();
  }

  @Override
  public void validate(InputProblems problems) {
    Target.validate(target, "target", EnumSet.of(Target.Kind.D1, Target.Kind.SQLITE), problems);
    if (suspectedSince != null && !suspectedSince.isBlank()) {
      try {
        Instant.parse(suspectedSince.trim());
      } catch (DateTimeParseException e) {
        problems.add("suspectedSince", "must be an ISO-8601 instant like 2026-11-21T02:00:00Z (got \"" + suspectedSince + "\")");
      }
    }
    if (!autoRuleSets() && !ruleSetOrDefault().equals("none") && RuleSets.named(ruleSet).isEmpty()) {
      problems.add("ruleSet", "must be auto, none or a known rule set (" + String.join(", ",
          new java.util.TreeSet<>(RuleSets.all().keySet())) + "; got \"" + ruleSet + "\")");
    }
    if (rules != null) {
      for (int i = 0; i < rules.size(); i++) {
        Rule r = rules.get(i);
        String p = r == null ? "is empty" : r.problem();
        if (p != null) {
          problems.add("rules[" + i + "]", p);
        } else if (r.id() == null || r.id().isBlank()) {
          problems.add("rules[" + i + "]", "needs an id");
        }
      }
    }
    if (!List.of("quick", "full").contains(integrityOrDefault())) {
      problems.add("integrityCheck", "must be quick or full (got \"" + integrityCheck + "\")");
    }
    if (!List.of("sample", "all").contains(r2VerifyOrDefault())) {
      problems.add("r2Verify", "must be sample or all (got \"" + r2Verify + "\")");
    }
    if (samplePercent != null && (samplePercent < 1 || samplePercent > 100)) {
      problems.add("samplePercent", "must be 1 to 100 (got " + samplePercent + ")");
    }
    if (sampleSize != null && (sampleSize < 1 || sampleSize > 100)) {
      problems.add("sampleSize", "must be 1 to 100 (got " + sampleSize + ")");
    }
    if (recordLimit != null && (recordLimit < 1 || recordLimit > MAX_RECORD_LIMIT)) {
      problems.add("recordLimit", "must be 1 to " + MAX_RECORD_LIMIT + " (got " + recordLimit + ")");
    }
    if (kvNamespaces != null && kvNamespaces.stream().anyMatch(n -> n == null || n.isBlank())) {
      problems.add("kvNamespaces", "must not contain empty names");
    }
    if (r2Buckets != null && r2Buckets.stream().anyMatch(b -> b == null || !b.matches("[a-z0-9][a-z0-9-]{1,62}"))) {
      problems.add("r2Buckets", "must be bucket names (lowercase letters, digits, hyphens)");
    }
    if (workerScripts != null && workerScripts.stream().anyMatch(s -> s == null || s.isBlank())) {
      problems.add("workerScripts", "must not contain empty names");
    }
  }

  /**
   * A rule and where it came from.
   *
   * @param rule the rule
   * @param source {@code schema}, a rule set's name, or {@code input}
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SourcedRule(Rule rule, String source) {}
}
