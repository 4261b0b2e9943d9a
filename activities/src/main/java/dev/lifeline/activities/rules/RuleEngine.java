package dev.lifeline.activities.rules;

import static dev.lifeline.activities.sqlite.SqlIdentifiers.quote;

import dev.lifeline.activities.sqlite.SqliteSchema;
import dev.lifeline.activities.sqlite.SqliteSchema.Table;
import dev.lifeline.workflows.assess.Rule;
import dev.lifeline.workflows.assess.RuleResult;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Evaluates {@link Rule}s against a SQLite database, normally a fresh local staging copy so the
 * production database sees one export, not a storm of queries. Every identifier in the SQL comes
 * from the schema (a rule naming a missing table or column is reported, not run); every value is a
 * bound parameter. Each rule scans its table at most twice (count and time range, then samples),
 * so memory does not grow with table size.
 */
public final class RuleEngine {
  /**
   * Double-encoded UTF-8 read as Latin-1: a lead byte of a 2-byte sequence (Ã, Â, Å...) followed by
   * a continuation byte shown as Latin-1 (U+0080–U+00BF).
   */
  private static final Pattern MOJIBAKE = Pattern.compile("[\\u00C2-\\u00DF][\\u0080-\\u00BF]");

  private final Connection connection;
  private final SqliteSchema schema;
  private final int sampleSize;

  /**
   * @param connection an open connection to the database to check
   * @param sampleSize how many sample keys to return per rule
   */
  public RuleEngine(Connection connection, int sampleSize) throws SQLException {
    this.connection = connection;
    this.schema = SqliteSchema.read(connection);
    this.sampleSize = sampleSize;
  }

  /** The schema the engine resolved names against. */
  public SqliteSchema schema() {
    return schema;
  }

  /** Evaluates every rule, in order. */
  public List<RuleResult> evaluate(List<Rule> rules) throws SQLException {
    List<RuleResult> out = new ArrayList<>(rules.size());
    for (Rule rule : rules) {
      out.add(evaluate(rule));
    }
    return out;
  }

  /** Evaluates one rule. */
  public RuleResult evaluate(Rule rule) throws SQLException {
    String problem = rule.problem();
    if (problem != null) {
      return error(rule, problem);
    }
    Optional<Table> t = schema.table(rule.table());
    if (t.isEmpty()) {
      return error(rule, "table " + rule.table() + " does not exist");
    }
    Table table = t.get();
    if (table.virtual()) {
      return error(rule, "table " + table.name() + " is a virtual table; rules do not apply");
    }
    List<String> needed = new ArrayList<>();
    if (rule.column() != null) {
      needed.add(rule.column());
    }
    if (rule.columns() != null) {
      needed.addAll(rule.columns());
    }
    for (String col : needed) {
      if (table.column(col).isEmpty()) {
        return error(rule, "column " + table.name() + "." + col + " does not exist");
      }
    }
    return switch (rule.parsedKind()) {
      case DOMAIN -> domain(rule, table);
      case NOT_NULL -> predicate(rule, table, quote(col(table, rule.column())) + " IS NULL", List.of());
      case REFERENCE -> reference(rule, table);
      case UNIQUE -> unique(rule, table);
      case SHAPE -> shape(rule, table);
    };
  }

  private static String col(Table table, String name) {
    return table.column(name).orElseThrow().name();
  }

  private RuleResult domain(Rule rule, Table table) throws SQLException {
    String c = quote(col(table, rule.column()));
    StringBuilder in = new StringBuilder();
    for (int i = 0; i < rule.values().size(); i++) {
      in.append(i == 0 ? "?" : ",?");
    }
    return predicate(rule, table, c + " IS NOT NULL AND " + c + " NOT IN (" + in + ")", List.copyOf(rule.values()));
  }

  private RuleResult reference(Rule rule, Table table) throws SQLException {
    Optional<Table> ref = schema.table(rule.refTable());
    if (ref.isEmpty()) {
      return error(rule, "referenced table " + rule.refTable() + " does not exist");
    }
    if (ref.get().column(rule.refColumn()).isEmpty()) {
      return error(rule, "referenced column " + rule.refTable() + "." + rule.refColumn() + " does not exist");
    }
    String c = "t." + quote(col(table, rule.column()));
    String rc = "r." + quote(col(ref.get(), rule.refColumn()));
    String p =
        c + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + quote(ref.get().name()) + " r WHERE " + rc + " = " + c + ")";
    return predicate(rule, table, p, List.of());
  }

  /** Counts, time-ranges and samples rows of {@code table} (aliased t) matching {@code where}. */
  private RuleResult predicate(Rule rule, Table table, String where, List<String> params) throws SQLException {
    String from = " FROM " + quote(table.name()) + " t WHERE " + where;
    Optional<String> ts = table.timestampColumn();
    String tsExpr = ts.map(s -> "t." + quote(s)).orElse("NULL");
    long count;
    String first;
    String last;
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT count(*), min(" + tsExpr + "), max(" + tsExpr + ")" + from)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        count = rs.getLong(1);
        first = rs.getString(2);
        last = rs.getString(3);
      }
    }
    List<String> samples = new ArrayList<>();
    if (count > 0) {
      try (PreparedStatement ps =
          connection.prepareStatement(
              "SELECT " + keyExpr(table) + from + " ORDER BY 1 LIMIT " + sampleSize)) {
        bind(ps, params);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            samples.add(rs.getString(1));
          }
        }
      }
    }
    return new RuleResult(
        rule, count, samples, table.keyName(), first, last, ts.orElse(null), null);
  }

  private static String keyExpr(Table table) {
    String k = table.keyExpression();
    return k.equals("rowid") ? "t.rowid" : k.startsWith("(") ? k : "t." + k;
  }

  private RuleResult unique(Rule rule, Table table) throws SQLException {
    if (table.withoutRowid()) {
      return error(rule, "unique rules need a rowid table; " + table.name() + " is WITHOUT ROWID");
    }
    List<String> cols = rule.columns().stream().map(c -> quote(col(table, c))).toList();
    String group = String.join(", ", cols);
    StringBuilder join = new StringBuilder();
    for (int i = 0; i < cols.size(); i++) {
      join.append(i == 0 ? "" : " AND ").append("t.").append(cols.get(i)).append(" IS d.").append(cols.get(i));
    }
    // Every row of a duplicate group except the first (lowest rowid) is a violation.
    String where =
        "t.rowid IN (SELECT t.rowid FROM " + quote(table.name()) + " t JOIN (SELECT " + group
            + ", min(rowid) AS keep FROM " + quote(table.name()) + " GROUP BY " + group
            + " HAVING count(*) > 1) d ON " + join + " WHERE t.rowid <> d.keep)";
    return predicate(rule, table, where, List.of());
  }

  private RuleResult shape(Rule rule, Table table) throws SQLException {
    String shape = rule.shape().toLowerCase(Locale.ROOT);
    String c = quote(col(table, rule.column()));
    return switch (shape) {
      case "json" -> predicate(
          rule, table, "t." + c + " IS NOT NULL AND typeof(t." + c + ") = 'text' AND json_valid(t." + c + ") = 0", List.of());
      case "nottruncated" -> truncated(rule, table, c);
      default -> encoding(rule, table, c);
    };
  }

  /**
   * Values cut at a suspicious length: a length in {@code boundaries} that is far more common than
   * the lengths just below it (a clean column has no such spike, a truncated one does).
   */
  private RuleResult truncated(Rule rule, Table table, String c) throws SQLException {
    List<Integer> boundaries = rule.boundaries() == null || rule.boundaries().isEmpty()
        ? Rule.DEFAULT_BOUNDARIES : rule.boundaries();
    List<Integer> spikes = new ArrayList<>();
    for (int b : boundaries) {
      long at;
      long below;
      try (PreparedStatement ps =
          connection.prepareStatement(
              "SELECT sum(length(" + c + ") = ?), sum(length(" + c + ") BETWEEN ? AND ?) FROM "
                  + quote(table.name()) + " WHERE typeof(" + c + ") = 'text'")) {
        ps.setInt(1, b);
        ps.setInt(2, b - 10);
        ps.setInt(3, b - 1);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          at = rs.getLong(1);
          below = rs.getLong(2);
        }
      }
      double meanBelow = below / 10.0;
      if (at >= 3 && at >= 3 * (meanBelow + 1)) {
        spikes.add(b);
      }
    }
    if (spikes.isEmpty()) {
      return new RuleResult(rule, 0, List.of(), table.keyName(), null, null,
          table.timestampColumn().orElse(null), null);
    }
    StringBuilder in = new StringBuilder();
    for (int i = 0; i < spikes.size(); i++) {
      in.append(i == 0 ? "" : ",").append(spikes.get(i).intValue());
    }
    return predicate(rule, table, "typeof(t." + c + ") = 'text' AND length(t." + c + ") IN (" + in + ")", List.of());
  }

  /** Text that is not valid UTF-8, or that looks double-encoded (UTF-8 bytes read as Latin-1). */
  private RuleResult encoding(Rule rule, Table table, String c) throws SQLException {
    Optional<String> ts = table.timestampColumn();
    String tsExpr = ts.map(s -> "t." + quote(s)).orElse("NULL");
    long count = 0;
    String first = null;
    String last = null;
    List<String> samples = new ArrayList<>();
    var decoder =
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT " + keyExpr(table) + ", CAST(t." + c + " AS BLOB), " + tsExpr + " FROM " + quote(table.name())
                + " t WHERE typeof(t." + c + ") = 'text' ORDER BY 1")) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          byte[] bytes = rs.getBytes(2);
          boolean bad;
          try {
            String text = decoder.reset().decode(ByteBuffer.wrap(bytes)).toString();
            bad = MOJIBAKE.matcher(text).find();
          } catch (CharacterCodingException e) {
            bad = true;
          }
          if (bad) {
            count++;
            if (samples.size() < sampleSize) {
              samples.add(rs.getString(1));
            }
            String t = rs.getString(3);
            if (t != null) {
              first = first == null || t.compareTo(first) < 0 ? t : first;
              last = last == null || t.compareTo(last) > 0 ? t : last;
            }
          }
        }
      }
    }
    return new RuleResult(rule, count, samples, table.keyName(), first, last, ts.orElse(null), null);
  }

  private static void bind(PreparedStatement ps, List<String> params) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      ps.setString(i + 1, params.get(i));
    }
  }

  private static RuleResult error(Rule rule, String why) {
    return new RuleResult(rule, 0, List.of(), null, null, null, null, why);
  }
}
