package dev.lifeline.benchmarks;

import dev.lifeline.activities.assess.AssessmentActivitiesImpl;
import dev.lifeline.activities.assess.DatabaseInspector;
import dev.lifeline.activities.backups.Heartbeats;
import dev.lifeline.activities.backups.StagingDatabase;
import dev.lifeline.activities.env.BackendSettings;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.rules.RuleEngine;
import dev.lifeline.activities.secrets.Secret;
import dev.lifeline.sandbox.CloudflareSandbox;
import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.sandbox.SandboxOptions;
import dev.lifeline.workflows.assess.AssessmentInput;
import dev.lifeline.workflows.assess.DatabaseFacts;
import dev.lifeline.workflows.assess.DatabaseFactsRequest;
import dev.lifeline.workflows.assess.RuleResult;
import dev.lifeline.workflows.common.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The corruption assessment benchmark of issue 5 (a harness run by hand, not a test): seeds a
 * MonoTask D1 database of about a million rows into the sandbox, takes the assessment's staging
 * copy (one D1 export loaded with {@code SqliteLoader}), then runs the assessment's database checks
 * on that file — {@code quick_check}, {@code foreign_key_check}, row counts, the schema's default
 * rules and the MonoTask rules, the rule suggestions, {@code d1_migrations} — and, in the same run,
 * the {@code sqlite3} command line on the same file with exactly the same statements (every
 * statement the checks ran, recorded through {@link RuleEngine.Observer}, parameters written as
 * literals, output discarded). Best of three interleaved rounds each. Also times the whole {@code
 * AssessDatabase} activity (staging copy and checks) once. Writes its section of {@code
 * docs/benchmarks.md}.
 */
public final class AssessmentBenchmark {
  private static final int ROUNDS = 3;
  private static final String BEGIN = "<!-- assessment-results:begin -->";
  private static final String END = "<!-- assessment-results:end -->";

  private final Path work;
  private final int tasks;
  private final boolean writeDocs;
  private final List<String> notes = new ArrayList<>();
  private final List<String[]> rows = new ArrayList<>();

  private AssessmentBenchmark(Path work, int tasks, boolean writeDocs) {
    this.work = work;
    this.tasks = tasks;
    this.writeDocs = writeDocs;
  }

  public static void main(String[] args) throws Exception {
    int tasks = 500_000;
    Path work = Path.of("benchmarks/target/assess");
    boolean docs = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--work" -> work = Path.of(args[++i]);
        case "--no-docs" -> docs = false;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (use --tasks N, --work DIR, --no-docs)");
      }
    }
    new AssessmentBenchmark(work, tasks, docs).run();
  }

  /** Records every statement, for the peer run. */
  private static final class Recorder implements RuleEngine.Observer {
    final List<String> statements = new ArrayList<>();
    final Map<String, Long> violations = new LinkedHashMap<>();

    @Override
    public void statement(String sql, List<?> params) {
      statements.add(inline(sql, params));
    }

    @Override
    public void checked(RuleResult result, long nanos) {
      violations.put(result.rule().id(), result.violations());
    }
  }

  private void run() throws Exception {
    deleteTree(work);
    Files.createDirectories(work);
    SandboxOptions sandboxOptions = SandboxOptions.builder()
        .dataDirectory(work.resolve("sandbox"))
        .timeTravelSnapshotInterval(Duration.ofHours(1))
        .build();
    try (CloudflareSandbox sandbox = CloudflareSandbox.start(sandboxOptions)) {
      log("seeding " + tasks + " tasks into the sandbox's D1 ...");
      long t0 = System.nanoTime();
      MonoTaskAccount account = MonoTaskAccount.create(sandbox, MonoTaskAccount.Options.tasks(tasks, 20261122L));
      double seedSeconds = secondsSince(t0);
      long sourceBytes = Files.size(account.database().file());
      BackendSettings settings = new BackendSettings(sandbox.apiBaseUrl(), sandbox.accountId(),
          Secret.of(sandbox.apiToken()), sandbox.s3Endpoint(), "auto", sandbox.s3AccessKeyId(),
          Secret.of(sandbox.s3SecretAccessKey()), MonoTaskAccount.BACKUP_BUCKETS.get(0),
          MonoTaskAccount.BACKUP_BUCKETS.get(1), Secret.of(HexFormat.of().formatHex(SecureRandom.getSeed(32))),
          work.resolve("worker"));
      try (Backends backends = new Backends(settings)) {
        Target target = Target.d1(MonoTaskAccount.DATABASE);

        // 1. The staging copy: one export, loaded into a new local file.
        log("staging copy: D1 export → SqliteLoader ...");
        Path staged = work.resolve("staging.sqlite");
        resetPeak();
        t0 = System.nanoTime();
        StagingDatabase.Copy copy = new StagingDatabase(backends).stage(target, staged, new Heartbeats());
        double stageSeconds = secondsSince(t0);
        long rowsLoaded = copy.rows();
        notes.add(String.format(Locale.ROOT, "Seeded %,d tasks in %.0f s: %,d rows in 5 tables, a %s D1 file.",
            tasks, seedSeconds, rowsLoaded, mb(sourceBytes)));
        notes.add("Load average at the start: " + loadAverage() + " (the machine is shared; best of " + ROUNDS
            + " interleaved rounds for the comparison).");
        rows.add(row("staging copy: D1 export → SqliteLoader (new local file)", "Lifeline StagingDatabase",
            stageSeconds, peakRss(), String.format(Locale.ROOT, "%,d rows, %s file", rowsLoaded, mb(Files.size(staged)))));

        // 2. The checks on the staging file, and sqlite3 running the same statements on it.
        AssessmentInput defaults = AssessmentInput.of(target);
        double best = Double.MAX_VALUE;
        double bestPeer = Double.MAX_VALUE;
        long ourRss = 0;
        long peerRss = 0;
        Recorder recorded = null;
        DatabaseFacts facts = null;
        for (int round = 1; round <= ROUNDS; round++) {
          log("assessment checks, round " + round + " ...");
          Recorder rec = new Recorder();
          resetPeak();
          t0 = System.nanoTime();
          facts = new DatabaseInspector(rec, name -> { }).inspect(target.label(), null, staged, List.of(),
              new DatabaseInspector.Options(defaults.integrityOrDefault(), defaults.sampleSizeOrDefault(),
                  defaults.recordLimitOrDefault(), true), null, null);
          double s = secondsSince(t0);
          if (s < best) {
            best = s;
          }
          ourRss = Math.max(ourRss, peakRss());
          recorded = rec;
          Path script = work.resolve("checks.sql");
          Files.writeString(script, String.join(";\n", rec.statements) + ";\n", StandardCharsets.UTF_8);
          log("sqlite3 with the same " + rec.statements.size() + " statements, round " + round + " ...");
          double[] peer = sqlite3(staged, script);
          if (peer[0] < bestPeer) {
            bestPeer = peer[0];
          }
          peerRss = Math.max(peerRss, (long) peer[1]);
        }
        long violations = recorded.violations.values().stream().mapToLong(Long::longValue).sum();
        rows.add(row("checks on the staging file: quick_check, foreign_key_check, row counts, "
                + recorded.violations.size() + " rules, suggestions, d1_migrations",
            "Lifeline DatabaseInspector (sqlite-jdbc " + sqliteJdbcVersion() + ")", best, ourRss,
            recorded.statements.size() + " statements; best of " + ROUNDS));
        rows.add(row("the same statements on the same file", "sqlite3 staging.sqlite < checks.sql > /dev/null",
            bestPeer, peerRss, "best of " + ROUNDS));
        notes.add(String.format(Locale.ROOT, "The clean sample data breaks no rule at this size: %d rule violations,"
            + " %d foreign key violations, quick_check %s.", violations,
            facts.foreignKeys().stream().mapToLong(DatabaseFacts.ForeignKeyViolations::count).sum(),
            facts.integrity().get(0).ok() ? "ok" : "FAILED"));
        List<DatabaseFacts.CheckTiming> slow = new ArrayList<>(facts.timings());
        slow.sort((a, b) -> Long.compare(b.millis(), a.millis()));
        notes.add("Slowest checks in the last round (rules of one table that share a scan split its time equally): "
            + String.join(", ", slow.subList(0, Math.min(6, slow.size()))
            .stream().map(c -> c.check() + " " + String.format(Locale.ROOT, "%.1f s", c.millis() / 1000.0)).toList()) + ".");

        // 3. The whole AssessDatabase activity once: staging copy plus checks, as the workflow runs it.
        log("the AssessDatabase activity end to end ...");
        resetPeak();
        t0 = System.nanoTime();
        DatabaseFacts whole = new AssessmentActivitiesImpl(backends).database(new DatabaseFactsRequest(target, null,
            List.of(), true, "quick", AssessmentInput.DEFAULT_SAMPLE_SIZE, AssessmentInput.DEFAULT_RECORD_LIMIT));
        rows.add(row("AssessDatabase activity: staging copy + checks", "Lifeline AssessmentActivitiesImpl",
            secondsSince(t0), peakRss(), whole.rules().size() + " rules, " + whole.copy().method()));

        report(best, bestPeer);
      }
    }
  }

  /** Runs sqlite3 on {@code db} with {@code script}; [seconds, peak RSS kB]. */
  private double[] sqlite3(Path db, Path script) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    boolean timed = Files.isExecutable(Path.of("/usr/bin/time"));
    if (timed) {
      cmd.add("/usr/bin/time");
      cmd.add("-v");
    }
    cmd.add("sqlite3");
    cmd.add("-bail");
    cmd.add(db.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Path err = work.resolve("sqlite3.err");
    pb.redirectError(err.toFile());
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectInput(script.toFile());
    long t0 = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(2, TimeUnit.HOURS)) {
      p.destroyForcibly();
      throw new IllegalStateException("sqlite3 did not finish in two hours");
    }
    double wall = secondsSince(t0);
    String stderr = Files.readString(err);
    if (p.exitValue() != 0) {
      throw new IllegalStateException("sqlite3 failed (exit " + p.exitValue() + "): " + stderr);
    }
    Matcher m = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)").matcher(stderr);
    long rss = m.find() ? Long.parseLong(m.group(1)) : -1;
    Matcher e = Pattern.compile("Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\): (?:(\\d+):)?(\\d+):([\\d.]+)")
        .matcher(stderr);
    if (e.find()) {
      wall = (e.group(1) == null ? 0 : Integer.parseInt(e.group(1)) * 3600)
          + Integer.parseInt(e.group(2)) * 60 + Double.parseDouble(e.group(3));
    }
    return new double[] {wall, rss};
  }

  /** {@code sql} with each {@code ?} replaced by its parameter as a SQL literal. */
  static String inline(String sql, List<?> params) {
    StringBuilder out = new StringBuilder();
    int p = 0;
    boolean quoted = false;
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      }
      if (c == '?' && !quoted && p < params.size()) {
        Object v = params.get(p++);
        out.append(v == null ? "NULL" : v instanceof Number ? v.toString() : "'" + v.toString().replace("'", "''") + "'");
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private String[] row(String step, String tool, double seconds, long rssKb, String note) {
    return new String[] {step, tool, String.format(Locale.ROOT, "%.1f", seconds),
        rssKb < 0 ? "n/a" : (rssKb / 1024) + " MB", note};
  }

  private void report(double ours, double peer) throws IOException, InterruptedException {
    StringBuilder table = new StringBuilder("| step | tool | seconds | peak RSS | note |\n| --- | --- | ---: | ---: | --- |\n");
    for (String[] r : rows) {
      table.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    double ratio = ours / peer;
    String target = String.format(Locale.ROOT,
        "- The assessment's checks ≤ 1.5 × `sqlite3` running the same PRAGMAs and rule queries on the same file:"
            + " **%.2f ×** (%.1f s vs %.1f s) — %s.%n", ratio, ours, peer, ratio <= 1.5 ? "met" : "MISSED");
    notes.add("Load average at the end: " + loadAverage() + ".");
    System.out.println(table + "\n" + target);
    notes.forEach(System.out::println);
    if (writeDocs) {
      writeDocs(table.toString(), target);
    }
  }

  private void writeDocs(String table, String target) throws IOException, InterruptedException {
    Path doc = Path.of("docs/benchmarks.md");
    StringBuilder sb = new StringBuilder();
    sb.append("<!-- generated by benchmarks/run.sh assess (dev.lifeline.benchmarks.AssessmentBenchmark); edit the"
        + " harness, not this block -->\n\n");
    sb.append("### Run of ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE)).append("\n\n");
    sb.append("- Machine: ").append(String.format(Locale.ROOT, "%s, %d cores, %s RAM, %s %s; Java %s",
        cpuModel(), Runtime.getRuntime().availableProcessors(), memTotal(), System.getProperty("os.name"),
        System.getProperty("os.version"), System.getProperty("java.version"))).append("\n");
    sb.append("- Peer tool: ").append(version()).append(" (Lifeline's SQLite is sqlite-jdbc ").append(sqliteJdbcVersion())
        .append(")\n");
    sb.append("- Data: MonoTask sample account, `MonoTaskAccount.Options.tasks(").append(tasks).append(", 20261122)`.\n");
    for (String n : notes) {
      sb.append("- ").append(n).append("\n");
    }
    sb.append("\n").append(table).append("\nTarget (issue 5):\n\n").append(target);
    String content = Files.readString(doc);
    int b = content.indexOf(BEGIN);
    int e = content.indexOf(END);
    if (b < 0 || e < b) {
      throw new IllegalStateException(doc + " has no " + BEGIN + " … " + END + " block");
    }
    content = content.substring(0, b + BEGIN.length()) + "\n" + sb + content.substring(e);
    Files.writeString(doc, content);
    log("wrote " + doc.toAbsolutePath());
  }

  private static String sqliteJdbcVersion() {
    Package p = org.sqlite.JDBC.class.getPackage();
    return p == null || p.getImplementationVersion() == null ? "3.50.3.0" : p.getImplementationVersion();
  }

  private static String version() throws InterruptedException {
    try {
      Process p = new ProcessBuilder("sqlite3", "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
      p.waitFor();
      return "sqlite3 " + (out.length() > 30 ? out.substring(0, 30) : out).strip();
    } catch (IOException e) {
      return "sqlite3 (not installed)";
    }
  }

  // ------------------------------------------------------------------ as BackupBenchmark measures

  private static void resetPeak() {
    System.gc();
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | RuntimeException ignored) {
      // Not Linux, or not permitted.
    }
  }

  private static long peakRss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // Not Linux.
    }
    return -1;
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  private static String cpuModel() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          return l.substring(l.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException ignored) {
      // Not Linux.
    }
    return System.getProperty("os.arch");
  }

  private static String memTotal() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal")) {
          return (Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024 / 1024) + " GiB";
        }
      }
    } catch (IOException ignored) {
      // Not Linux.
    }
    return "?";
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%,.0f MB", bytes / 1e6);
  }

  private static double secondsSince(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void log(String s) {
    System.err.println(java.time.LocalTime.now().withNano(0) + " " + s);
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
