package dev.lifeline.workflows.pitr;

import dev.lifeline.workflows.playbook.PlaybookStatus;

/** Renders a {@link RestoreReport} as Markdown for the incident channel and the CLI. */
final class RestoreMarkdown {
  private static final int MAX_BACKUPS_LISTED = 10;

  private RestoreMarkdown() {}

  static String render(RestoreReport r, PlaybookStatus s) {
    StringBuilder b = new StringBuilder();
    b.append("# Point-in-time restore of `").append(r.target()).append("`\n\n");
    if (s.incidentId() != null) {
      b.append("Incident: ").append(s.incidentId()).append("  \n");
    }
    b.append("Workflow: `").append(s.workflowId()).append("`  \n");
    b.append("Recovery point: ").append(r.recoveryPoint().description()).append("  \n");
    if (r.window() != null) {
      RecoveryWindow w = r.window();
      b.append("\n## Restorable window\n\n");
      b.append("- Time Travel: ").append(w.timeTravelAvailable()
          ? w.timeTravelEarliest() + " to " + w.timeTravelLatest()
          : "not available" + (w.timeTravelReason() == null ? "" : " (" + w.timeTravelReason() + ")")).append('\n');
      b.append("- Verified backups: ").append(w.backups().isEmpty() ? "none" : Integer.toString(w.backups().size()))
          .append("\n");
      if (!w.backups().isEmpty()) {
        b.append("\n| backup | taken | tier | rows |\n|---|---|---|---:|\n");
        w.backups().stream().limit(MAX_BACKUPS_LISTED).forEach(p -> b.append("| `").append(p.backupId()).append("` | ")
            .append(p.at()).append(" | ").append(p.tier()).append(" | ").append(p.rows()).append(" |\n"));
        if (w.backups().size() > MAX_BACKUPS_LISTED) {
          b.append("\n… and ").append(w.backups().size() - MAX_BACKUPS_LISTED).append(" older.\n");
        }
      }
      b.append('\n');
    }
    if (r.validateOnly()) {
      b.append("\n**Validate only**: the recovery point is usable; nothing was changed.\n");
    }
    if (r.validation() != null) {
      b.append("\n## Validation of the backup\n\n");
      b.append("Verdict: **").append(r.validation().status()).append("**, integrity `")
          .append(r.validation().integrityCheck()).append("`, foreign-key violations ")
          .append(r.validation().foreignKeyViolations()).append("\n\n");
      b.append("| table | rows |\n|---|---:|\n");
      r.validation().tables().forEach(t -> b.append("| ").append(t.name()).append(" | ").append(t.rows()).append(" |\n"));
    }
    if (r.restore() != null) {
      b.append("\n## Restore\n\n").append(r.restore().detail()).append("\n\n");
      b.append("Undo handles: ");
      if (r.safetyBookmark() != null) {
        b.append("bookmark `").append(r.safetyBookmark()).append("` ");
      }
      if (r.safetyBackupId() != null) {
        b.append("backup `").append(r.safetyBackupId()).append("` ");
      }
      if (r.restore().previousBookmark() != null) {
        b.append("previous bookmark `").append(r.restore().previousBookmark()).append("` ");
      }
      if (r.restore().preservedOriginal() != null) {
        b.append("original file `").append(r.restore().preservedOriginal()).append("`");
      }
      b.append("\n");
    }
    if (r.check() != null) {
      b.append("\n## After the restore\n\n");
      b.append("Checks: **").append(r.check().passed() ? "passed" : "FAILED").append("**, integrity `")
          .append(r.check().integrityCheck()).append("`, foreign-key violations ")
          .append(r.check().foreignKeyViolations()).append("\n\n");
      if (!r.check().tables().isEmpty()) {
        b.append("| table | expected | actual |\n|---|---:|---:|\n");
        r.check().tables().forEach(t -> b.append("| ").append(t.name()).append(" | ").append(t.expected())
            .append(" | ").append(t.actual()).append(" |\n"));
      }
    }
    if (r.rtoSeconds() != null) {
      b.append("\n## RTO and data loss\n\n");
      b.append("- RTO (detected ").append(r.detectedAt()).append(" → validated ").append(r.restoredAt())
          .append("): **").append(r.rtoSeconds()).append(" s**\n");
      b.append("- Data loss window: writes between ").append(r.dataLossFrom()).append(" and ")
          .append(r.dataLossTo()).append("\n");
    }
    if (!r.decisions().isEmpty()) {
      b.append("\n## Decisions\n\n");
      r.decisions().forEach(d -> b.append("- ").append(d).append('\n'));
    }
    if (!s.warnings().isEmpty()) {
      b.append("\n## Warnings\n\n");
      s.warnings().forEach(w -> b.append("- ").append(w).append('\n'));
    }
    return b.toString();
  }
}
