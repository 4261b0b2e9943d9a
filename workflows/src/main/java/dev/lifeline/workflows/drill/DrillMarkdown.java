package dev.lifeline.workflows.drill;

import dev.lifeline.workflows.playbook.Durations;
import java.time.Duration;
import java.util.Locale;

/** Renders a {@link DrillReport} as Markdown: the monthly drill's write-up. */
final class DrillMarkdown {
  private DrillMarkdown() {}

  static String render(DrillReport r, String decisions) {
    StringBuilder b = new StringBuilder();
    b.append("# Recovery drill: ").append(r.passed() ? "PASSED" : "FAILED").append("\n\n");
    b.append("Started ").append(r.startedAt()).append(", finished ").append(r.finishedAt()).append(" (")
        .append(Durations.human(Duration.between(r.startedAt(), r.finishedAt()).toSeconds())).append(")  \n");
    b.append("Approval: ").append(r.policy()).append("\n\n");

    b.append("## RTO and RPO\n\n");
    b.append("| component | source → drill copy | RTO | target | RPO | target | newest backup before the drill | data equal | result |\n");
    b.append("|---|---|---:|---:|---:|---:|---:|---|---|\n");
    for (DrillReport.ComponentResult c : r.components()) {
      b.append("| ").append(c.component()).append(" | ").append(c.source()).append(" → ").append(c.copy())
          .append(" | ").append(c.rtoSeconds() == null ? "—" : Durations.human(c.rtoSeconds()))
          .append(" | ").append(Durations.human(c.rtoTargetSeconds()))
          .append(" | ").append(c.rpoSeconds() == null ? "—" : Durations.human(c.rpoSeconds()))
          .append(" | ").append(Durations.human(c.rpoTargetSeconds()))
          .append(" | ").append(c.exposureSeconds() == null ? "none" : Durations.human(c.exposureSeconds()) + " old")
          .append(" | ").append(c.dataEqual() == null ? "—" : c.dataEqual() ? "yes" : "**no**")
          .append(" | ").append(c.passed() ? "pass" : "**FAIL**").append(" |\n");
    }
    b.append("\nRTO: from the damage being in place to the restored copy validated (assessment included).")
        .append(" RPO: the age of the recovery point when the damage happened.\n");

    b.append("\n## Steps\n\n| component | step | result | time | detail |\n|---|---|---|---:|---|\n");
    for (DrillReport.DrillStep s : r.steps()) {
      b.append("| ").append(s.component()).append(" | ").append(s.step()).append(" | ")
          .append(s.verdict() == DrillReport.Verdict.FAILED ? "**FAILED**" : s.verdict().name().toLowerCase(Locale.ROOT))
          .append(" | ").append(String.format(Locale.ROOT, "%.1f s", s.seconds())).append(" | ")
          .append(cell(s.detail())).append(s.workflowId() == null ? "" : " (`" + s.workflowId() + "`)").append(" |\n");
    }
    if (!r.recommendations().isEmpty()) {
      b.append("\n## Recommendations\n\n");
      r.recommendations().forEach(x -> b.append("- ").append(x).append('\n'));
    }
    if (decisions != null && !decisions.isBlank()) {
      b.append("\n## Decisions\n\n```\n").append(decisions).append("\n```\n");
    }
    return b.toString();
  }

  private static String cell(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }
}
