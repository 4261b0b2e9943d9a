package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lifeline.workflows.assess.AssessmentReport.Action;
import dev.lifeline.workflows.assess.AssessmentReport.Alternative;
import dev.lifeline.workflows.assess.AssessmentReport.RootCauseHint;
import dev.lifeline.workflows.assess.AssessmentReport.RowCount;
import dev.lifeline.workflows.assess.AssessmentReport.SchemaChange;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.util.List;
import java.util.Map;

/**
 * Renders an {@link AssessmentReport} as Markdown for people: scope (findings, drift, row counts),
 * impact (severity and why), root cause (onset and nearby events), and the recommendation with the
 * ready JSON input of each playbook to run. Pure and deterministic.
 */
public final class AssessmentMarkdown {
  private static final ObjectMapper JSON =
      JacksonJsonPayloadConverter.newDefaultObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private AssessmentMarkdown() {}

  /** The report as Markdown. */
  public static String render(AssessmentReport r) {
    StringBuilder md = new StringBuilder();
    md.append("# Corruption assessment of ").append(r.target()).append("\n\n");
    md.append(r.incidentId() == null ? "" : "Incident " + r.incidentId() + " · ")
        .append("assessed ").append(r.assessedAt())
        .append(r.suspectedSince() == null ? "" : " · damage suspected since " + r.suspectedSince()).append("\n\n");
    md.append("**Severity: ").append(r.severity()).append("** — ").append(r.severityReason()).append("\n\n");
    md.append("**Scope:** ").append(r.scope()).append(" · **Recommended playbook:** `")
        .append(r.recommendation().playbook()).append("` — ").append(r.recommendation().reason()).append("\n\n");
    if (!"none".equals(r.recommendation().playbook())) {
      md.append("**Data loss:** ").append(r.recommendation().dataLoss()).append("\n\n");
    }

    md.append("## 1. Scope\n\n");
    if (r.findings().isEmpty()) {
      md.append("Nothing found: every check below passed.\n\n");
    } else {
      md.append("| # | severity | scope | finding | records | sample keys | remedy |\n");
      md.append("|---|---|---|---|---|---|---|\n");
      int i = 0;
      for (AssessmentFinding f : r.findings()) {
        md.append("| ").append(++i).append(" | ").append(f.severity()).append(" | ").append(f.scope()).append(" | ")
            .append(cell(f.summary())).append(" | ").append(f.records())
            .append(f.total() == null ? "" : " of " + f.total()).append(" | ")
            .append(cell(keys(f))).append(" | ").append(f.remedy()).append(" |\n");
      }
      md.append("\n");
      i = 0;
      for (AssessmentFinding f : r.findings()) {
        md.append(++i).append(". `").append(f.id()).append("` (").append(f.kind()).append(", ").append(f.component())
            .append("): found by ").append(f.evidence());
        if (f.firstAffectedAt() != null) {
          md.append("; affected records' ").append(f.timestampColumn()).append(" from ").append(f.firstAffectedAt())
              .append(" to ").append(f.lastAffectedAt());
        }
        md.append(". Remedy: ").append(f.remedy()).append(" — ").append(f.remedyReason()).append(".\n");
      }
      md.append("\n");
    }
    md.append("### Schema drift\n\n");
    if (r.schemaDrift() == null) {
      md.append("Not compared: no verified backup.\n\n");
    } else if (r.schemaDrift().changes().isEmpty()) {
      md.append("None against backup ").append(r.schemaDrift().baselineBackupId()).append(".\n\n");
    } else {
      md.append("Against backup ").append(r.schemaDrift().baselineBackupId()).append(":\n\n");
      for (SchemaChange c : r.schemaDrift().changes()) {
        md.append("- ").append(c.object()).append(" `").append(c.name()).append("`")
            .append(c.object().equals("table") ? "" : " on `" + c.table() + "`").append(": ").append(c.change())
            .append(c.before() == null ? "" : "; was `" + oneLine(c.before()) + "`")
            .append(c.after() == null ? "" : "; now `" + oneLine(c.after()) + "`").append("\n");
      }
      md.append("\n");
    }
    if (!r.rowCounts().isEmpty()) {
      md.append("### Row counts\n\n| table | now | baseline | earlier backups | change |\n|---|---|---|---|---|\n");
      for (RowCount c : r.rowCounts()) {
        md.append("| ").append(c.table()).append(" | ").append(c.now() == null ? "—" : c.now()).append(" | ")
            .append(c.baseline() == null ? "—" : c.baseline()).append(" | ")
            .append(c.history() == null ? "" : history(c.history())).append(" | ").append(c.change()).append(" |\n");
      }
      md.append("\n");
    }

    md.append("## 2. Impact\n\n");
    if (r.findings().isEmpty()) {
      md.append("None.\n\n");
    } else {
      md.append(r.severityReason()).append("\n\n");
      Map<String, List<AssessmentFinding>> byComponent = new java.util.LinkedHashMap<>();
      r.findings().forEach(f -> byComponent.computeIfAbsent(f.component(), k -> new java.util.ArrayList<>()).add(f));
      byComponent.forEach((component, fs) -> md.append("- **").append(component).append("**: ")
          .append(fs.stream().mapToLong(AssessmentFinding::records).sum()).append(" record(s) in ")
          .append(String.join(", ", fs.stream().map(AssessmentFinding::table).filter(java.util.Objects::nonNull).distinct().toList()))
          .append("; ").append(fs.stream().anyMatch(f -> "systemic".equals(f.scope())) ? "systemic" : "isolated").append("\n"));
      md.append("\n");
    }

    md.append("## 3. Root cause\n\n");
    if (r.onset() == null) {
      md.append("Nothing to explain.\n\n");
    } else {
      md.append("The damage appeared ").append(r.onset().notBefore() == null ? "before this assessment"
          : "between " + r.onset().notBefore() + " and " + r.onset().notAfter()).append(" (").append(r.onset().basis())
          .append(")");
      if (r.onset().firstAffectedAt() != null) {
        md.append("; the affected records were written between ").append(r.onset().firstAffectedAt()).append(" and ")
            .append(r.onset().lastAffectedAt());
      }
      md.append(".\n\n");
      if (r.rootCauseHints().isEmpty()) {
        md.append("No Worker deployment or migration near that window").append(".\n\n");
      } else {
        md.append("| when | event | relation |\n|---|---|---|\n");
        for (RootCauseHint h : r.rootCauseHints()) {
          md.append("| ").append(h.at()).append(" | ").append(cell(h.what())).append(" | ").append(cell(h.relation())).append(" |\n");
        }
        md.append("\n");
      }
    }

    md.append("## 4. Recommendation\n\n");
    md.append("**`").append(r.recommendation().playbook()).append("`** — ").append(r.recommendation().reason()).append("\n\n");
    if (r.recommendation().recoveryPoint() != null) {
      var p = r.recommendation().recoveryPoint();
      md.append("Best recovery point: ").append(p.backupId() == null ? "none" : "backup `" + p.backupId() + "` taken at " + p.at())
          .append(p.before() == null || p.before().equals(p.at()) ? "" : ", the newest verified backup at or before " + p.before())
          .append(" (").append(p.basis()).append("); restoring it loses ").append(p.dataLoss()).append(".\n\n");
    }
    int n = 0;
    for (Action a : r.recommendation().actions()) {
      md.append("### ").append(++n).append(". `").append(a.playbook()).append("` on ").append(a.component()).append("\n\n");
      md.append(a.reason()).append(" Data loss: ").append(a.dataLoss()).append(". Addresses: ")
          .append(String.join(", ", a.findings().stream().map(id -> "`" + id + "`").toList())).append(".\n\n");
      if (a.pitr() != null) {
        md.append("Input of `pitr` (`lifeline start pitr --input pitr.json`):\n\n```json\n").append(json(a.pitr())).append("\n```\n\n");
      }
      if (a.merge() != null) {
        md.append("Record set for `merge`:\n\n```json\n").append(json(a.merge())).append("\n```\n\n");
      }
      if (a.repair() != null) {
        md.append("Repair for `repair` (run on a staging copy first):\n\n```sql\n");
        for (RepairPlan.RepairStatement s : a.repair().statements()) {
          md.append("-- ").append(s.description()).append(" (").append(s.finding()).append("; expect ").append(s.expectedRows())
              .append(")\n").append(s.sql()).append("\n");
        }
        md.append("```\n\n");
      }
    }
    if (!r.recommendation().alternatives().isEmpty()) {
      md.append("### Options and the data each loses\n\n| playbook | fits | data loss | note |\n|---|---|---|---|\n");
      for (Alternative a : r.recommendation().alternatives()) {
        md.append("| ").append(a.playbook()).append(" | ").append(a.fits() ? "yes" : "no").append(" | ")
            .append(cell(a.dataLoss())).append(" | ").append(cell(a.note())).append(" |\n");
      }
      md.append("\n");
    }

    md.append("## Checks\n\n");
    long passedRules = 0;
    for (String c : r.checks()) {
      // Passing rules are counted, not listed: a schema has dozens, and the JSON lists them all.
      if (c.startsWith("rule ") && c.endsWith(": ok")) {
        passedRules++;
      } else {
        md.append("- ").append(c).append("\n");
      }
    }
    if (passedRules > 0) {
      md.append("- ").append(passedRules).append(" more rule(s) passed (listed in the report's `checks`)\n");
    }
    md.append("\n");
    if (r.suggestions() != null && !r.suggestions().isEmpty()) {
      md.append("## Suggested rules (from the data's dominant values; not checked as rules)\n\n");
      for (DatabaseFacts.RuleSuggestion s : r.suggestions()) {
        md.append("- `").append(s.rule().table()).append(".").append(s.rule().column()).append("` in ")
            .append(s.rule().values()).append(": ").append(s.evidence())
            .append(s.rowsOutside() == 0 ? "" : "; **" + s.rowsOutside() + " row(s) outside them**").append("\n");
      }
      md.append("\n");
    }
    md.append("## Sources\n\n");
    var src = r.sources();
    if (src.stagingCopy() != null) {
      var c = src.stagingCopy();
      md.append("- database checks ran on a fresh local copy: ").append(c.method()).append(" of ").append(c.source())
          .append(" taken at ").append(c.takenAt()).append(c.bookmark() == null ? "" : " (bookmark " + c.bookmark() + ")")
          .append(c.method().equals("d1-query") ? "; production saw the table listing and one paged read of each table\n"
              : c.method().equals("d1-export") ? "; production saw the table listing and this one export, no other query\n"
              : "; the file was read once\n");
      for (String caveat : c.caveats() == null ? List.<String>of() : c.caveats()) {
        md.append("  - ").append(caveat).append("\n");
      }
    }
    md.append("- baseline: ").append(src.baselineBackupId() == null ? "none" : "backup `" + src.baselineBackupId()
        + "` taken at " + src.baselineAt()).append("\n");
    if (src.kvBaselines() != null) {
      src.kvBaselines().forEach((ns, id) -> md.append("- KV ").append(ns).append(": compared with ").append(id).append("\n"));
    }
    if (src.secondaryBuckets() != null) {
      src.secondaryBuckets().forEach((b, s) -> md.append("- R2 ").append(b).append(": compared with ").append(s).append("/")
          .append(b).append("/\n"));
    }
    if (!r.notes().isEmpty()) {
      md.append("\n## Notes\n\n");
      for (String note : r.notes()) {
        md.append("- ").append(note).append("\n");
      }
    }
    return md.toString();
  }

  /** {@code value} as indented JSON, nulls left out. */
  public static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  private static String keys(AssessmentFinding f) {
    if (f.sampleKeys() == null || f.sampleKeys().isEmpty()) {
      return "";
    }
    return f.keyColumn() + " " + String.join(", ", f.sampleKeys()) + (f.sampleKeys().size() < f.records() ? ", …" : "");
  }

  private static String history(Map<String, Long> history) {
    StringBuilder b = new StringBuilder();
    history.forEach((at, rows) -> b.append(b.length() == 0 ? "" : ", ").append(rows).append(" (").append(at).append(")"));
    return b.toString();
  }

  private static String cell(String text) {
    return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
  }

  private static String oneLine(String sql) {
    return sql.replaceAll("\\s+", " ").trim();
  }
}
