package dev.lifeline.workflows.pitr;

import dev.lifeline.workflows.backup.BackupActivities;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.D1Backup;
import dev.lifeline.workflows.backup.D1BackupInput;
import dev.lifeline.workflows.backup.KvBackup;
import dev.lifeline.workflows.backup.KvBackupActivities;
import dev.lifeline.workflows.backup.KvBackupInput;
import dev.lifeline.workflows.backup.Verification;
import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.playbook.AbstractPlaybook;
import dev.lifeline.workflows.playbook.ApprovalPlan;
import dev.lifeline.workflows.playbook.Durations;
import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import dev.lifeline.workflows.playbook.UndoAction;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@link PointInTimeRestore} workflow. */
public class PointInTimeRestoreImpl extends AbstractPlaybook implements PointInTimeRestore {
  private final RestoreActivities restores = PitrActivityStubs.restores();
  private final BackupActivities backups = PitrActivityStubs.backups();
  private final KvBackupActivities kvBackups = PitrActivityStubs.kvBackups();
  /** The restorable window read at the start, for the report. */
  private RecoveryWindow window;

  /** Creates the runtime before any handler runs. */
  @WorkflowInit
  public PointInTimeRestoreImpl(PitrInput input, PlaybookCheckpoint checkpoint) {
    super(TYPE, input, checkpoint);
  }

  @Override
  public RestoreReport run(PitrInput input, PlaybookCheckpoint checkpoint) {
    return runtime.execute(() -> restore(input));
  }

  private RestoreReport restore(PitrInput input) {
    Target target = input.target();
    Instant started = PlaybookTime.now();
    Instant detected = input.detectedInstant() != null ? input.detectedInstant() : runtime.status().startedAt();

    // 1. The real restorable window, then the recovery point.
    RecoveryWindow window =
        runtime.step("window", "Read the restorable window of " + target.label(), RecoveryWindow.class,
            () -> restores.window(target));
    this.window = window;
    runtime.fact("backupsAvailable", Integer.toString(window.backups().size()));
    if (!window.backups().isEmpty()) {
      runtime.fact("verifiedBackups", String.join(", ", window.backups().stream().limit(5)
          .map(b -> b.backupId() + " (" + b.tier() + ", " + b.at() + ")").toList())
          + (window.backups().size() > 5 ? " and " + (window.backups().size() - 5) + " older" : ""));
    }
    if (window.timeTravelAvailable()) {
      runtime.fact("timeTravelWindow", window.timeTravelEarliest() + " .. " + window.timeTravelLatest());
    }
    RecoveryPoint point =
        RecoveryPoints.choose(window, input.methodOrDefault(), input.targetInstant(), input.backupId(), started);
    runtime.fact("recoveryPoint", point.description());

    // 2. Validate it.
    List<BackupManifest> chain = new ArrayList<>();
    Verification validation = null;
    String bookmark = null;
    if (point.method().equals(RecoveryPoint.BACKUP)) {
      chain.addAll(chainOf(point.backupId()));
      List<BackupManifest> toVerify = List.copyOf(chain);
      validation =
          target.kind() == Target.Kind.KV
              ? runtime.step("validate", "Validate the KV backup chain by replaying it locally", Verification.class,
                  () -> kvBackups.verify(toVerify))
              : runtime.step("validate", "Validate backup " + point.backupId() + " by restoring it locally",
                  Verification.class, () -> backups.verify(toVerify.get(toVerify.size() - 1)));
      if (validation.status() != Verification.Status.PASSED) {
        throw ApplicationFailure.newNonRetryableFailure(
            "backup " + point.backupId() + " failed validation, so nothing was changed: "
                + String.join("; ", validation.reasons()),
            "BackupVerificationFailed");
      }
    } else {
      Instant at = point.at();
      bookmark = runtime.step("validate", "Find the Time Travel bookmark at " + at, String.class,
          () -> restores.bookmark(target, at));
      runtime.fact("bookmark", bookmark);
    }
    if (Boolean.TRUE.equals(input.validateOnly())) {
      runtime.outcome("Validate only: " + point.description() + " is usable"
          + (validation == null ? " (bookmark " + bookmark + ")" : " (" + validation.tables().size() + " tables checked)")
          + ". Nothing was changed.");
      return report(input, point, validation, null, null, null, null, detected, null, null);
    }

    // 3. A safety point: the undo handle.
    String safetyBookmark = null;
    if (target.kind() == Target.Kind.D1 && window.timeTravelAvailable()) {
      safetyBookmark = runtime.step("safety-bookmark", "Record the current Time Travel bookmark", String.class,
          () -> restores.bookmark(target, null));
      runtime.fact("safetyBookmark", safetyBookmark);
    }
    String safetyBackupId = null;
    if (!Boolean.FALSE.equals(input.safetyBackup())) {
      safetyBackupId = runtime.step("safety-backup", "Take a pre-restore backup of " + target.label(), String.class,
          () -> safetyBackup(input));
      runtime.fact("safetyBackupId", safetyBackupId);
    }
    if (safetyBookmark == null && safetyBackupId == null && target.kind() != Target.Kind.SQLITE) {
      runtime.warn("no safety point was taken (safetyBackup is false and Time Travel is unavailable):"
          + " this restore cannot be undone");
    }

    // 4. Approval with the exact plan.
    Instant lossFrom = point.at();
    Duration loss = Duration.between(lossFrom, started);
    String undo = undoText(target, safetyBookmark, safetyBackupId);
    runtime.requireApproval(
        "restore",
        "Restore " + target.label() + " to " + point.description() + ". Everything written after "
            + lossFrom + " (about " + Durations.human(loss) + ") will be lost. Undo: " + undo + ".",
        new ApprovalPlan(
            "Replace the contents of " + target.label() + " with " + point.description(),
            target.label(),
            changes(target, point, chain, input),
            "writes after " + lossFrom + " (about " + Durations.human(loss) + " of data)",
            undo,
            details(point, safetyBookmark, safetyBackupId)));

    // 5. Restore; register the undo first.
    Instant restoreStarted = PlaybookTime.now();
    RestoreOutcome outcome;
    String restoreId = Workflow.getInfo().getWorkflowId() + "-restore";
    if (safetyBookmark != null) {
      runtime.registerUndo(new UndoAction("undo-restore", "d1-time-travel",
          "Restore " + target.label() + " to its pre-restore bookmark " + safetyBookmark,
          Map.of("target", target.label(), "bookmark", safetyBookmark)));
    } else if (safetyBackupId != null && target.kind() != Target.Kind.SQLITE) {
      runtime.registerUndo(new UndoAction("undo-restore", "restore-safety-backup",
          "Restore " + target.label() + " from the safety backup " + safetyBackupId,
          Map.of("target", target.label(), "backupId", safetyBackupId)));
    }
    if (point.method().equals(RecoveryPoint.TIME_TRAVEL)) {
      String b = bookmark;
      outcome = runtime.destructiveStep("restore", "Restore " + target.label() + " to bookmark " + b,
          RestoreOutcome.class, () -> restores.restoreTimeTravel(target, b));
    } else {
      RestoreRequest request =
          new RestoreRequest(restoreId, target, List.copyOf(chain), input.kvModeOrDefault(), input.keys());
      outcome = runtime.destructiveStep("restore", "Restore " + target.label() + " from " + point.backupId(),
          RestoreOutcome.class, () -> restores.restore(request));
      if (outcome.preservedOriginal() != null) {
        runtime.registerUndo(new UndoAction("undo-swap", "sqlite-swap-back",
            "Put the original " + target.value() + " back from " + outcome.preservedOriginal(),
            Map.of("target", target.label(), "preserved", outcome.preservedOriginal())));
        runtime.fact("preservedOriginal", outcome.preservedOriginal());
      }
    }
    if (outcome.previousBookmark() != null) {
      runtime.fact("previousBookmark", outcome.previousBookmark());
    }

    // 6. Validate after.
    List<BackupManifest.TableManifest> expected = expectations(target, chain, input);
    // A Time Travel point was not checked beforehand, so its foreign keys are reported, not judged.
    long fkAllowed = validation == null ? Long.MAX_VALUE : validation.foreignKeyViolations();
    TargetCheck check = runtime.step("validate-after", "Check " + target.label() + " after the restore",
        TargetCheck.class, () -> restores.check(target, expected, fkAllowed));
    if (!check.passed()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the restored " + target.label() + " did not pass its checks: " + String.join("; ", check.problems()),
          "RestoreValidationFailed");
    }
    Instant restored = PlaybookTime.now();
    long rto = Duration.between(detected, restored).toSeconds();
    runtime.fact("rtoSeconds", Long.toString(rto));
    runtime.outcome("Restored " + target.label() + " to " + point.description() + " and validated it. RTO "
        + Durations.human(Duration.ofSeconds(rto)) + "; data written between " + lossFrom + " and " + restoreStarted
        + " is lost. Undo: " + undo + ".");
    return report(input, point, validation, safetyBookmark, safetyBackupId, outcome, check, detected, restored,
        restoreStarted);
  }

  private List<BackupManifest> chainOf(String backupId) {
    List<BackupManifest> chain = new ArrayList<>();
    BackupManifest m = runtime.step("read-backup", "Read backup " + backupId, BackupManifest.class,
        () -> backups.get(backupId));
    chain.add(m);
    int hop = 0;
    while (m.parentBackupId() != null) {
      String parent = m.parentBackupId();
      m = runtime.step("read-backup-" + (++hop), "Read backup " + parent, BackupManifest.class,
          () -> backups.get(parent));
      chain.add(0, m);
    }
    return chain;
  }

  private String safetyBackup(PitrInput input) {
    Target target = input.target();
    ChildWorkflowOptions options =
        ChildWorkflowOptions.newBuilder().setWorkflowId(Workflow.getInfo().getWorkflowId() + "-safety").build();
    Map<String, String> labels = Map.of("purpose", "pre-restore safety point", "restoreWorkflow",
        Workflow.getInfo().getWorkflowId());
    if (target.kind() == Target.Kind.KV) {
      KvBackup child = Workflow.newChildWorkflowStub(KvBackup.class, options);
      List<BackupManifest> done = child.run(
          new KvBackupInput(List.of(target.value()), "full", null, "pre-restore", input.initiatedBy(),
              input.incidentId(), labels), null);
      return done.get(0).backupId();
    }
    D1Backup child = Workflow.newChildWorkflowStub(D1Backup.class, options);
    BackupManifest m = child.run(
        new D1BackupInput(null, target, "pre-restore", null, input.initiatedBy(), input.incidentId(), labels), null);
    return m.backupId();
  }

  @Override
  public String undo(UndoAction action) {
    Target target = Target.parse(action.param("target"));
    return switch (action.kind()) {
      case "d1-time-travel" -> restores.restoreTimeTravel(target, action.param("bookmark")).detail();
      case "sqlite-swap-back" -> restores.swapBack(target, action.param("preserved")).detail();
      case "restore-safety-backup" -> {
        // Undo runs outside the step journal (an abort is in progress), so read the chain directly.
        List<BackupManifest> chain = new ArrayList<>();
        BackupManifest m = backups.get(action.param("backupId"));
        chain.add(m);
        while (m.parentBackupId() != null) {
          m = backups.get(m.parentBackupId());
          chain.add(0, m);
        }
        String mode = target.kind() == Target.Kind.KV ? "clear" : null;
        yield restores.restore(new RestoreRequest(Workflow.getInfo().getWorkflowId() + "-undo", target, chain,
            mode, null)).detail();
      }
      default -> super.undo(action);
    };
  }

  private static List<String> changes(Target target, RecoveryPoint point, List<BackupManifest> chain, PitrInput input) {
    List<String> changes = new ArrayList<>();
    switch (target.kind()) {
      case D1 -> {
        if (point.method().equals(RecoveryPoint.TIME_TRAVEL)) {
          changes.add("D1 Time Travel restore of " + target.value() + " to " + point.at()
              + " (every table, in place; in-flight queries are cancelled)");
        } else {
          BackupManifest m = chain.get(chain.size() - 1);
          changes.add("drop every table, index, view and trigger of " + target.value()
              + " and recreate them from the backup, in one import transaction");
          changes.add("load " + m.tables().size() + " tables (" + m.totalRows() + " rows)");
          if (m.skippedVirtualTables() != null && !m.skippedVirtualTables().isEmpty()) {
            changes.add("rebuild " + m.skippedVirtualTables().size() + " virtual table(s) from their DDL");
          }
          if (m.labels() != null && m.labels().containsKey("virtualTablesRestoredEmpty")) {
            changes.add("LOSES the rows of virtual table(s) " + m.labels().get("virtualTablesRestoredEmpty"));
          }
        }
      }
      case SQLITE -> {
        BackupManifest m = chain.get(chain.size() - 1);
        changes.add("write the backup to a new file beside " + target.value() + " and swap it in atomically"
            + " (the current file is kept)");
        changes.add(m.tables().size() + " tables, " + m.totalRows() + " rows");
      }
      case KV -> {
        BackupManifest m = chain.get(chain.size() - 1);
        String scope = input.keys() == null ? "every key" : input.keys().size() + " key(s)";
        changes.add("write " + scope + " of the backup (" + m.keyCount() + " keys at " + m.createdAt() + ") to "
            + target.value() + " with values, metadata and expirations; mode " + input.kvModeOrDefault());
        if ("clear".equals(input.kvModeOrDefault())) {
          changes.add("delete keys that are not in the backup");
        }
      }
    }
    return changes;
  }

  private static Map<String, String> details(RecoveryPoint point, String safetyBookmark, String safetyBackupId) {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("recoveryPoint", point.description());
    if (point.backupId() != null) {
      d.put("backupId", point.backupId());
    }
    if (safetyBookmark != null) {
      d.put("safetyBookmark", safetyBookmark);
    }
    if (safetyBackupId != null) {
      d.put("safetyBackupId", safetyBackupId);
    }
    return d;
  }

  private static String undoText(Target target, String bookmark, String backupId) {
    List<String> parts = new ArrayList<>();
    if (bookmark != null) {
      parts.add("Time Travel back to bookmark " + bookmark);
    }
    if (target.kind() == Target.Kind.SQLITE) {
      parts.add("swap the preserved original file back");
    }
    if (backupId != null) {
      parts.add("restore the safety backup " + backupId);
    }
    return parts.isEmpty() ? "none (no safety point)" : String.join(", or ", parts);
  }

  private static List<BackupManifest.TableManifest> expectations(
      Target target, List<BackupManifest> chain, PitrInput input) {
    if (chain.isEmpty()) {
      return List.of();
    }
    BackupManifest m = chain.get(chain.size() - 1);
    if (target.kind() == Target.Kind.KV) {
      // Exact key counts are only expected when the namespace is made equal to the backup.
      if ("clear".equals(input.kvModeOrDefault()) && input.keys() == null && m.keyCount() != null) {
        return List.of(new BackupManifest.TableManifest(target.value(), m.keyCount(), null, null, null, null));
      }
      return List.of();
    }
    return m.tables();
  }

  private RestoreReport report(
      PitrInput input, RecoveryPoint point, Verification validation, String safetyBookmark, String safetyBackupId,
      RestoreOutcome outcome, TargetCheck check, Instant detected, Instant restored, Instant restoreStarted) {
    Long rto = restored == null ? null : Duration.between(detected, restored).toSeconds();
    List<String> decisions = new ArrayList<>();
    for (PlaybookStatus.DecisionRecord d : runtime.status().decisions()) {
      decisions.add(d.at() + " " + d.action() + " " + (d.step() == null ? "" : d.step() + " ") + "by " + d.by()
          + " (" + d.via() + ")" + (d.comment() == null ? "" : ": " + d.comment()));
    }
    RestoreReport r = new RestoreReport(input.target().label(), window, point, Boolean.TRUE.equals(input.validateOnly()),
        validation, safetyBookmark, safetyBackupId, outcome, check, detected, restored, rto,
        point.at(), restoreStarted, decisions, null);
    return new RestoreReport(r.target(), r.window(), r.recoveryPoint(), r.validateOnly(), r.validation(), r.safetyBookmark(),
        r.safetyBackupId(), r.restore(), r.check(), r.detectedAt(), r.restoredAt(), r.rtoSeconds(),
        r.dataLossFrom(), r.dataLossTo(), r.decisions(), RestoreMarkdown.render(r, runtime.status()));
  }

}
