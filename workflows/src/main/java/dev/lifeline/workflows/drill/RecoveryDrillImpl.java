package dev.lifeline.workflows.drill;

import dev.lifeline.workflows.assess.AssessmentInput;
import dev.lifeline.workflows.assess.AssessmentReport;
import dev.lifeline.workflows.assess.CorruptionAssessment;
import dev.lifeline.workflows.backup.BackupActivities;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.BackupQuery;
import dev.lifeline.workflows.backup.D1Backup;
import dev.lifeline.workflows.backup.D1BackupInput;
import dev.lifeline.workflows.backup.KvBackup;
import dev.lifeline.workflows.backup.KvBackupInput;
import dev.lifeline.workflows.backup.Verification;
import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.pitr.PitrInput;
import dev.lifeline.workflows.pitr.PointInTimeRestore;
import dev.lifeline.workflows.pitr.RestoreActivities;
import dev.lifeline.workflows.pitr.RestoreOutcome;
import dev.lifeline.workflows.pitr.RestoreReport;
import dev.lifeline.workflows.pitr.RestoreRequest;
import dev.lifeline.workflows.playbook.AbstractPlaybook;
import dev.lifeline.workflows.playbook.ApprovalPlan;
import dev.lifeline.workflows.playbook.ApprovalPolicy;
import dev.lifeline.workflows.playbook.Durations;
import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** The {@link RecoveryDrill} workflow. */
public class RecoveryDrillImpl extends AbstractPlaybook implements RecoveryDrill {
  /** Who the drill's child restores say started them, and who auto-approved their gates. */
  static final String DRILL_INITIATOR = "recovery-drill";

  private final DrillActivities drills = DrillActivityStubs.drills();
  private final RestoreActivities restores = DrillActivityStubs.restores();
  private final BackupActivities backups = DrillActivityStubs.backups();
  private final List<DrillReport.DrillStep> steps = new ArrayList<>();
  private int stepsDone;
  private int stepsTotal;

  /** Creates the runtime before any handler runs. */
  @WorkflowInit
  public RecoveryDrillImpl(DrillInput input, PlaybookCheckpoint checkpoint) {
    super(TYPE, input, checkpoint);
  }

  /** One component's run through the drill. */
  private static final class Leg {
    final String component;
    final Target source;
    final Target copy;
    Long exposureSeconds;
    BackupManifest sourceBackup;
    BackupManifest copyBackup;
    Instant damagedAt;
    PitrInput restoreInput;
    RestoreReport restore;
    DrillActivities.DrillComparison comparison;
    String failedAt;

    Leg(String component, Target source, Target copy) {
      this.component = component;
      this.source = source;
      this.copy = copy;
    }

    boolean alive() {
      return failedAt == null;
    }
  }

  @Override
  public DrillReport run(DrillInput input, PlaybookCheckpoint checkpoint) {
    return runtime.execute(() -> drill(input));
  }

  private DrillReport drill(DrillInput input) {
    Instant started = now();
    List<Leg> legs = new ArrayList<>();
    if (input.drills("d1")) {
      legs.add(new Leg("d1", Target.d1(input.database().trim()), Target.d1(input.drillDatabaseOrDefault())));
    }
    if (input.drills("kv")) {
      legs.add(new Leg("kv", Target.kv(input.kvNamespace().trim()), Target.kv(input.drillNamespaceOrDefault())));
    }
    stepsTotal = legs.size() * 7 + (input.drills("d1") ? 1 : 0);
    String wf = Workflow.getInfo().getWorkflowId();

    // The one gate: before anything is written. The sources are only ever read.
    runtime.requireApproval("drill", "Drill " + String.join(" and ", legs.stream().map(l -> l.source.label()).toList())
        + " on the copies " + String.join(", ", legs.stream().map(l -> l.copy.label()).toList())
        + ": back up the sources (read only), overwrite the copies with those backups, damage the copies, assess and"
        + " restore them.", plan(legs));

    // 1. What an incident right now would lose, then a fresh verified backup of each source.
    for (Leg leg : legs) {
      record(leg, "exposure", "Find the newest verified backup of " + leg.source.label() + " before the drill",
          BackupManifest[].class,
          () -> backups.list(new BackupQuery(leg.component, leg.source.value(), true, 1)).toArray(new BackupManifest[0]),
          found -> {
            if (found.length == 0) {
              return "none: an incident before this drill could not have been restored from a backup";
            }
            leg.exposureSeconds = Math.max(0, Duration.between(found[0].createdAt(), started).toSeconds());
            return found[0].backupId() + ", " + Durations.human(leg.exposureSeconds) + " old (RPO target "
                + Durations.human(DrillTargets.rpo(leg.component).toSeconds()) + ")";
          });
    }
    for (Leg leg : legs) {
      leg.sourceBackup = record(leg, "backup", "Back up " + leg.source.label() + " and verify it by restoring it locally",
          BackupManifest.class, () -> verified(backup(leg, leg.source, "manual", wf + "-" + leg.component + "-source-backup",
              input)),
          m -> m.backupId() + ": " + size(m) + ", verified " + m.verification().status());
    }

    // 2. Drill copies holding exactly the source backups, and their own verified backups.
    for (Leg leg : legs) {
      record(leg, "copy", "Restore the source's backup into the drill copy " + leg.copy.label(),
          String.class, () -> {
            String state = drills.prepareCopy(leg.copy);
            List<BackupManifest> chain = chainOf(leg.sourceBackup);
            RestoreOutcome o = restores.restore(new RestoreRequest(wf + "-" + leg.component + "-copy", leg.copy, chain,
                leg.component.equals("kv") ? "clear" : null, null));
            return (state.equals("created") ? "created " : "overwrote ") + leg.copy.label() + ": " + o.detail();
          }, Function.identity());
    }
    for (Leg leg : legs) {
      leg.copyBackup = record(leg, "recovery-point", "Back up the copy " + leg.copy.label() + " (the drill's recovery point)",
          BackupManifest.class, () -> {
            BackupManifest m = verified(backup(leg, leg.copy, "drill", wf + "-" + leg.component + "-copy-backup", input));
            String difference = sameData(leg.sourceBackup, m);
            if (difference != null) {
              throw ApplicationFailure.newNonRetryableFailure("the copy does not hold the source backup's data: "
                  + difference, "DrillCopyDiffers");
            }
            return m;
          }, m -> m.backupId() + ": " + size(m) + ", the same data as " + leg.sourceBackup.backupId());
    }

    // 3. Damage the copies the way incidents do.
    Instant damageStarted = now();
    for (Leg leg : legs) {
      DrillActivities.DrillInjection d = record(leg, "damage", "Damage the copy " + leg.copy.label(),
          DrillActivities.DrillInjection.class, () -> drills.inject(leg.copy, input.seedOrDefault()),
          x -> String.join("; ", x.changes()));
      leg.damagedAt = d == null ? null : d.at();
    }
    Instant detected = now();

    // 4. Assess, as a person would first. The damage is suspected since the last recovery point was
    // taken: a time read by the worker when that backup began, so it is on the same clock as the
    // data (workflow time may differ, and with the test server's time skipping it runs ahead).
    Instant suspected = legs.stream().filter(l -> l.copyBackup != null).map(l -> l.copyBackup.createdAt())
        .max(Instant::compareTo).orElse(damageStarted);
    Map<String, AssessmentReport.Action> recommended = assess(input, legs, suspected, wf);

    // 5. Restore every damaged copy at once, as recommended, under the recorded auto-approval.
    restoreAll(input, legs, recommended, detected, wf);

    // 6. The copy must hold exactly its recovery point's data.
    for (Leg leg : legs) {
      leg.comparison = record(leg, "compare", "Compare " + leg.copy.label() + " with its recovery point",
          DrillActivities.DrillComparison.class, () -> {
            DrillActivities.DrillComparison c = drills.compare(leg.copy, leg.copyBackup);
            if (!c.equal()) {
              throw ApplicationFailure.newNonRetryableFailure("the restored copy differs from its recovery point: "
                  + String.join("; ", c.differences()), "DrillDataDiffers");
            }
            return c;
          }, c -> "identical to " + leg.copyBackup.backupId() + (leg.component.equals("kv")
              ? " (every key, value, metadata and expiration)" : " (row counts and checksums of every table)"));
    }
    return report(input, legs, started);
  }

  // ---------------------------------------------------------------- steps

  private Map<String, AssessmentReport.Action> assess(DrillInput input, List<Leg> legs, Instant suspectedSince, String wf) {
    Map<String, AssessmentReport.Action> recommended = new LinkedHashMap<>();
    Leg d1 = legs.stream().filter(l -> l.component.equals("d1")).findFirst().orElse(null);
    if (d1 == null) {
      skip(legs.get(0), "assess", "Assess the damage", "the assessment checks a database with its KV namespaces; a KV-only"
          + " drill restores from the copy's backup");
      return recommended;
    }
    if (!d1.alive()) {
      legs.forEach(l -> skip(l, "assess", "Assess the damage", "an earlier step of d1 failed"));
      return recommended;
    }
    List<String> kvCopies = legs.stream().filter(l -> l.component.equals("kv") && l.alive()).map(l -> l.copy.value()).toList();
    AssessmentInput ai = new AssessmentInput(d1.copy, kvCopies.isEmpty() ? null : kvCopies, null, suspectedSince.toString(),
        null, input.ruleSet(), null, null, null, null, null, null, null, input.incidentId(), DRILL_INITIATOR);
    String id = wf + "-assess";
    AssessmentReport report = record(d1, "assess", "Assess the damage to " + d1.copy.label()
        + (kvCopies.isEmpty() ? "" : " and kv:" + String.join(", kv:", kvCopies)), AssessmentReport.class, () -> {
          CorruptionAssessment child = Workflow.newChildWorkflowStub(CorruptionAssessment.class,
              ChildWorkflowOptions.newBuilder().setWorkflowId(id).build());
          AssessmentReport r = child.run(ai, null);
          if (r.findings() == null || r.findings().isEmpty()) {
            throw ApplicationFailure.newNonRetryableFailure("the assessment found nothing wrong with the damaged copies",
                "DamageUndetected");
          }
          return r;
        }, r -> r.severity() + " severity, " + r.findings().size() + " finding(s), " + r.scope() + " scope; recommends "
            + (r.recommendation() == null ? "nothing" : r.recommendation().playbook()), id);
    if (report == null) {
      legs.stream().filter(l -> l != d1 && l.alive()).forEach(l -> skip(l, "recommendation",
          "Take the assessment's recommendation", "the assessment failed; the drill restores " + l.copy.label()
              + " from its recovery point"));
      return recommended;
    }
    for (Leg leg : legs) {
      if (!leg.alive()) {
        continue;
      }
      List<AssessmentReport.Action> actions = report.recommendation() == null || report.recommendation().actions() == null
          ? List.of() : report.recommendation().actions();
      AssessmentReport.Action action = actions.stream()
          .filter(a -> leg.copy.label().equalsIgnoreCase(a.component()) && a.pitr() != null).findFirst().orElse(null);
      List<String> found = report.findings().stream().filter(f -> leg.copy.label().equalsIgnoreCase(f.component()))
          .map(f -> f.id()).toList();
      if (found.isEmpty()) {
        fail(leg, "recommendation", "Find the damage to " + leg.copy.label() + " in the assessment",
            "the assessment reported no finding for " + leg.copy.label() + ", which the drill damaged");
        continue;
      }
      if (action == null) {
        String what = actions.stream().filter(a -> leg.copy.label().equalsIgnoreCase(a.component()))
            .map(AssessmentReport.Action::playbook).findFirst().orElse("nothing");
        pass(leg, "recommendation", "Take the assessment's recommendation for " + leg.copy.label(), 0,
            found.size() + " finding(s); it recommends " + what + ", which is not a point-in-time restore: the drill"
                + " restores from its recovery point " + leg.copyBackup.backupId() + " to measure the RTO");
        continue;
      }
      recommended.put(leg.component, action);
      pass(leg, "recommendation", "Take the assessment's recommendation for " + leg.copy.label(), 0,
          found.size() + " finding(s); " + action.playbook() + ": " + action.reason());
    }
    return recommended;
  }

  private void restoreAll(DrillInput input, List<Leg> legs, Map<String, AssessmentReport.Action> recommended,
      Instant detected, String wf) {
    ApprovalPolicy auto = ApprovalPolicy.autoApproveAll();
    List<Promise<RestoreReport>> running = new ArrayList<>();
    List<Leg> restoring = new ArrayList<>();
    Instant start = now();
    for (Leg leg : legs) {
      if (!leg.alive()) {
        skip(leg, "restore", "Restore " + leg.copy.label(), "an earlier step of " + leg.component + " failed");
        continue;
      }
      AssessmentReport.Action action = recommended.get(leg.component);
      PitrInput given = action == null ? null : action.pitr();
      leg.restoreInput = given != null
          ? new PitrInput(leg.copy, given.targetTime(), given.backupId(), given.method(), false, given.kvMode(),
              given.keys(), null, detected.toString(), input.incidentId(), DRILL_INITIATOR, auto)
          : new PitrInput(leg.copy, null, leg.copyBackup.backupId(), "backup", false,
              leg.component.equals("kv") ? "clear" : null, null, null, detected.toString(), input.incidentId(),
              DRILL_INITIATOR, auto);
      PointInTimeRestore child = Workflow.newChildWorkflowStub(PointInTimeRestore.class,
          ChildWorkflowOptions.newBuilder().setWorkflowId(wf + "-" + leg.component + "-restore").build());
      PitrInput in = leg.restoreInput;
      running.add(Async.function(child::run, in, null));
      restoring.add(leg);
    }
    if (restoring.isEmpty()) {
      return;
    }
    runtime.phase("Restoring " + String.join(" and ", restoring.stream().map(l -> l.copy.label()).toList())
        + " with PointInTimeRestore (auto-approved by the drill's recorded policy)");
    for (int i = 0; i < restoring.size(); i++) {
      Leg leg = restoring.get(i);
      String title = "Restore " + leg.copy.label() + " with PointInTimeRestore"
          + (recommended.containsKey(leg.component) ? " as recommended" : " from " + leg.copyBackup.backupId());
      String id = wf + "-" + leg.component + "-restore";
      try {
        leg.restore = running.get(i).get();
        double seconds = Duration.between(start, now()).toMillis() / 1000.0;
        pass(leg, "restore", title, seconds, leg.restore.recoveryPoint().description() + "; RTO "
            + Durations.human(leg.restore.rtoSeconds()) + " (target " + Durations.human(DrillTargets.rto(leg.component).toSeconds()) + ")", id);
      } catch (ChildWorkflowFailure | ActivityFailure | ApplicationFailure f) {
        double seconds = Duration.between(start, now()).toMillis() / 1000.0;
        leg.failedAt = "restore";
        record(new DrillReport.DrillStep(leg.component, "restore", title, DrillReport.Verdict.FAILED, seconds,
            reason(f), id));
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private BackupManifest backup(Leg leg, Target target, String tier, String workflowId, DrillInput input) {
    ChildWorkflowOptions options = ChildWorkflowOptions.newBuilder().setWorkflowId(workflowId).build();
    Map<String, String> labels = Map.of("purpose", "recovery drill", "drillWorkflow", Workflow.getInfo().getWorkflowId());
    if (leg.component.equals("kv")) {
      // auto: extends the namespace's chain when it has one, as the hourly schedule does.
      KvBackup child = Workflow.newChildWorkflowStub(KvBackup.class, options);
      return child.run(new KvBackupInput(List.of(target.value()), tier.equals("drill") ? "full" : "auto", null, tier,
          DRILL_INITIATOR, input.incidentId(), labels), null).get(0);
    }
    D1Backup child = Workflow.newChildWorkflowStub(D1Backup.class, options);
    return child.run(new D1BackupInput(null, target, tier, null, DRILL_INITIATOR, input.incidentId(), labels), null);
  }

  private static BackupManifest verified(BackupManifest m) {
    if (!m.usable()) {
      Verification v = m.verification();
      throw ApplicationFailure.newNonRetryableFailure("backup " + m.backupId() + " did not pass verification: "
          + (v == null || v.reasons() == null ? "no verdict" : String.join("; ", v.reasons())), "BackupVerificationFailed");
    }
    return m;
  }

  private List<BackupManifest> chainOf(BackupManifest last) {
    List<BackupManifest> chain = new ArrayList<>();
    chain.add(last);
    BackupManifest m = last;
    while (m.parentBackupId() != null) {
      m = backups.get(m.parentBackupId());
      chain.add(0, m);
    }
    return chain;
  }

  /** Null when both backups hold the same data, else what differs. */
  static String sameData(BackupManifest source, BackupManifest copy) {
    if ("kv".equals(source.kind())) {
      if (!Objects.equals(source.keyCount(), copy.keyCount())) {
        return copy.keyCount() + " keys in the copy, " + source.keyCount() + " in the source backup";
      }
      if (source.index() != null && copy.index() != null
          && !source.index().plaintextSha256().equals(copy.index().plaintextSha256())) {
        return "keys, values, metadata or expirations differ";
      }
      return null;
    }
    List<String> out = new ArrayList<>();
    List<Verification.TableCensus> a = source.verification().tables();
    List<Verification.TableCensus> b = copy.verification().tables();
    for (Verification.TableCensus t : a) {
      Verification.TableCensus c = b.stream().filter(x -> x.name().equals(t.name())).findFirst().orElse(null);
      if (c == null) {
        out.add("table " + t.name() + " is missing");
      } else if (c.rows() != t.rows()) {
        out.add(t.name() + ": " + c.rows() + " rows, " + t.rows() + " in the source backup");
      } else if (!Objects.equals(c.checksum(), t.checksum())) {
        out.add(t.name() + ": same row count, different contents");
      }
    }
    return out.isEmpty() ? null : String.join("; ", out);
  }

  private static ApprovalPlan plan(List<Leg> legs) {
    List<String> changes = new ArrayList<>();
    Map<String, String> details = new LinkedHashMap<>();
    for (Leg leg : legs) {
      changes.add("back up " + leg.source.label() + " and verify the backup (the source is only read)");
      changes.add("create " + leg.copy.label() + " if it is missing, and replace all its contents with that backup");
      changes.add("back up " + leg.copy.label() + ", then damage about a fifth of its "
          + (leg.component.equals("kv") ? "keys" : "rows"));
      changes.add("restore " + leg.copy.label() + " with PointInTimeRestore, auto-approved by this drill's recorded"
          + " policy");
      details.put(leg.component + ".source", leg.source.label());
      details.put(leg.component + ".copy", leg.copy.label());
    }
    return new ApprovalPlan("Run the recovery drill on scratch copies of the sources",
        String.join(", ", legs.stream().map(l -> l.copy.label()).toList()), changes,
        "everything in the drill copies (they are overwritten); nothing in the sources",
        "none needed: the sources are only read, and the copies are scratch", details);
  }

  private <T> T record(Leg leg, String step, String title, Class<T> type, Functions.Func<T> body,
      Function<T, String> detail) {
    return record(leg, step, title, type, body, detail, null);
  }

  private <T> T record(Leg leg, String step, String title, Class<T> type, Functions.Func<T> body,
      Function<T, String> detail, String workflowId) {
    if (!leg.alive()) {
      skip(leg, step, title, "an earlier step of " + leg.component + " failed (" + leg.failedAt + ")");
      return null;
    }
    Instant t0 = now();
    try {
      T result = runtime.step(leg.component + "-" + step, title, type, body);
      pass(leg, step, title, Duration.between(t0, now()).toMillis() / 1000.0, detail.apply(result), workflowId);
      return result;
    } catch (ActivityFailure | ChildWorkflowFailure | ApplicationFailure f) {
      leg.failedAt = step;
      record(new DrillReport.DrillStep(leg.component, step, title, DrillReport.Verdict.FAILED,
          Duration.between(t0, now()).toMillis() / 1000.0, reason(f), workflowId));
      runtime.warn(leg.component + " " + step + " failed: " + reason(f));
      return null;
    }
  }

  private void pass(Leg leg, String step, String title, double seconds, String detail) {
    pass(leg, step, title, seconds, detail, null);
  }

  private void pass(Leg leg, String step, String title, double seconds, String detail, String workflowId) {
    record(new DrillReport.DrillStep(leg.component, step, title, DrillReport.Verdict.PASSED, seconds, detail, workflowId));
  }

  private void fail(Leg leg, String step, String title, String detail) {
    leg.failedAt = step;
    runtime.warn(leg.component + " " + step + " failed: " + detail);
    record(new DrillReport.DrillStep(leg.component, step, title, DrillReport.Verdict.FAILED, 0, detail, null));
  }

  private void skip(Leg leg, String step, String title, String why) {
    record(new DrillReport.DrillStep(leg.component, step, title, DrillReport.Verdict.SKIPPED, 0, why, null));
  }

  private void record(DrillReport.DrillStep s) {
    steps.add(s);
    stepsDone++;
    runtime.progress(stepsDone, Math.max(stepsDone, stepsTotal), "steps",
        s.component() + " " + s.step() + ": " + s.verdict().name().toLowerCase(java.util.Locale.ROOT));
  }

  /** The innermost failure message: what actually went wrong. */
  static String reason(Throwable f) {
    String message = f.getMessage();
    for (Throwable t = f; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure af && af.getOriginalMessage() != null) {
        message = af.getOriginalMessage();
      }
    }
    return message;
  }

  private static String size(BackupManifest m) {
    return "kv".equals(m.kind()) ? m.keyCount() + " keys" : m.tables().size() + " tables, " + m.totalRows() + " rows";
  }

  // ---------------------------------------------------------------- report

  private DrillReport report(DrillInput input, List<Leg> legs, Instant started) {
    List<DrillReport.ComponentResult> results = new ArrayList<>();
    List<String> recommendations = new ArrayList<>();
    for (Leg leg : legs) {
      long rtoTarget = DrillTargets.rto(leg.component).toSeconds();
      long rpoTarget = DrillTargets.rpo(leg.component).toSeconds();
      Long rto = leg.restore == null ? null : leg.restore.rtoSeconds();
      Long rpo = leg.restore == null || leg.restore.recoveryPoint() == null || leg.damagedAt == null ? null
          : Math.max(0, Duration.between(leg.restore.recoveryPoint().at(), leg.damagedAt).toSeconds());
      boolean equal = leg.comparison != null && leg.comparison.equal();
      boolean passed = leg.alive() && rto != null && rto <= rtoTarget && rpo != null && rpo <= rpoTarget && equal;
      results.add(new DrillReport.ComponentResult(leg.component, leg.source.label(), leg.copy.label(), passed, rto,
          rtoTarget, rpo, rpoTarget, leg.exposureSeconds,
          leg.restore == null ? null : leg.restore.recoveryPoint().description(),
          leg.sourceBackup == null ? null : leg.sourceBackup.backupId(), leg.comparison == null ? null : equal,
          leg.comparison == null ? null : leg.comparison.differences()));
      recommendations.addAll(recommendationsFor(leg, rto, rtoTarget, rpo, rpoTarget));
    }
    boolean passed = results.stream().allMatch(DrillReport.ComponentResult::passed)
        && steps.stream().noneMatch(s -> s.verdict() == DrillReport.Verdict.FAILED);
    ApprovalPolicy p = runtime.policy();
    String policy = "drill gate: " + (p.autoApprove().isEmpty() ? "approved by a person"
        : "auto-approve " + String.join(", ", p.autoApprove()) + " (recorded policy)")
        + "; child restores: auto-approve * with separation of duties off, started by " + DRILL_INITIATOR;
    Instant finished = now();
    DrillReport r = new DrillReport(passed, started, finished, policy, results, List.copyOf(steps), recommendations, null);
    String decisions = decisions(runtime.status());
    runtime.outcome((passed ? "Drill passed. " : "Drill FAILED. ") + String.join(" ", results.stream().map(c ->
        c.component() + (c.passed() ? " passed" : " failed") + (c.rtoSeconds() == null ? "" : ", RTO "
            + Durations.human(c.rtoSeconds()) + " against " + Durations.human(c.rtoTargetSeconds())) + ".").toList()));
    return r.withMarkdown(DrillMarkdown.render(r, decisions));
  }

  private static List<String> recommendationsFor(Leg leg, Long rto, long rtoTarget, Long rpo, long rpoTarget) {
    List<String> out = new ArrayList<>();
    String name = leg.component.toUpperCase(java.util.Locale.ROOT);
    if (!leg.alive()) {
      out.add(name + ": the drill stopped at step '" + leg.failedAt + "'; fix that first (see the step's detail), then"
          + " run the drill again.");
    }
    if (rto != null) {
      out.add(name + ": RTO " + Durations.human(rto) + " against a " + Durations.human(rtoTarget) + " target"
          + (rto > rtoTarget ? " — exceeded: restore sooner (smaller backups, Time Travel for D1) or revisit the target."
              : rto * 2 > rtoTarget ? " — within target but with less than half of it to spare at this size." : "."));
    }
    if (rpo != null && rpo > rpoTarget) {
      out.add(name + ": the recovery point was " + Durations.human(rpo) + " old when the damage happened, beyond the "
          + Durations.human(rpoTarget) + " RPO target.");
    }
    if (leg.exposureSeconds == null) {
      out.add(name + ": no verified backup of " + leg.source.label() + " existed before this drill, so an incident then"
          + " would have lost everything: turn on the backup schedules (lifeline schedules apply).");
    } else if (leg.exposureSeconds > rpoTarget) {
      out.add(name + ": the newest verified backup of " + leg.source.label() + " was " + Durations.human(leg.exposureSeconds)
          + " old when the drill started, beyond the " + Durations.human(rpoTarget) + " RPO target: check the backup schedule.");
    }
    return out;
  }

  private static String decisions(PlaybookStatus status) {
    List<String> out = new ArrayList<>();
    for (PlaybookStatus.DecisionRecord d : status.decisions()) {
      out.add(d.at() + " " + d.action() + " " + (d.step() == null ? "" : d.step() + " ") + "by " + d.by() + " ("
          + d.via() + ")" + (d.comment() == null ? "" : ": " + d.comment()));
    }
    return String.join("\n", out);
  }


  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
