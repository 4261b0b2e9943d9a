package dev.lifeline.activities.assess;

import static dev.lifeline.activities.sqlite.SqlIdentifiers.quote;

import dev.lifeline.activities.backups.StagingDatabase;
import dev.lifeline.activities.rules.DefaultRules;
import dev.lifeline.activities.rules.RuleEngine;
import dev.lifeline.activities.sqlite.SqliteSchema;
import dev.lifeline.activities.sqlite.SqliteSchema.Table;
import dev.lifeline.workflows.assess.AssessmentInput.SourcedRule;
import dev.lifeline.workflows.assess.DatabaseFacts;
import dev.lifeline.workflows.assess.DatabaseFacts.BaselineComparison;
import dev.lifeline.workflows.assess.DatabaseFacts.CheckTiming;
import dev.lifeline.workflows.assess.DatabaseFacts.DeletedRows;
import dev.lifeline.workflows.assess.DatabaseFacts.ForeignKeyViolations;
import dev.lifeline.workflows.assess.DatabaseFacts.IntegrityRun;
import dev.lifeline.workflows.assess.DatabaseFacts.Migration;
import dev.lifeline.workflows.assess.DatabaseFacts.RecordOrigin;
import dev.lifeline.workflows.assess.DatabaseFacts.RuleSuggestion;
import dev.lifeline.workflows.assess.DatabaseFacts.StagingCopy;
import dev.lifeline.workflows.assess.Rule;
import dev.lifeline.workflows.assess.RuleResult;
import dev.lifeline.workflows.assess.RuleSets;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.BackupManifest.TableManifest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs an assessment's database checks on a local staging copy: the integrity pragmas, {@code
 * foreign_key_check}, schema and row counts, the schema's default rules plus the given ones, the
 * data's rule suggestions and {@code d1_migrations}; and, when something is wrong and a baseline
 * backup exists, compares with that backup restored into a second file. Every statement goes
 * through the {@link RuleEngine.Observer}, so a benchmark can run exactly the same SQL elsewhere.
 *
 * <p>Only reads the staging copy (the connection is {@code query_only}) and the baseline copy.
 * Memory is bounded by the record limit: keys are collected up to it, never whole tables.
 */
public final class DatabaseInspector {
  /** The most messages an integrity pragma returns. */
  static final int MAX_INTEGRITY_MESSAGES = 100;

  /** Rows of {@code d1_migrations} reported, newest first. */
  static final int MIGRATIONS = 50;

  /** Bound parameters per lookup statement (far below SQLite's limit). */
  private static final int CHUNK = 500;

  /** What the inspector reports while it works. */
  public interface Progress {
    /** Check {@code name} is starting. */
    void check(String name);
  }

  /** Restores the baseline backup into a local file, only when the inspector needs it. */
  public interface BaselineLoader {
    /** The restored file. */
    Path restore();
  }

  /**
   * What to check.
   *
   * @param integrityCheck {@code quick} or {@code full}
   * @param sampleSize sample keys per check
   * @param recordLimit keys collected per check
   * @param autoRuleSets also check every named rule set whose tables and columns all exist
   */
  public record Options(String integrityCheck, int sampleSize, int recordLimit, boolean autoRuleSets) {}

  private final RuleEngine.Observer observer;
  private final Progress progress;
  private final List<CheckTiming> timings = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  /**
   * @param observer sees every statement (may be a no-op)
   * @param progress told when each check starts (heartbeats)
   */
  public DatabaseInspector(RuleEngine.Observer observer, Progress progress) {
    this.observer = observer == null ? new RuleEngine.Observer() {} : observer;
    this.progress = progress == null ? name -> { } : progress;
  }

  /**
   * Checks {@code staged}.
   *
   * @param target the target label
   * @param copy how the copy was obtained
   * @param staged the staging copy
   * @param rules the named set's and the input's rules
   * @param options what to check
   * @param baseline the baseline backup's manifest, or null
   * @param loader restores it (called at most once, only when something was found)
   */
  public DatabaseFacts inspect(String target, StagingCopy copy, Path staged, List<SourcedRule> rules, Options options,
      BackupManifest baseline, BaselineLoader loader) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + staged)) {
      exec(c, "PRAGMA cache_size = -65536");
      exec(c, "PRAGMA query_only = 1");
      List<IntegrityRun> integrity = integrity(c, options);
      boolean fileOk = integrity.stream().allMatch(IntegrityRun::ok);

      List<TableManifest> tables = timed("schema and row counts", () -> {
        List<TableManifest> t = StagingDatabase.tables(staged);
        t.forEach(x -> observer.statement("SELECT count(*) FROM " + quote(x.name()), List.of()));
        return t;
      });

      Map<String, Long> fkCounts = new LinkedHashMap<>();
      Map<String, List<String>> fkRowids = new LinkedHashMap<>();
      timed("foreign_key_check", () -> {
        foreignKeyCheck(c, options.recordLimit(), fkCounts, fkRowids);
        return null;
      });

      SqliteSchema schema = SqliteSchema.read(c);
      List<SourcedRule> all = timed("derive default rules", () -> rules(c, schema, rules, options.autoRuleSets()));
      RuleEngine engine = new RuleEngine(c, options.recordLimit()).observe(new RuleEngine.Observer() {
        @Override
        public void statement(String sql, List<?> params) {
          observer.statement(sql, params);
        }

        @Override
        public void checked(RuleResult result, long nanos) {
          timings.add(new CheckTiming("rule " + result.rule().id(), nanos / 1_000_000));
          observer.checked(result, nanos);
        }
      });
      progress.check("rules (" + all.size() + ")");
      List<RuleResult> evaluated = engine.evaluate(all.stream().map(SourcedRule::rule).toList());
      List<RuleResult> results = new ArrayList<>();
      for (int i = 0; i < evaluated.size(); i++) {
        RuleResult r = evaluated.get(i);
        List<String> keys = r.sampleKeys() == null ? List.of() : r.sampleKeys();
        results.add(r.withDetails(all.get(i).source(), options.sampleSize(), r.error() == null ? keys : null,
            r.violations() <= keys.size(), r.values()));
      }
      List<ForeignKeyViolations> fks = timed("foreign key details",
          () -> foreignKeys(c, schema, fkCounts, fkRowids, results, options.recordLimit()));

      List<RuleSuggestion> suggestions = timed("rule suggestions", () -> DefaultRules.suggest(c, schema, observer)
          .stream().map(s -> new RuleSuggestion(s.rule(), s.rowsOutside(), s.evidence())).toList());
      List<Migration> migrations = timed("d1_migrations", () -> migrations(c, schema));

      BaselineComparison comparison = null;
      boolean damaged = !fkCounts.isEmpty() || results.stream().anyMatch(r -> r.violations() > 0)
          || shrank(baseline, tables);
      if (baseline != null && damaged && fileOk) {
        comparison = timed("comparison with backup " + baseline.backupId(),
            () -> compare(staged, loader.restore(), baseline, schema, results, fks, options.recordLimit()));
      } else if (baseline != null && damaged) {
        notes.add("the staging copy fails its integrity check, so it was not compared row by row with backup "
            + baseline.backupId());
      }
      return new DatabaseFacts(target, copy, integrity, fks, tables, results, suggestions, migrations, comparison,
          List.copyOf(timings), List.copyOf(notes));
    }
  }

  // ------------------------------------------------------------------ integrity

  private List<IntegrityRun> integrity(Connection c, Options o) throws SQLException {
    List<IntegrityRun> runs = new ArrayList<>();
    IntegrityRun quick = timed("quick_check", () -> pragmaCheck(c, "quick_check", "always"));
    runs.add(quick);
    if ("full".equals(o.integrityCheck())) {
      runs.add(timed("integrity_check", () -> pragmaCheck(c, "integrity_check", "requested")));
    } else if (!quick.ok()) {
      runs.add(timed("integrity_check", () -> pragmaCheck(c, "integrity_check", "quick_check failed")));
    }
    return runs;
  }

  private IntegrityRun pragmaCheck(Connection c, String pragma, String reason) throws SQLException {
    List<String> messages = new ArrayList<>();
    String sql = "PRAGMA " + pragma + "(" + MAX_INTEGRITY_MESSAGES + ")";
    observer.statement(sql, List.of());
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        messages.add(rs.getString(1));
      }
    }
    return new IntegrityRun(pragma, messages.equals(List.of("ok")), messages, reason);
  }

  // ------------------------------------------------------------------ foreign keys

  /** Counts per {@code table \0 fkid}, and the first rowids of each. */
  private void foreignKeyCheck(Connection c, int limit, Map<String, Long> counts, Map<String, List<String>> rowids)
      throws SQLException {
    String sql = "PRAGMA foreign_key_check";
    observer.statement(sql, List.of());
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        String table = rs.getString(1);
        if (table.startsWith("_cf_") || table.startsWith("sqlite_")) {
          continue;
        }
        String key = table + "\u0000" + rs.getInt(4);
        counts.merge(key, 1L, Long::sum);
        List<String> ids = rowids.computeIfAbsent(key, k -> new ArrayList<>());
        if (ids.size() < limit) {
          ids.add(rs.getString(2));
        }
      }
    }
  }

  private List<ForeignKeyViolations> foreignKeys(Connection c, SqliteSchema schema, Map<String, Long> counts,
      Map<String, List<String>> rowids, List<RuleResult> results, int limit) throws SQLException {
    List<ForeignKeyViolations> out = new ArrayList<>();
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      String[] parts = e.getKey().split("\u0000", 2);
      Table table = schema.table(parts[0]).orElse(null);
      if (table == null) {
        continue;
      }
      int fkid = Integer.parseInt(parts[1]);
      List<String> from = new ArrayList<>();
      List<String> to = new ArrayList<>();
      String refTable = null;
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?) WHERE id = ? ORDER BY seq")) {
        ps.setString(1, table.name());
        ps.setInt(2, fkid);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            refTable = rs.getString(1);
            from.add(rs.getString(2));
            to.add(rs.getString(3));
          }
        }
      }
      Optional<Table> ref = schema.table(refTable);
      if (to.stream().anyMatch(x -> x == null) && ref.isPresent()) {
        to = new ArrayList<>(ref.get().primaryKey());
      }
      String column = String.join(",", from);
      String refColumn = String.join(",", to);
      long count = e.getValue();
      String tableName = table.name();
      String refName = refTable;
      Optional<RuleResult> rule = results.stream()
          .filter(r -> r.error() == null && r.rule().parsedKind() == Rule.Kind.REFERENCE
              && r.rule().table().equalsIgnoreCase(tableName) && r.rule().column().equalsIgnoreCase(column)
              && r.rule().refTable().equalsIgnoreCase(refName))
          .findFirst();
      if (from.size() == 1 && ref.isPresent() && rule.isPresent()) {
        RuleResult r = rule.get();
        List<String> keys = r.keys() == null ? List.of() : r.keys();
        out.add(new ForeignKeyViolations(tableName, column, ref.get().name(), refColumn, count, r.keyColumn(), keys,
            count <= keys.size(), missingParents(c, table, from.get(0), ref.get(), to.get(0), limit),
            r.firstAffectedAt(), r.lastAffectedAt(), r.timestampColumn()));
      } else {
        // Multi-column keys (or a rule that could not run): the rowids the pragma reported.
        List<String> ids = rowids.getOrDefault(e.getKey(), List.of());
        out.add(new ForeignKeyViolations(tableName, column, refName, refColumn, count, "rowid", ids,
            count <= ids.size(), List.of(), null, null, null));
      }
    }
    return out;
  }

  private List<String> missingParents(Connection c, Table table, String column, Table ref, String refColumn, int limit)
      throws SQLException {
    String sql = "SELECT DISTINCT t." + quote(column) + " FROM " + quote(table.name()) + " t WHERE t." + quote(column)
        + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + quote(ref.name()) + " r WHERE r." + quote(refColumn) + " = t."
        + quote(column) + ") ORDER BY 1 LIMIT " + limit;
    observer.statement(sql, List.of());
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ rules

  /**
   * The input's rules, then the named set's, then the schema's defaults, without repeats: a rule
   * checking the same thing as an earlier one is dropped (the more specific source wins, with its
   * id and severity).
   */
  private List<SourcedRule> rules(Connection c, SqliteSchema schema, List<SourcedRule> given, boolean auto)
      throws SQLException {
    List<SourcedRule> ordered = new ArrayList<>();
    if (given != null) {
      given.stream().filter(r -> "input".equals(r.source())).forEach(ordered::add);
      given.stream().filter(r -> !"input".equals(r.source())).forEach(ordered::add);
    }
    if (auto) {
      // A named set applies when the database has every table and column it checks.
      new TreeMap<>(RuleSets.all()).forEach((name, set) -> {
        if (set.stream().allMatch(r -> applies(schema, r))) {
          set.forEach(r -> ordered.add(new SourcedRule(r, name)));
        }
      });
    }
    for (Rule r : DefaultRules.derive(c, schema, observer)) {
      ordered.add(new SourcedRule(r, "schema"));
    }
    Map<String, SourcedRule> unique = new LinkedHashMap<>();
    for (SourcedRule r : ordered) {
      unique.putIfAbsent(semanticKey(r.rule()), r);
    }
    return List.copyOf(unique.values());
  }

  private static boolean applies(SqliteSchema schema, Rule r) {
    Optional<Table> t = schema.table(r.table());
    if (t.isEmpty() || (r.column() != null && t.get().column(r.column()).isEmpty())
        || (r.columns() != null && r.columns().stream().anyMatch(col -> t.get().column(col).isEmpty()))) {
      return false;
    }
    if (r.refTable() == null) {
      return true;
    }
    Optional<Table> ref = schema.table(r.refTable());
    return ref.isPresent() && ref.get().column(r.refColumn()).isPresent();
  }

  private static String semanticKey(Rule r) {
    Rule.Kind k = r.parsedKind();
    String kind = k == null ? String.valueOf(r.kind()) : k.name();
    List<String> values = r.values() == null ? null : r.values().stream().sorted().toList();
    return String.join("|", kind, lower(r.table()), lower(r.column()),
        r.columns() == null ? "" : lower(String.join(",", r.columns())), String.valueOf(values), lower(r.refTable()),
        lower(r.refColumn()), lower(r.shape()), String.valueOf(r.boundaries()));
  }

  private static String lower(String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }

  // ------------------------------------------------------------------ migrations

  private List<Migration> migrations(Connection c, SqliteSchema schema) throws SQLException {
    Optional<Table> t = schema.table("d1_migrations");
    if (t.isEmpty() || t.get().column("name").isEmpty()) {
      return List.of();
    }
    String id = t.get().column("id").isPresent() ? quote("id") : "rowid";
    String applied = t.get().column("applied_at").isPresent() ? quote("applied_at") : "NULL";
    String sql = "SELECT " + id + ", " + quote("name") + ", " + applied + " FROM " + quote(t.get().name())
        + " ORDER BY " + id + " DESC LIMIT " + MIGRATIONS;
    observer.statement(sql, List.of());
    List<Migration> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(new Migration(rs.getString(1), rs.getString(2), rs.getString(3)));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ the baseline

  private static boolean shrank(BackupManifest baseline, List<TableManifest> now) {
    if (baseline == null || baseline.tables() == null) {
      return false;
    }
    Map<String, Long> rows = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    now.forEach(t -> rows.put(t.name(), t.rows()));
    return baseline.tables().stream().anyMatch(t -> !rows.containsKey(t.name()) || rows.get(t.name()) < t.rows());
  }

  private BaselineComparison compare(Path staged, Path base, BackupManifest baseline, SqliteSchema schema,
      List<RuleResult> results, List<ForeignKeyViolations> fks, int limit) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + staged);
        Connection b = DriverManager.getConnection("jdbc:sqlite:" + base)) {
      exec(c, "ATTACH DATABASE '" + base.toAbsolutePath().toString().replace("'", "''") + "' AS base");
      SqliteSchema baseSchema = SqliteSchema.read(b);
      List<DeletedRows> deleted = new ArrayList<>();
      for (Table t : schema.tables()) {
        Optional<Table> bt = baseSchema.table(t.name());
        if (t.virtual() || bt.isEmpty()) {
          continue;
        }
        if (!comparableKey(t) || !samePrimaryKey(t, bt.get())) {
          notes.add("table " + t.name() + " has no primary key a dump preserves: its deleted rows are counted, not listed");
          continue;
        }
        deleted(c, t, bt.get(), limit).ifPresent(deleted::add);
      }
      RuleEngine baseEngine = new RuleEngine(b, Math.max(limit, 1));
      List<RecordOrigin> origins = new ArrayList<>();
      for (RuleResult r : results) {
        if (r.error() != null || r.violations() == 0 || r.keys() == null || r.keys().isEmpty()) {
          continue;
        }
        Optional<Table> t = schema.table(r.rule().table());
        if (t.isEmpty() || !comparableKey(t.get())) {
          continue;
        }
        Set<String> inBase = keysIn(c, t.get(), r.keys());
        Set<String> violating = new LinkedHashSet<>(baseEngine.evaluate(r.rule()).sampleKeys());
        origins.add(origin("rule:" + r.rule().id(), t.get().name(), r.keys(), inBase, violating, null, null));
      }
      for (ForeignKeyViolations fk : fks) {
        Optional<Table> t = schema.table(fk.table());
        Optional<Table> ref = baseSchema.table(fk.refTable());
        if (fk.column().contains(",") || t.isEmpty() || !comparableKey(t.get()) || fk.keys().isEmpty()) {
          continue;
        }
        List<String> deletedParents = ref.isEmpty() ? List.of()
            : inOrder(fk.missingParents(), valuesIn(c, ref.get(), fk.refColumn(), fk.missingParents()));
        List<String> orphans = deletedParents.isEmpty() ? List.of()
            : childrenOf(c, t.get(), fk.column(), deletedParents, limit);
        List<String> rest = new ArrayList<>(fk.keys());
        rest.removeAll(new LinkedHashSet<>(orphans));
        Set<String> inBase = keysIn(c, t.get(), rest);
        Rule reference = Rule.reference("fk", fk.table(), fk.column(), fk.refTable(), fk.refColumn(), null, null);
        Set<String> violating = new LinkedHashSet<>(baseEngine.evaluate(reference).sampleKeys());
        RecordOrigin o = origin("fk:" + fk.table() + "." + fk.column(), t.get().name(), rest, inBase, violating,
            deletedParents, orphans);
        origins.add(new RecordOrigin(o.ref(), o.table(), fk.keys().size(), o.restorable(), o.preexisting(), o.added(),
            o.deletedParents(), o.orphansOfDeletedParents()));
      }
      return new BaselineComparison(baseline.backupId(), baseline.createdAt(), deleted, origins);
    }
  }

  private static RecordOrigin origin(String ref, String table, List<String> keys, Set<String> inBase,
      Set<String> violating, List<String> deletedParents, List<String> orphans) {
    List<String> restorable = new ArrayList<>();
    List<String> preexisting = new ArrayList<>();
    List<String> added = new ArrayList<>();
    for (String k : keys) {
      if (!inBase.contains(k)) {
        added.add(k);
      } else if (violating.contains(k)) {
        preexisting.add(k);
      } else {
        restorable.add(k);
      }
    }
    return new RecordOrigin(ref, table, keys.size(), restorable, preexisting, added, deletedParents, orphans);
  }

  private static boolean samePrimaryKey(Table a, Table b) {
    return String.join(",", a.primaryKey()).equalsIgnoreCase(String.join(",", b.primaryKey()));
  }

  /** Whether rows of {@code t} keep their key through a dump: a declared primary key. */
  private static boolean comparableKey(Table t) {
    return !t.primaryKey().isEmpty() && !t.keyExpression().equals("rowid");
  }

  private Optional<DeletedRows> deleted(Connection c, Table now, Table base, int limit) throws SQLException {
    String bKey = keyOn("b", base);
    String mKey = keyOn("m", now);
    Optional<String> ts = base.timestampColumn();
    String tsExpr = ts.map(x -> "b." + quote(x)).orElse("NULL");
    String from = " FROM base." + quote(base.name()) + " b WHERE NOT EXISTS (SELECT 1 FROM main." + quote(now.name())
        + " m WHERE " + mKey + " = " + bKey + ")";
    String countSql = "SELECT count(*), min(" + tsExpr + "), max(" + tsExpr + ")" + from;
    observer.statement(countSql, List.of());
    long count;
    String first;
    String last;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(countSql)) {
      rs.next();
      count = rs.getLong(1);
      first = rs.getString(2);
      last = rs.getString(3);
    }
    if (count == 0) {
      return Optional.empty();
    }
    List<String> keys = new ArrayList<>();
    String keySql = "SELECT " + bKey + from + " ORDER BY 1 LIMIT " + limit;
    observer.statement(keySql, List.of());
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(keySql)) {
      while (rs.next()) {
        keys.add(rs.getString(1));
      }
    }
    return Optional.of(new DeletedRows(now.name(), now.keyName(), count, keys, count <= keys.size(), first, last,
        ts.orElse(null)));
  }

  /** Of {@code keys}, those the baseline's {@code t} holds. */
  private Set<String> keysIn(Connection c, Table t, List<String> keys) throws SQLException {
    return valuesIn(c, t, null, keys);
  }

  /** Of {@code values}, those in the baseline's {@code t.column} (its key when column is null). */
  private Set<String> valuesIn(Connection c, Table t, String column, List<String> values) throws SQLException {
    Set<String> found = new LinkedHashSet<>();
    String expr = column == null ? keyOn("b", t) : "b." + quote(column);
    for (int from = 0; from < values.size(); from += CHUNK) {
      List<String> chunk = values.subList(from, Math.min(values.size(), from + CHUNK));
      String sql = "SELECT " + expr + " FROM base." + quote(t.name()) + " b WHERE " + expr + " IN (" + marks(chunk.size()) + ")";
      observer.statement(sql, chunk);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            found.add(rs.getString(1));
          }
        }
      }
    }
    return found;
  }

  /** Keys of rows of {@code t} now whose {@code column} is one of {@code parents}. */
  private List<String> childrenOf(Connection c, Table t, String column, List<String> parents, int limit)
      throws SQLException {
    List<String> out = new ArrayList<>();
    for (int from = 0; from < parents.size() && out.size() < limit; from += CHUNK) {
      List<String> chunk = parents.subList(from, Math.min(parents.size(), from + CHUNK));
      String sql = "SELECT " + keyOn("m", t) + " FROM main." + quote(t.name()) + " m WHERE m."
          + quote(column) + " IN (" + marks(chunk.size()) + ") ORDER BY 1 LIMIT " + (limit - out.size());
      observer.statement(sql, chunk);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
    }
    return out;
  }

  private static List<String> inOrder(List<String> order, Set<String> members) {
    return order.stream().filter(members::contains).toList();
  }

  /** The row key of {@code t} on table alias {@code alias}: its primary key column(s). */
  private static String keyOn(String alias, Table t) {
    List<String> pk = t.primaryKey();
    if (pk.size() == 1) {
      return alias + "." + quote(pk.get(0));
    }
    return "(" + String.join(" || '|' || ", pk.stream().map(k -> alias + "." + quote(k)).toList()) + ")";
  }

  private static String marks(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "?" : ",?");
    }
    return b.toString();
  }

  // ------------------------------------------------------------------ plumbing

  private void exec(Connection c, String sql) throws SQLException {
    observer.statement(sql, List.of());
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private interface Check<T> {
    T run() throws SQLException;
  }

  private <T> T timed(String name, Check<T> check) throws SQLException {
    progress.check(name);
    long t0 = System.nanoTime();
    T result = check.run();
    timings.add(new CheckTiming(name, (System.nanoTime() - t0) / 1_000_000));
    return result;
  }
}
