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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Evaluates {@link Rule}s against a SQLite database, normally a fresh local staging copy so the
 * production database sees one export, not a storm of queries. Every identifier in the SQL comes
 * from the schema (a rule naming a missing table or column is reported, not run); every value is a
 * bound parameter. Each rule scans its table at most twice (count and time range, then samples),
 * so memory does not grow with table size; text-encoding and truncation rules of one table share
 * one scan each, because on a large table the scans are the cost.
 */
public final class RuleEngine {
  /**
   * Sees what the engine does: each statement it runs (for benchmarks that replay the same SQL in
   * another tool) and each rule it finished, with the time it took.
   */
  public interface Observer {
    /** A statement about to run, with its bound parameters. */
    default void statement(String sql, List<?> params) {}

    /** A rule evaluated; {@code nanos} is its share of the time (batched rules share a scan). */
    default void checked(RuleResult result, long nanos) {}
  }

  /**
   * Double-encoded UTF-8 read as Latin-1: a lead byte of a 2-byte sequence (Ã, Â, Å...) followed by
   * a continuation byte shown as Latin-1 (U+0080–U+00BF).
   */
  private static final Pattern MOJIBAKE = Pattern.compile("[\\u00C2-\\u00DF][\\u0080-\\u00BF]");

  private final Connection connection;
  private final SqliteSchema schema;
  private final int sampleSize;
  private Observer observer = new Observer() {};

  /** Most frequent offending values reported for a domain rule. */
  static final int MAX_VALUES = 20;

  /**
   * @param connection an open connection to the database to check
   * @param sampleSize how many sample keys to return per rule
   */
  public RuleEngine(Connection connection, int sampleSize) throws SQLException {
    this.connection = connection;
    this.schema = SqliteSchema.read(connection);
    this.sampleSize = sampleSize;
  }

  /** Reports statements and timings to {@code observer}; returns this engine. */
  public RuleEngine observe(Observer observer) {
    this.observer = observer == null ? new Observer() {} : observer;
    return this;
  }

  /** The schema the engine resolved names against. */
  public SqliteSchema schema() {
    return schema;
  }

  /**
   * Evaluates every rule; results come back in the rules' order. Encoding ({@code utf8}) and
   * truncation ({@code notTruncated}) rules of one table are evaluated together, one scan each.
   */
  public List<RuleResult> evaluate(List<Rule> rules) throws SQLException {
    RuleResult[] out = new RuleResult[rules.size()];
    Map<String, List<Integer>> encoding = new LinkedHashMap<>();
    Map<String, List<Integer>> truncation = new LinkedHashMap<>();
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      Optional<Table> t = resolvable(rule);
      String shape = rule.shape() == null ? "" : rule.shape().toLowerCase(Locale.ROOT);
      if (t.isPresent() && rule.parsedKind() == Rule.Kind.SHAPE && shape.equals("utf8")) {
        encoding.computeIfAbsent(t.get().name(), k -> new ArrayList<>()).add(i);
      } else if (t.isPresent() && rule.parsedKind() == Rule.Kind.SHAPE && shape.equals("nottruncated")) {
        truncation.computeIfAbsent(t.get().name(), k -> new ArrayList<>()).add(i);
      } else {
        long t0 = System.nanoTime();
        out[i] = evaluate(rule);
        observer.checked(out[i], System.nanoTime() - t0);
      }
    }
    for (Map.Entry<String, List<Integer>> e : encoding.entrySet()) {
      batch(rules, e.getValue(), out, idx -> encoding(schema.table(e.getKey()).orElseThrow(), idx));
    }
    for (Map.Entry<String, List<Integer>> e : truncation.entrySet()) {
      batch(rules, e.getValue(), out, idx -> truncated(schema.table(e.getKey()).orElseThrow(), idx));
    }
    return List.of(out);
  }

  private interface Batch {
    List<RuleResult> run(List<Rule> rules) throws SQLException;
  }

  private void batch(List<Rule> all, List<Integer> indexes, RuleResult[] out, Batch batch) throws SQLException {
    List<Rule> rules = indexes.stream().map(all::get).toList();
    long t0 = System.nanoTime();
    List<RuleResult> results = batch.run(rules);
    long share = (System.nanoTime() - t0) / Math.max(1, rules.size());
    for (int j = 0; j < indexes.size(); j++) {
      out[indexes.get(j)] = results.get(j);
      observer.checked(results.get(j), share);
    }
  }

  /** The rule's table when the rule is well formed and names an existing table and columns. */
  private Optional<Table> resolvable(Rule rule) {
    if (rule.problem() != null) {
      return Optional.empty();
    }
    Optional<Table> t = schema.table(rule.table());
    if (t.isEmpty() || t.get().virtual() || (rule.column() != null && t.get().column(rule.column()).isEmpty())) {
      return Optional.empty();
    }
    return t;
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
    String where = c + " IS NOT NULL AND " + c + " NOT IN (" + in + ")";
    RuleResult r = predicate(rule, table, where, List.copyOf(rule.values()));
    if (r.violations() == 0) {
      return r;
    }
    // Which values, how often: what a repair maps, and what a person reads first.
    List<RuleResult.ValueCount> values = new ArrayList<>();
    String sql = "SELECT " + c + ", count(*) FROM " + quote(table.name()) + " t WHERE " + where
        + " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT " + MAX_VALUES;
    observer.statement(sql, rule.values());
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      bind(ps, rule.values());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          values.add(new RuleResult.ValueCount(rs.getString(1), rs.getLong(2)));
        }
      }
    }
    return new RuleResult(r.rule(), r.violations(), r.sampleKeys(), r.keyColumn(), r.firstAffectedAt(),
        r.lastAffectedAt(), r.timestampColumn(), null, null, null, null, values);
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
    String countSql = "SELECT count(*), min(" + tsExpr + "), max(" + tsExpr + ")" + from;
    observer.statement(countSql, params);
    try (PreparedStatement ps = connection.prepareStatement(countSql)) {
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
      String sampleSql = "SELECT " + keyExpr(table) + from + " ORDER BY 1 LIMIT " + sampleSize;
      observer.statement(sampleSql, params);
      try (PreparedStatement ps = connection.prepareStatement(sampleSql)) {
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
      case "nottruncated" -> truncated(table, List.of(rule)).get(0);
      default -> encoding(table, List.of(rule)).get(0);
    };
  }

  /**
   * Values cut at a suspicious length: a length in {@code boundaries} that is far more common than
   * the lengths just below it (a clean column has no such spike, a truncated one does). One
   * aggregate scan of the table counts every boundary of every column; only columns with a spike
   * are read again for their keys.
   */
  private List<RuleResult> truncated(Table table, List<Rule> rules) throws SQLException {
    StringBuilder select = new StringBuilder("SELECT ");
    StringBuilder lengths = new StringBuilder("SELECT ");
    List<List<Integer>> boundaries = new ArrayList<>();
    int n = 0;
    for (int r = 0; r < rules.size(); r++) {
      Rule rule = rules.get(r);
      List<Integer> bs = rule.boundaries() == null || rule.boundaries().isEmpty()
          ? Rule.DEFAULT_BOUNDARIES : rule.boundaries();
      boundaries.add(bs);
      String c = quote(col(table, rule.column()));
      String len = "l" + r;
      lengths.append(r == 0 ? "" : ", ").append("length(CASE WHEN typeof(").append(c).append(") = 'text' THEN ")
          .append(c).append(" END) AS ").append(len);
      for (int b : bs) {
        select.append(n++ == 0 ? "" : ", ").append("sum(").append(len).append(" = ").append(b).append("), sum(")
            .append(len).append(" BETWEEN ").append(b - 10).append(" AND ").append(b - 1).append(")");
      }
    }
    // LIMIT -1 keeps SQLite from flattening the subquery into the aggregate, which would count each
    // value's characters once per boundary instead of once.
    select.append(" FROM (").append(lengths).append(" FROM ").append(quote(table.name())).append(" LIMIT -1)");
    long[] counts = new long[2 * n];
    observer.statement(select.toString(), List.of());
    try (PreparedStatement ps = connection.prepareStatement(select.toString());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      for (int i = 0; i < counts.length; i++) {
        counts[i] = rs.getLong(i + 1);
      }
    }
    List<RuleResult> out = new ArrayList<>();
    int k = 0;
    for (int r = 0; r < rules.size(); r++) {
      Rule rule = rules.get(r);
      List<Integer> spikes = new ArrayList<>();
      for (int b : boundaries.get(r)) {
        long at = counts[k++];
        long below = counts[k++];
        double meanBelow = below / 10.0;
        if (at >= 3 && at >= 3 * (meanBelow + 1)) {
          spikes.add(b);
        }
      }
      if (spikes.isEmpty()) {
        out.add(new RuleResult(rule, 0, List.of(), table.keyName(), null, null,
            table.timestampColumn().orElse(null), null));
        continue;
      }
      String c = quote(col(table, rule.column()));
      StringBuilder in = new StringBuilder();
      for (int i = 0; i < spikes.size(); i++) {
        in.append(i == 0 ? "" : ",").append(spikes.get(i).intValue());
      }
      out.add(predicate(rule, table, "typeof(t." + c + ") = 'text' AND length(t." + c + ") IN (" + in + ")", List.of()));
    }
    return out;
  }

  /**
   * Text that is not valid UTF-8, holds U+FFFD (invalid bytes replaced on the way: a D1 export
   * turns them into it), or looks double-encoded (UTF-8 bytes read as Latin-1). One scan of the
   * table checks every column; rows are read in storage order and the first keys in key order are
   * kept, so no sort is needed. Rows whose text is all printable ASCII are filtered out by SQLite.
   */
  private List<RuleResult> encoding(Table table, List<Rule> rules) throws SQLException {
    Optional<String> ts = table.timestampColumn();
    String tsExpr = ts.map(x -> "t." + quote(x)).orElse("NULL");
    StringBuilder select = new StringBuilder("SELECT ").append(keyExpr(table));
    StringBuilder where = new StringBuilder();
    for (Rule rule : rules) {
      String c = "t." + quote(col(table, rule.column()));
      select.append(", CASE WHEN typeof(").append(c).append(") = 'text' THEN CAST(").append(c).append(" AS BLOB) END");
      // Only text with a character outside printable ASCII can be mis-encoded: SQLite reads any byte
      // of 0x80 or more (valid or not) as such a character, so only those rows come back to be
      // decoded here (tabs and newlines come back too, and pass).
      where.append(where.length() == 0 ? "" : " OR ").append(c).append(" GLOB '*[^ -~]*'");
    }
    select.append(", ").append(tsExpr).append(" FROM ").append(quote(table.name())).append(" t WHERE ").append(where);
    int n = rules.size();
    long[] counts = new long[n];
    String[] first = new String[n];
    String[] last = new String[n];
    List<TreeSet<String>> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      samples.add(new TreeSet<>(KEY_ORDER));
    }
    var decoder =
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    observer.statement(select.toString(), List.of());
    try (PreparedStatement ps = connection.prepareStatement(select.toString());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        for (int i = 0; i < n; i++) {
          byte[] bytes = rs.getBytes(i + 2);
          if (bytes == null || ascii(bytes)) {
            continue; // ASCII is valid UTF-8 and cannot be mojibake: the common case, decided fast
          }
          boolean bad;
          try {
            String text = decoder.reset().decode(ByteBuffer.wrap(bytes)).toString();
            bad = text.indexOf('\uFFFD') >= 0 || MOJIBAKE.matcher(text).find();
          } catch (CharacterCodingException e) {
            bad = true;
          }
          if (bad) {
            counts[i]++;
            String key = rs.getString(1);
            TreeSet<String> kept = samples.get(i);
            kept.add(key == null ? "NULL" : key);
            if (kept.size() > sampleSize) {
              kept.pollLast();
            }
            String t = rs.getString(n + 2);
            if (t != null) {
              first[i] = first[i] == null || t.compareTo(first[i]) < 0 ? t : first[i];
              last[i] = last[i] == null || t.compareTo(last[i]) > 0 ? t : last[i];
            }
          }
        }
      }
    }
    List<RuleResult> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new RuleResult(rules.get(i), counts[i], List.copyOf(samples.get(i)), table.keyName(), first[i], last[i],
          ts.orElse(null), null));
    }
    return out;
  }

  private static boolean ascii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  /** Keys as SQLite orders them: integers numerically before text, text bytewise. */
  static final Comparator<String> KEY_ORDER = (a, b) -> {
    Long x = asLong(a);
    Long y = asLong(b);
    if (x != null && y != null) {
      return Long.compare(x, y);
    }
    if (x != null || y != null) {
      return x != null ? -1 : 1;
    }
    return dev.lifeline.activities.replication.Utf8Order.INSTANCE.compare(a, b);
  };

  private static Long asLong(String s) {
    if (s == null || s.isEmpty() || s.length() > 20) {
      return null;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
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
