package dev.lifeline.workflows.backup;

import dev.lifeline.workflows.common.Target;
import dev.lifeline.workflows.playbook.AbstractPlaybook;
import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@link KvBackup} workflow. */
public class KvBackupImpl extends AbstractPlaybook implements KvBackup {
  private final BackupActivities catalog = BackupActivityStubs.backups();
  private final KvBackupActivities kv = BackupActivityStubs.kv();

  /** Creates the runtime before any handler runs. */
  @WorkflowInit
  public KvBackupImpl(KvBackupInput input, PlaybookCheckpoint checkpoint) {
    super(TYPE, input, checkpoint);
  }

  @Override
  public List<BackupManifest> run(KvBackupInput input, PlaybookCheckpoint checkpoint) {
    return runtime.execute(
        () -> {
          List<BackupManifest> done = new ArrayList<>();
          for (String namespace : input.namespaces()) {
            done.add(backUp(input, namespace));
          }
          long keys = done.stream().mapToLong(m -> m.keyCount() == null ? 0 : m.keyCount()).sum();
          runtime.outcome(
              "KV backup of " + done.size()
                  + " namespace(s) verified: " + keys + " keys. Backups: "
                  + String.join(", ", done.stream().map(BackupManifest::backupId).toList()) + ".");
          return done;
        });
  }

  private BackupManifest backUp(KvBackupInput input, String namespace) {
    String ns = BackupIds.safe(namespace);
    Instant at = Instant.ofEpochMilli(Workflow.currentTimeMillis());
    List<BackupManifest> chain = new ArrayList<>();
    if (input.incremental()) {
      chain.addAll(parentChain(input, namespace, true));
    } else if (input.auto()) {
      chain.addAll(parentChain(input, namespace, false));
      if (chain.size() >= KvBackupInput.MAX_CHAIN) {
        chain.clear();
      }
    }
    BackupManifest parent = chain.isEmpty() ? null : chain.get(chain.size() - 1);
    String backupId =
        runtime.step("plan-" + ns, "Name the backup of " + namespace, String.class,
            () -> BackupIds.newId(Target.kv(namespace), at, Workflow.randomUUID().toString()));
    Map<String, String> labels = new LinkedHashMap<>();
    if (input.labels() != null) {
      labels.putAll(input.labels());
    }
    if (input.incidentId() != null) {
      labels.put("incident", input.incidentId());
    }
    labels.put("workflowId", Workflow.getInfo().getWorkflowId());
    KvCaptureRequest request =
        new KvCaptureRequest(backupId, namespace, parent, input.tierOrDefault(), at, labels);
    BackupManifest draft =
        runtime.step("capture-" + ns,
            (parent == null ? "Full" : "Incremental") + " capture of KV " + namespace,
            BackupManifest.class, () -> kv.capture(request));
    runtime.step("record-" + ns, "Record the manifest of " + backupId, BackupManifest.class,
        () -> catalog.saveManifest(draft.withVerification(Verification.pending())));
    chain.add(draft);
    List<BackupManifest> toVerify = List.copyOf(chain);
    Verification verdict =
        runtime.step("verify-" + ns, "Verify by replaying the chain of " + backupId, Verification.class,
            () -> kv.verify(toVerify));
    BackupManifest recorded =
        runtime.step("record-verified-" + ns, "Record the verdict of " + backupId, BackupManifest.class,
            () -> catalog.saveManifest(draft.withVerification(verdict)));
    if (verdict.status() != Verification.Status.PASSED) {
      throw ApplicationFailure.newNonRetryableFailure(
          "KV backup " + backupId + " failed verification: " + String.join("; ", verdict.reasons()),
          "BackupVerificationFailed");
    }
    runtime.fact("backup:" + namespace, backupId);
    return recorded;
  }

  /** The chain an incremental continues: base first, newest last. */
  private List<BackupManifest> parentChain(KvBackupInput input, String namespace, boolean required) {
    String ns = BackupIds.safe(namespace);
    BackupManifest latest;
    if (input.baseBackupId() != null) {
      latest = runtime.step("find-parent-" + ns, "Read backup " + input.baseBackupId(), BackupManifest.class,
          () -> catalog.get(input.baseBackupId()));
    } else {
      BackupQuery q = new BackupQuery("kv", namespace, true, 1);
      BackupManifest[] found =
          runtime.step("find-parent-" + ns, "Find the latest verified backup of " + namespace,
              BackupManifest[].class, () -> catalog.list(q).toArray(new BackupManifest[0]));
      if (found.length == 0 && !required) {
        return List.of();
      }
      if (found.length == 0) {
        throw ApplicationFailure.newNonRetryableFailure(
            "no verified backup of KV namespace " + namespace + " to continue from; take a full backup first",
            "NotFound");
      }
      latest = found[0];
    }
    if (!latest.usable()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "backup " + latest.backupId() + " is not verified; an incremental cannot build on it", "NotFound");
    }
    // Walk parents back to the full backup.
    List<BackupManifest> chain = new ArrayList<>();
    chain.add(latest);
    BackupManifest cursor = latest;
    int hop = 0;
    while (cursor.parentBackupId() != null) {
      String parentId = cursor.parentBackupId();
      cursor = runtime.step("chain-" + ns + "-" + (++hop), "Read backup " + parentId, BackupManifest.class,
          () -> catalog.get(parentId));
      chain.add(0, cursor);
    }
    return chain;
  }
}
