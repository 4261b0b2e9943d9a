package dev.lifeline.workflows.testing;

import dev.lifeline.workflows.playbook.AbstractPlaybook;
import dev.lifeline.workflows.playbook.ApprovalPlan;
import dev.lifeline.workflows.playbook.PlaybookCheckpoint;
import dev.lifeline.workflows.playbook.UndoAction;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The rehearsal playbook; see {@link GateRehearsal}. */
public class GateRehearsalImpl extends AbstractPlaybook implements GateRehearsal {
  private final RehearsalActivities acts =
      Workflow.newActivityStub(
          RehearsalActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofMinutes(5))
              .setHeartbeatTimeout(Duration.ofSeconds(5))
              .setRetryOptions(
                  RetryOptions.newBuilder()
                      .setMaximumAttempts(10)
                      .setInitialInterval(Duration.ofMillis(500))
                      .build())
              .build());

  /** Creates the runtime before any handler runs. */
  @WorkflowInit
  public GateRehearsalImpl(RehearsalInput input, PlaybookCheckpoint checkpoint) {
    super(TYPE, input, checkpoint);
  }

  @Override
  public RehearsalResult run(RehearsalInput input, PlaybookCheckpoint checkpoint) {
    return runtime.execute(
        () -> {
          String t = input.target();
          long millis = input.inspectMillis() == null ? 0 : input.inspectMillis();
          int rows =
              runtime.step("inspect", "Inspect " + t, Integer.class, () -> acts.inspect(t, millis));
          String snap =
              runtime.step("safety", "Take a safety snapshot", String.class, () -> acts.snapshot(t));
          runtime.fact("safetySnapshot", snap);
          runtime.requireApproval(
              "apply",
              "Rewrite all " + rows + " rows of " + t + ".",
              new ApprovalPlan(
                  "Rewrite every row of " + t,
                  "memory:" + t,
                  List.of("rewrite " + rows + " rows"),
                  "none: the old values are in " + snap,
                  "restore snapshot " + snap,
                  Map.of("rows", Integer.toString(rows))));
          runtime.registerUndo(
              new UndoAction(
                  "restore-" + snap,
                  "restore-snapshot",
                  "Restore " + t + " from " + snap,
                  Map.of("target", t, "snapshot", snap)));
          int rewritten =
              runtime.destructiveStep("apply", "Rewrite rows", Integer.class, () -> acts.apply(t));
          boolean fail = Boolean.TRUE.equals(input.failVerify());
          runtime.step("verify", "Verify the rewrite", () -> acts.verify(t, fail));
          runtime.requireApproval(
              "finalize",
              "Mark " + t + " as finalized.",
              new ApprovalPlan(
                  "Mark " + t + " finalized",
                  "memory:" + t,
                  List.of("add the finalized marker row"),
                  "none",
                  "restore snapshot " + snap,
                  null));
          runtime.destructiveStep(
              "finalize",
              "Finalize",
              Void.class,
              () -> {
                acts.finalizeTable(t);
                return null;
              });
          runtime.outcome("Rewrote " + rewritten + " rows of " + t + " and finalized it.");
          return new RehearsalResult(t, rewritten, snap);
        });
  }

  @Override
  public String undo(UndoAction action) {
    if (action.kind().equals("restore-snapshot")) {
      return acts.restore(action.param("target"), action.param("snapshot"));
    }
    return super.undo(action);
  }
}
