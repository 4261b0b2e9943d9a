package dev.lifeline.workflows.assess;

import dev.lifeline.workflows.backup.BackupActivities;
import dev.lifeline.workflows.backup.BackupIds;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.BackupQuery;
import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.playbook.AbstractPlaybook;
import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The {@link CorruptionAssessment} workflow. */
public class CorruptionAssessmentImpl extends AbstractPlaybook implements CorruptionAssessment {
  /** Verified backups read for the recent history of row counts. */
  static final int HISTORY = 6;

  private final AssessmentActivities facts = AssessmentActivityStubs.assessments();
  private final BackupActivities backups = AssessmentActivityStubs.backups();

  /** Creates the runtime before any handler runs. */
  @WorkflowInit
  public CorruptionAssessmentImpl(AssessmentInput input, PlaybookCheckpoint checkpoint) {
    super(TYPE, input, checkpoint);
  }

  @Override
  public AssessmentReport run(AssessmentInput input, PlaybookCheckpoint checkpoint) {
    return runtime.execute(() -> assess(input));
  }

  private AssessmentReport assess(AssessmentInput input) {
    Target target = input.target();
    Instant suspected = input.suspectedInstant();
    int total = 2 + 2 * input.kvNamespacesOrEmpty().size() + input.r2BucketsOrEmpty().size()
        + (input.workerScriptsOrEmpty().isEmpty() ? 0 : 1);
    int done = 0;

    // Scope: the database, on one fresh staging copy, against its baseline backup.
    runtime.progress(done, total, "checks", "verified backups of " + target.label());
    String kind = target.kind() == Target.Kind.D1 ? "d1" : "sqlite";
    List<BackupManifest> history = optional(
        "backups", "List verified backups of " + target.label(), BackupManifest[].class,
        () -> backups.list(new BackupQuery(kind, target.value(), true, null)).toArray(new BackupManifest[0]));
    BackupManifest baseline = newestAtOrBefore(history, suspected);
    history = trim(history, baseline);
    if (baseline != null) {
      runtime.fact("baselineBackupId", baseline.backupId());
    } else {
      runtime.warn("no verified backup of " + target.label() + (suspected == null ? "" : " at or before " + suspected)
          + ": drift, row counts and deleted rows cannot be compared, and nothing can be merged back");
    }
    done++;
    runtime.progress(done, total, "checks", "staging copy and database checks");
    DatabaseFactsRequest request =
        new DatabaseFactsRequest(target, baseline, input.namedAndInlineRules(), input.autoRuleSets(),
            input.integrityOrDefault(),
            input.sampleSizeOrDefault(), input.recordLimitOrDefault());
    DatabaseFacts database =
        runtime.step("database", "Copy " + target.label() + " to local staging and check it", DatabaseFacts.class,
            () -> facts.database(request));
    if (database.copy() != null) {
      runtime.fact("stagingCopy", database.copy().method() + " at " + database.copy().takenAt());
    }
    done++;

    // KV namespaces against their last verified backup chain. One that cannot be checked (a typo,
    // a missing secondary bucket) is reported, and the rest of the assessment goes on.
    List<String> problems = new ArrayList<>();
    List<KvFacts> kv = new ArrayList<>();
    for (String ns : input.kvNamespacesOrEmpty()) {
      runtime.progress(done, total, "checks", "KV " + ns);
      List<BackupManifest> chain = kvChain(ns, suspected);
      done++;
      runtime.progress(done, total, "checks", "KV " + ns);
      KvFactsRequest kvRequest = new KvFactsRequest(ns, chain, input.recordLimitOrDefault());
      KvFacts f = tolerant("kv-" + BackupIds.safe(ns), "Compare KV " + ns + " with its last verified backup",
          KvFacts.class, () -> facts.kvNamespace(kvRequest), "KV " + ns, problems);
      if (f != null) {
        kv.add(f);
      }
      done++;
    }

    // R2 buckets against their secondary copy.
    List<R2Facts> r2 = new ArrayList<>();
    for (String bucket : input.r2BucketsOrEmpty()) {
      runtime.progress(done, total, "checks", "R2 " + bucket);
      R2FactsRequest r2Request = new R2FactsRequest(bucket, input.secondaryBucket(), input.r2VerifyOrDefault(),
          input.samplePercentOrDefault(), input.recordLimitOrDefault());
      R2Facts f = tolerant("r2-" + bucket, "Compare R2 " + bucket + " with its secondary copy (verify "
          + input.r2VerifyOrDefault() + ")", R2Facts.class, () -> facts.r2Bucket(r2Request), "R2 " + bucket, problems);
      if (f != null) {
        r2.add(f);
      }
      done++;
    }

    // Root-cause facts: recent deployments (migrations came with the database facts).
    List<DeploymentFacts> deployments = List.of();
    if (!input.workerScriptsOrEmpty().isEmpty()) {
      runtime.progress(done, total, "checks", "Worker deployments");
      deployments = optional("deployments", "Read recent deployments of " + String.join(", ", input.workerScriptsOrEmpty()),
          DeploymentFacts[].class, () -> facts.deployments(input.workerScriptsOrEmpty()).toArray(new DeploymentFacts[0]));
      done++;
    }
    runtime.progress(done, total, "checks", "analysis");

    // Impact, root cause and recommendation: pure and deterministic, so replays agree.
    AssessmentEvidence evidence = new AssessmentEvidence(input, Instant.ofEpochMilli(Workflow.currentTimeMillis()),
        history, baseline, database, kv, r2, deployments, problems);
    runtime.phase("Judging impact and choosing a recovery playbook");
    AssessmentReport judged = AssessmentAnalysis.analyse(evidence);
    AssessmentReport report = judged.withMarkdown(AssessmentMarkdown.render(judged));
    for (AssessmentFinding f : report.findings()) {
      runtime.finding(f.severity(), f.kind(), f.component() + ": " + f.summary() + " [" + f.scope() + "; remedy "
          + f.remedy() + "]");
    }
    runtime.fact("severity", report.severity());
    runtime.fact("scope", report.scope());
    runtime.fact("findings", Integer.toString(report.findings().size()));
    runtime.fact("recommendedPlaybook", report.recommendation().playbook());
    if (report.recommendation().recoveryPoint() != null && report.recommendation().recoveryPoint().backupId() != null) {
      runtime.fact("recoveryPoint", report.recommendation().recoveryPoint().backupId());
    }
    runtime.progress(total, total, "checks", "done");
    runtime.outcome(report.findings().isEmpty()
        ? "No corruption found in " + target.label() + (kv.isEmpty() && r2.isEmpty() ? "" : " or the KV namespaces and R2"
            + " buckets checked") + ": every check passed. Nothing was changed."
        : "Severity " + report.severity() + ", " + report.scope() + ": " + report.findings().size() + " finding(s). "
            + "Recommended: " + report.recommendation().playbook() + ". " + report.recommendation().reason()
            + " Nothing was changed.");
    return report;
  }

  /** The verified chain of KV namespace {@code ns} at or before {@code suspected}, full backup first. */
  private List<BackupManifest> kvChain(String ns, Instant suspected) {
    String safe = BackupIds.safe(ns);
    List<BackupManifest> found = optional("kv-backups-" + safe, "List verified backups of KV " + ns,
        BackupManifest[].class,
        () -> backups.list(new BackupQuery("kv", ns, true, null)).toArray(new BackupManifest[0]));
    BackupManifest latest = newestAtOrBefore(found, suspected);
    if (latest == null) {
      runtime.warn("no verified backup of KV " + ns + ": missing keys and unexpected expirations cannot be detected");
      return List.of();
    }
    List<BackupManifest> chain = new ArrayList<>();
    chain.add(latest);
    BackupManifest cursor = latest;
    int hop = 0;
    while (cursor.parentBackupId() != null) {
      String parent = cursor.parentBackupId();
      cursor = runtime.step("kv-chain-" + safe + "-" + (++hop), "Read backup " + parent, BackupManifest.class,
          () -> backups.get(parent));
      chain.add(0, cursor);
    }
    return chain;
  }

  /**
   * Runs a step whose failure should not stop the assessment (reading backups or deployments): the
   * step shows as failed in the status, a warning says why, and the assessment goes on without it.
   */
  private <T> List<T> optional(String id, String title, Class<T[]> type, io.temporal.workflow.Functions.Func<T[]> body) {
    try {
      return Arrays.asList(runtime.step(id, title, type, body));
    } catch (ActivityFailure f) {
      String why = f.getCause() instanceof ApplicationFailure af ? af.getOriginalMessage() : f.getMessage();
      runtime.warn(title.toLowerCase(Locale.ROOT) + " failed, going on without it: " + why);
      return List.of();
    }
  }

  /** Runs a step whose failure is reported as {@code what} not checked, instead of failing the assessment. */
  private <T> T tolerant(String id, String title, Class<T> type, io.temporal.workflow.Functions.Func<T> body, String what,
      List<String> problems) {
    try {
      return runtime.step(id, title, type, body);
    } catch (ActivityFailure f) {
      String why = f.getCause() instanceof ApplicationFailure af ? af.getOriginalMessage() : f.getMessage();
      problems.add(what + ": " + why);
      runtime.warn(what + " was not checked: " + why);
      return null;
    }
  }

  /** The newest backup taken at or before {@code at} (any when null). */
  static BackupManifest newestAtOrBefore(List<BackupManifest> backups, Instant at) {
    BackupManifest best = null;
    for (BackupManifest m : backups) {
      if (m.usable() && m.createdAt() != null && (at == null || !m.createdAt().isAfter(at))
          && (best == null || m.createdAt().isAfter(best.createdAt()))) {
        best = m;
      }
    }
    return best;
  }

  /** The baseline and up to {@link #HISTORY} backups before it, newest first (bounded history). */
  private static List<BackupManifest> trim(List<BackupManifest> all, BackupManifest baseline) {
    List<BackupManifest> sorted = new ArrayList<>(all);
    sorted.sort((a, b) -> b.createdAt().compareTo(a.createdAt()));
    List<BackupManifest> out = new ArrayList<>();
    for (BackupManifest m : sorted) {
      if (out.size() < HISTORY + 1 && (baseline == null || !m.createdAt().isAfter(baseline.createdAt()))) {
        out.add(m);
      }
    }
    return out;
  }
}
