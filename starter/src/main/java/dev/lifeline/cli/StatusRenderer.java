package dev.lifeline.cli;

import dev.lifeline.workflows.playbook.ApprovalPlan;
import dev.lifeline.workflows.playbook.PlanHash;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import dev.lifeline.workflows.playbook.PlaybookStatus.DecisionRecord;
import dev.lifeline.workflows.playbook.PlaybookStatus.PendingApproval;
import dev.lifeline.workflows.playbook.PlaybookStatus.StepRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** Renders a {@link PlaybookStatus} as text a person reads at 3 a.m. */
final class StatusRenderer {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private StatusRenderer() {}

  static String render(PlaybookStatus s) {
    StringBuilder b = new StringBuilder();
    b.append(s.playbook()).append("  ").append(s.workflowId()).append('\n');
    b.append("  target ").append(or(s.target(), "-"));
    if (s.incidentId() != null) {
      b.append("   incident ").append(s.incidentId());
    }
    b.append("   started by ").append(or(s.initiatedBy(), "(unknown)"));
    if (s.startedAt() != null) {
      b.append(" at ").append(TIME.format(s.startedAt()));
    }
    if (s.runs() > 1) {
      b.append("   (").append(s.runs()).append(" runs)");
    }
    b.append("\n\n");
    b.append("State: ").append(s.state()).append(" — ").append(s.phase()).append('\n');
    if (s.progress() != null) {
      b.append("  progress: ").append(progress(s.progress())).append('\n');
    }
    if (s.outcome() != null) {
      b.append("Outcome: ").append(s.outcome()).append('\n');
    }
    if (!s.steps().isEmpty()) {
      b.append("\nSteps:\n");
      for (StepRecord step : s.steps()) {
        b.append("  ").append(step(step)).append('\n');
      }
    }
    if (s.pendingApproval() != null) {
      b.append('\n').append(pending(s.pendingApproval(), s.workflowId()));
    }
    if (!s.decisions().isEmpty()) {
      b.append("\nDecisions:\n");
      for (DecisionRecord d : s.decisions()) {
        b.append("  ").append(CLOCK.format(d.at())).append("  ").append(d.action()).append(' ')
            .append(or(d.step(), "")).append(" by ").append(d.by()).append(" (")
            .append(d.via().name().toLowerCase()).append(')');
        if (d.comment() != null) {
          b.append(" — ").append(d.comment());
        }
        if (d.reason() != null) {
          b.append(" — ").append(d.reason());
        }
        b.append('\n');
      }
    }
    if (!s.refused().isEmpty()) {
      b.append("\nRefused (not acted on):\n");
      for (PlaybookStatus.RefusedDecision r : s.refused()) {
        b.append("  ").append(CLOCK.format(r.at())).append("  ").append(or(r.action(), "?"))
            .append(' ').append(or(r.step(), "")).append(" by ").append(or(r.by(), "?"))
            .append(": ").append(r.reason()).append('\n');
      }
    }
    if (!s.escalations().isEmpty()) {
      b.append("\nEscalations:\n");
      for (PlaybookStatus.Escalation e : s.escalations()) {
        b.append("  ").append(CLOCK.format(e.at())).append("  level ").append(e.level())
            .append(" → ").append(e.to()).append(": ").append(e.reason()).append('\n');
      }
    }
    if (!s.findings().isEmpty()) {
      b.append("\nFindings:\n");
      for (PlaybookStatus.Finding f : s.findings()) {
        b.append("  [").append(f.severity()).append("] ").append(f.kind()).append(": ")
            .append(f.summary()).append('\n');
      }
    }
    if (!s.undo().isEmpty()) {
      b.append("\nUndo:\n");
      for (PlaybookStatus.UndoRecord u : s.undo()) {
        b.append("  ").append(u.outcome()).append("  ").append(u.description());
        if (u.detail() != null) {
          b.append(" — ").append(u.detail());
        }
        b.append('\n');
      }
    }
    if (s.facts() != null && !s.facts().isEmpty()) {
      b.append("\nFacts:\n");
      for (Map.Entry<String, String> f : s.facts().entrySet()) {
        b.append("  ").append(f.getKey()).append(": ").append(f.getValue()).append('\n');
      }
    }
    if (!s.warnings().isEmpty()) {
      b.append("\nWarnings:\n");
      for (String w : s.warnings()) {
        b.append("  ! ").append(w).append('\n');
      }
    }
    return b.toString();
  }

  static String step(StepRecord step) {
    String mark =
        switch (step.outcome()) {
          case SUCCEEDED, APPROVED, AUTO_APPROVED -> "✓";
          case FAILED, ABORTED -> "✗";
          case CANCELLED, SKIPPED -> "-";
          case RUNNING -> "…";
          case WAITING -> "?";
        };
    StringBuilder b = new StringBuilder();
    b.append(mark).append(' ').append(pad(step.id(), 18)).append(' ').append(pad(step.title(), 44));
    b.append(' ').append(step.startedAt() == null ? "        " : CLOCK.format(step.startedAt()));
    if (step.endedAt() != null) {
      b.append(" +").append(duration(Duration.between(step.startedAt(), step.endedAt())));
    }
    b.append("  ").append(step.outcome());
    if (step.destructive()) {
      b.append(" (destructive)");
    }
    if (step.detail() != null) {
      b.append(" — ").append(step.detail());
    }
    return b.toString();
  }

  static String pending(PendingApproval p, String workflowId) {
    StringBuilder b = new StringBuilder();
    b.append("Awaiting approval of step '").append(p.step()).append("' (")
        .append(p.approvedBy().size()).append(" of ").append(p.approvalsRequired())
        .append(" approvals");
    if (!p.approvedBy().isEmpty()) {
      b.append(": ").append(String.join(", ", p.approvedBy()));
    }
    b.append(")\n");
    if (p.escalatesAt() != null) {
      b.append("  escalates at ").append(TIME.format(p.escalatesAt()));
      if (p.escalationLevel() > 0) {
        b.append(" (escalated ").append(p.escalationLevel()).append(" time(s) so far)");
      }
      b.append('\n');
    }
    b.append("  ").append(p.summary()).append('\n');
    b.append(plan(p.plan(), p.planHash()));
    b.append("  Approve:  lifeline approve ").append(workflowId).append(" --as NAME --step ")
        .append(p.step()).append('\n');
    b.append("  Abort:    lifeline abort ").append(workflowId).append(" --as NAME --reason \"...\"\n");
    return b.toString();
  }

  static String plan(ApprovalPlan plan, String hash) {
    StringBuilder b = new StringBuilder();
    b.append("  Plan ").append(hash).append('\n');
    b.append("    action:    ").append(or(plan.action(), "-")).append('\n');
    b.append("    target:    ").append(or(plan.target(), "-")).append('\n');
    if (!plan.changes().isEmpty()) {
      b.append("    changes:\n");
      for (String c : plan.changes()) {
        b.append("      - ").append(c).append('\n');
      }
    }
    b.append("    data loss: ").append(or(plan.estimatedDataLoss(), "-")).append('\n');
    b.append("    undo:      ").append(or(plan.undo(), "-")).append('\n');
    for (Map.Entry<String, String> d : plan.details().entrySet()) {
      b.append("    ").append(d.getKey()).append(": ").append(d.getValue()).append('\n');
    }
    if (hash != null && !hash.equals(PlanHash.of(plan))) {
      b.append("    ! the plan does not match its hash; do not approve\n");
    }
    return b.toString();
  }

  static String progress(PlaybookStatus.Progress p) {
    StringBuilder b = new StringBuilder();
    b.append(p.done());
    if (p.total() > 0) {
      b.append(" / ").append(p.total());
    }
    if (p.unit() != null) {
      b.append(' ').append(p.unit());
    }
    if (p.total() > 0) {
      b.append(String.format(" (%.0f%%)", 100.0 * p.done() / p.total()));
    }
    if (p.message() != null) {
      b.append(" — ").append(p.message());
    }
    return b.toString();
  }

  static String duration(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return d.toMillis() < 10_000 ? String.format("%.1fs", d.toMillis() / 1000.0) : s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + String.format("%02d", s % 60) + "s";
    }
    return (s / 3600) + "h" + String.format("%02d", (s % 3600) / 60) + "m";
  }

  static String time(Instant t) {
    return t == null ? "-" : TIME.format(t);
  }

  private static String pad(String s, int width) {
    String v = s == null ? "" : s;
    if (v.length() >= width) {
      return v;
    }
    return v + " ".repeat(width - v.length());
  }

  private static String or(String s, String dflt) {
    return s == null ? dflt : s;
  }
}
