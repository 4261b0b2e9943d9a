package dev.lifeline.activities.rules;

import static dev.lifeline.activities.sqlite.SqlIdentifiers.quote;

import dev.lifeline.activities.sqlite.SqliteSchema;
import dev.lifeline.activities.sqlite.SqliteSchema.Column;
import dev.lifeline.activities.sqlite.SqliteSchema.ForeignKey;
import dev.lifeline.activities.sqlite.SqliteSchema.Table;
import dev.lifeline.workflows.assess.Rule;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Derives a default rule set from a schema, so an assessment checks something useful with no
 * rules given: references for declared foreign keys, valid and not double-encoded UTF-8 and no
 * truncation spike for text columns, JSON validity for columns that hold JSON, and no rows
 * identical in every column but a surrogate key. Enum-like columns (few distinct values) produce
 * <em>suggestions</em>, never rules: their values are discovered from the data, which may already
 * be corrupt.
 */
public final class DefaultRules {
  private static final int JSON_SAMPLE = 500;
  private static final int ENUM_MAX_VALUES = 12;
  private static final int ENUM_MIN_ROWS = 50;

  /** A rule the data suggests, with the evidence. */
  public record Suggestion(Rule rule, long rowsOutside, String evidence) {}

  private DefaultRules() {}

  /** The default rules for the database behind {@code c}. */
  public static List<Rule> derive(Connection c, SqliteSchema schema) throws SQLException {
    return derive(c, schema, new RuleEngine.Observer() {});
  }

  /** The default rules for the database behind {@code c}, reporting the statements it runs. */
  public static List<Rule> derive(Connection c, SqliteSchema schema, RuleEngine.Observer observer) throws SQLException {
    List<Rule> rules = new ArrayList<>();
    for (Table t : schema.tables()) {
      if (t.virtual()) {
        continue;
      }
      for (ForeignKey fk : t.foreignKeys()) {
        if (fk.columns().size() != 1) {
          continue;
        }
        String refColumn = fk.refColumns().get(0);
        if (refColumn == null) {
          var ref = schema.table(fk.refTable());
          if (ref.isEmpty() || ref.get().primaryKey().size() != 1) {
            continue;
          }
          refColumn = ref.get().primaryKey().get(0);
        }
        rules.add(
            Rule.reference(
                t.name() + "." + fk.columns().get(0) + "-references-" + fk.refTable(),
                t.name(), fk.columns().get(0), fk.refTable(), refColumn, "high",
                "declared foreign key " + t.name() + "." + fk.columns().get(0) + " → " + fk.refTable() + "." + refColumn));
      }
      for (Column col : t.columns()) {
        if (!isText(col) || col.primaryKeyPosition() > 0) {
          continue;
        }
        rules.add(Rule.shape(t.name() + "." + col.name() + "-utf8", t.name(), col.name(), "utf8", "medium",
            "text is valid UTF-8 and not double-encoded"));
        rules.add(Rule.shape(t.name() + "." + col.name() + "-not-truncated", t.name(), col.name(), "notTruncated",
            "medium", "no spike of values cut at a typical column limit"));
        if (looksLikeJson(c, t, col, observer)) {
          rules.add(Rule.shape(t.name() + "." + col.name() + "-json", t.name(), col.name(), "json", "medium",
              "the column holds JSON documents"));
        }
      }
      List<Column> content =
          t.columns().stream().filter(col -> col.primaryKeyPosition() == 0).toList();
      boolean surrogateKey =
          t.primaryKey().size() == 1
              && t.column(t.primaryKey().get(0)).map(k -> isInteger(k)).orElse(false);
      if (surrogateKey && !t.withoutRowid() && content.size() >= 2) {
        rules.add(Rule.unique(t.name() + "-no-duplicate-rows", t.name(),
            content.stream().map(Column::name).toList(), "medium",
            "no two rows are identical in every column but the surrogate key " + t.primaryKey().get(0)));
      }
    }
    return rules;
  }

  /** Enum-like text columns and the rows that fall outside their dominant values. */
  public static List<Suggestion> suggest(Connection c, SqliteSchema schema) throws SQLException {
    return suggest(c, schema, new RuleEngine.Observer() {});
  }

  /**
   * Enum-like text columns and the rows that fall outside their dominant values, reporting the
   * statements it runs. A column is read whole only when it has few distinct values: a {@code
   * DISTINCT ... LIMIT} probe stops after a few rows of a free-text column.
   */
  public static List<Suggestion> suggest(Connection c, SqliteSchema schema, RuleEngine.Observer observer)
      throws SQLException {
    List<Suggestion> out = new ArrayList<>();
    for (Table t : schema.tables()) {
      if (t.virtual()) {
        continue;
      }
      for (Column col : t.columns()) {
        if (!isText(col) || col.primaryKeyPosition() > 0 || col.name().toLowerCase(Locale.ROOT).endsWith("_id")) {
          continue;
        }
        // Free text has many distinct values among its first rows; stop there instead of grouping
        // the whole column.
        String probe = "SELECT count(*) FROM (SELECT DISTINCT " + quote(col.name()) + " FROM " + quote(t.name())
            + " WHERE " + quote(col.name()) + " IS NOT NULL LIMIT " + (ENUM_MAX_VALUES * 3) + ")";
        observer.statement(probe, List.of());
        try (PreparedStatement ps = c.prepareStatement(probe); ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getLong(1) >= ENUM_MAX_VALUES * 3) {
            continue;
          }
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        long total = 0;
        boolean tooMany = false;
        String group = "SELECT " + quote(col.name()) + ", count(*) FROM " + quote(t.name()) + " WHERE "
            + quote(col.name()) + " IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT " + (ENUM_MAX_VALUES * 3);
        observer.statement(group, List.of());
        try (PreparedStatement ps = c.prepareStatement(group)) {
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              counts.put(rs.getString(1), rs.getLong(2));
              total += rs.getLong(2);
            }
          }
        }
        if (counts.size() >= ENUM_MAX_VALUES * 3) {
          tooMany = true;
        }
        if (tooMany || total < ENUM_MIN_ROWS) {
          continue;
        }
        // Dominant values: at least 1% of rows each. The rest is what a domain rule would flag.
        List<String> dominant = new ArrayList<>();
        long outside = 0;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
          if (e.getValue() * 100 >= total) {
            dominant.add(e.getKey());
          } else {
            outside += e.getValue();
          }
        }
        if (dominant.isEmpty() || dominant.size() > ENUM_MAX_VALUES) {
          continue;
        }
        out.add(
            new Suggestion(
                Rule.domain(t.name() + "." + col.name() + "-domain", t.name(), col.name(), dominant, "low",
                    "suggested from the data: " + dominant.size() + " dominant values"),
                outside,
                dominant.size() + " values cover " + (total - outside) + " of " + total + " rows"));
      }
    }
    return out;
  }

  private static boolean looksLikeJson(Connection c, Table t, Column col, RuleEngine.Observer observer)
      throws SQLException {
    String sql = "SELECT count(*), sum(json_valid(v) AND (substr(ltrim(v), 1, 1) IN ('{', '['))) FROM (SELECT "
        + quote(col.name()) + " AS v FROM " + quote(t.name()) + " WHERE typeof(" + quote(col.name())
        + ") = 'text' LIMIT " + JSON_SAMPLE + ")";
    observer.statement(sql, List.of());
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long n = rs.getLong(1);
        long json = rs.getLong(2);
        return n >= 5 && json * 100 >= n * 95;
      }
    }
  }

  private static boolean isText(Column c) {
    String t = c.declaredType() == null ? "" : c.declaredType().toUpperCase(Locale.ROOT);
    return t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT");
  }

  private static boolean isInteger(Column c) {
    String t = c.declaredType() == null ? "" : c.declaredType().toUpperCase(Locale.ROOT);
    return t.contains("INT");
  }
}
