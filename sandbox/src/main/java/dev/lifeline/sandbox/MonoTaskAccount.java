package dev.lifeline.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeds the sample MonoTask account of the incident playbook into a sandbox: D1 database
 * {@code monotask-production} ({@code users}, {@code projects}, {@code tasks}, {@code task_events},
 * {@code d1_migrations}, foreign keys and indexes), KV namespaces SESSIONS, CACHE, FEATURE_FLAGS,
 * RATE_LIMITS and API_KEYS (JSON values, some metadata, some expirations), R2 buckets
 * evidence-storage, screenshots and agent-artifacts (small objects carrying a {@code sha256} user
 * metadata entry) plus the empty backup buckets monotask-backups and monotask-backups-secondary,
 * and Worker {@code monotask-api-gateway} with three versions and deployments (latest at 100%).
 *
 * <p>Deterministic: the same {@link Options} give byte-identical rows, values and objects (ids of
 * namespaces, databases and Worker versions are the sandbox's own and differ). Rows are written
 * with batched prepared inserts in one transaction directly on the SQLite file, so a million rows
 * take seconds. Task states are PENDING, IN_PROGRESS, COMPLETED and FAILED (the application
 * enforces them; the schema does not, which is how invalid states get in).
 */
public final class MonoTaskAccount {

    /** The D1 database name. */
    public static final String DATABASE = "monotask-production";
    /** The KV namespaces, in creation order. */
    public static final List<String> KV_NAMESPACES = List.of("SESSIONS", "CACHE", "FEATURE_FLAGS", "RATE_LIMITS", "API_KEYS");
    /** Buckets seeded with objects. */
    public static final List<String> DATA_BUCKETS = List.of("evidence-storage", "screenshots", "agent-artifacts");
    /** Empty buckets for backups. */
    public static final List<String> BACKUP_BUCKETS = List.of("monotask-backups", "monotask-backups-secondary");
    /** The Worker script. */
    public static final String WORKER = "monotask-api-gateway";
    /** The task states the application accepts. */
    public static final List<String> TASK_STATES = List.of("PENDING", "IN_PROGRESS", "COMPLETED", "FAILED");

    private static final Instant BASE = Instant.parse("2026-09-01T08:00:00Z");
    /** Fixed expirations keep KV data deterministic: 2099-01-01T00:00:00Z plus an offset. */
    private static final long EXPIRATION_BASE = 4070908800L;
    private static final String[] FIRST = {"Ada", "Grace", "José", "Zoë", "Linus", "Margaret", "Ken", "Barbara",
        "Dennis", "Frances", "Søren", "Ümit", "Chloé", "Björn", "Radia", "Tim"};
    private static final String[] LAST = {"Lovelace", "Hopper", "Müller", "Núñez", "Torvalds", "Hamilton", "Thompson",
        "Liskov", "Ritchie", "Allen", "Kierkegaard", "O'Brien", "Perlman", "Berners-Lee", "Øster", "Łukasz"};
    private static final String[] VERBS = {"Fix", "Write", "Review", "Deploy", "Investigate", "Refactor", "Document",
        "Migrate", "Test", "Benchmark"};
    private static final String[] NOUNS = {"login flow", "billing webhook", "R2 uploader", "task scheduler",
        "KV cache", "D1 migration", "agent sandbox", "screenshot pipeline", "rate limiter", "API gateway"};
    private static final String[] EVENTS = {"created", "assigned", "state_changed", "commented", "attachment_added"};

    /** How much to seed, and from which seed. */
    public record Options(int users, int projects, int tasks, int taskEventsPerTask, int kvKeysPerNamespace,
            int objectsPerBucket, long seed) {
        /** Checks the counts. */
        public Options {
            if (users < 1 || projects < 1 || tasks < 0 || taskEventsPerTask < 0 || kvKeysPerNamespace < 0 || objectsPerBucket < 0) {
                throw new IllegalArgumentException("counts must be positive (users, projects) or non-negative");
            }
        }

        /** A few hundred rows: 20 users, 8 projects, 150 tasks, 2 events per task. */
        public static Options tiny(long seed) {
            return new Options(20, 8, 150, 2, 12, 4, seed);
        }

        /** Some thousands of rows: 200 users, 40 projects, 5,000 tasks, 3 events per task. */
        public static Options small(long seed) {
            return new Options(200, 40, 5_000, 3, 60, 12, seed);
        }

        /** Explicit task count (up to millions, for benchmarks); other counts scale with it. */
        public static Options tasks(int tasks, long seed) {
            return new Options(Math.max(10, tasks / 50), Math.max(4, tasks / 200), tasks, 1,
                    Math.min(500, Math.max(10, tasks / 100)), 6, seed);
        }
    }

    private final SandboxAccount.D1Database database;
    private final Map<String, String> kvNamespaceIds;
    private final List<String> workerVersionIds;
    private final Options options;
    private final Duration d1SeedingTime;

    private MonoTaskAccount(SandboxAccount.D1Database database, Map<String, String> kvNamespaceIds,
            List<String> workerVersionIds, Options options, Duration d1SeedingTime) {
        this.database = database;
        this.kvNamespaceIds = kvNamespaceIds;
        this.workerVersionIds = workerVersionIds;
        this.options = options;
        this.d1SeedingTime = d1SeedingTime;
    }

    /**
     * Seeds the account into {@code sandbox}, which must not hold any of its resources yet.
     *
     * @throws IllegalArgumentException if a resource of the sample account already exists
     */
    public static MonoTaskAccount create(CloudflareSandbox sandbox, Options options) {
        SandboxAccount account = sandbox.account();
        SandboxAccount.D1Database db = account.createD1Database(DATABASE);
        long start = System.nanoTime();
        try {
            seedD1(db, options);
        } catch (SQLException e) {
            throw new IllegalStateException("seeding " + DATABASE + " failed", e);
        }
        Duration d1Time = Duration.ofNanos(System.nanoTime() - start);
        account.captureRestorePoint(db.uuid());
        Map<String, String> ns = new LinkedHashMap<>();
        SplittableRandom kvRandom = new SplittableRandom(options.seed() ^ 0x4b56L);
        for (String title : KV_NAMESPACES) {
            ns.put(title, account.createKvNamespace(title).id());
        }
        seedKv(account, options, kvRandom);
        SplittableRandom r2Random = new SplittableRandom(options.seed() ^ 0x5232L);
        for (String bucket : DATA_BUCKETS) {
            account.createR2Bucket(bucket);
        }
        for (String bucket : BACKUP_BUCKETS) {
            account.createR2Bucket(bucket);
        }
        seedR2(account, options, r2Random);
        account.createWorkerScript(WORKER);
        List<String> versions = new ArrayList<>();
        String[] messages = {"Initial gateway", "Add task routes", "Rate limit agents"};
        for (int i = 0; i < 3; i++) {
            SandboxAccount.WorkerVersion v = account.addWorkerVersion(WORKER, messages[i], "v1." + i + ".0");
            versions.add(v.id());
            account.deployWorker(WORKER, v.id(), messages[i]);
        }
        return new MonoTaskAccount(db, ns, versions, options, d1Time);
    }

    /** The seeded D1 database. */
    public SandboxAccount.D1Database database() {
        return database;
    }

    /** KV namespace title → id. */
    public Map<String, String> kvNamespaceIds() {
        return kvNamespaceIds;
    }

    /** Worker version ids, oldest first; the last is deployed at 100%. */
    public List<String> workerVersionIds() {
        return workerVersionIds;
    }

    /** The options it was seeded with. */
    public Options options() {
        return options;
    }

    /** How long writing the D1 rows took. */
    public Duration d1SeedingTime() {
        return d1SeedingTime;
    }

    private static final java.util.Map<Long, String> DAYS = new java.util.concurrent.ConcurrentHashMap<>();

    /** ISO-8601 with milliseconds, like {@code Date.toISOString()}; fast for whole-second instants. */
    static String iso(Instant t) {
        if (t.getNano() != 0) {
            return Json.iso(t);
        }
        long secs = t.getEpochSecond();
        long day = Math.floorDiv(secs, 86_400L);
        int sod = (int) Math.floorMod(secs, 86_400L);
        String date = DAYS.computeIfAbsent(day, d -> java.time.LocalDate.ofEpochDay(d).toString());
        char[] out = new char[24];
        date.getChars(0, 10, out, 0);
        out[10] = 'T';
        two(out, 11, sod / 3600);
        out[13] = ':';
        two(out, 14, sod / 60 % 60);
        out[16] = ':';
        two(out, 17, sod % 60);
        out[19] = '.';
        out[20] = '0';
        out[21] = '0';
        out[22] = '0';
        out[23] = 'Z';
        return new String(out);
    }

    private static void two(char[] out, int at, int v) {
        out[at] = (char) ('0' + v / 10);
        out[at + 1] = (char) ('0' + v % 10);
    }

    private static String padded(String prefix, int width, int n) {
        String digits = Integer.toString(n);
        StringBuilder sb = new StringBuilder(prefix.length() + width).append(prefix);
        for (int i = digits.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(digits).toString();
    }

    private static void seedD1(SandboxAccount.D1Database db, Options o) throws SQLException {
        SplittableRandom r = new SplittableRandom(o.seed());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.file())) {
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA foreign_keys = ON");
                st.execute("PRAGMA synchronous = OFF");
                st.execute("PRAGMA cache_size = -65536");
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TEXT NOT NULL)");
                st.execute("CREATE TABLE users(id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,"
                        + " created_at TEXT NOT NULL)");
                st.execute("CREATE TABLE projects(id TEXT PRIMARY KEY, owner_id TEXT NOT NULL REFERENCES users(id),"
                        + " name TEXT NOT NULL, description TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)");
                st.execute("CREATE TABLE tasks(id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id),"
                        + " assignee_id TEXT REFERENCES users(id), title TEXT NOT NULL, description TEXT, state TEXT NOT NULL,"
                        + " priority INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)");
                st.execute("CREATE TABLE task_events(id INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT NOT NULL"
                        + " REFERENCES tasks(id), event_type TEXT NOT NULL, payload TEXT, created_at TEXT NOT NULL)");
            }
            String[] migrations = {"0001_init.sql", "0002_projects.sql", "0003_tasks.sql", "0004_task_events.sql"};
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO d1_migrations(name, applied_at) VALUES(?, ?)")) {
                for (int i = 0; i < migrations.length; i++) {
                    ps.setString(1, migrations[i]);
                    ps.setString(2, iso(BASE.minus(Duration.ofDays(30 - i * 7L))));
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO users VALUES(?, ?, ?, ?)")) {
                for (int i = 1; i <= o.users(); i++) {
                    String first = FIRST[r.nextInt(FIRST.length)];
                    String last = LAST[r.nextInt(LAST.length)];
                    ps.setString(1, userId(i));
                    ps.setString(2, "user" + i + "@monotask.example");
                    ps.setString(3, first + " " + last);
                    ps.setString(4, iso(BASE.plusSeconds(i * 37L)));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO projects VALUES(?, ?, ?, ?, ?, ?)")) {
                for (int i = 1; i <= o.projects(); i++) {
                    Instant created = BASE.plus(Duration.ofHours(i));
                    ps.setString(1, projectId(i));
                    ps.setString(2, userId(1 + r.nextInt(o.users())));
                    ps.setString(3, "Project " + NOUNS[r.nextInt(NOUNS.length)] + " #" + i);
                    ps.setString(4, i % 5 == 0 ? "Multi-line\nproject notes for #" + i : "Owner's notes for project " + i);
                    ps.setString(5, iso(created));
                    ps.setString(6, iso(created.plus(Duration.ofMinutes(r.nextInt(10_000)))));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement task = c.prepareStatement("INSERT INTO tasks VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
                    PreparedStatement event = c.prepareStatement(
                            "INSERT INTO task_events(task_id, event_type, payload, created_at) VALUES(?, ?, ?, ?)")) {
                int pending = 0;
                for (int i = 1; i <= o.tasks(); i++) {
                    Instant created = BASE.plus(Duration.ofMinutes(i * 3L + r.nextInt(3)));
                    String id = taskId(i);
                    String state = TASK_STATES.get(r.nextInt(TASK_STATES.size()));
                    task.setString(1, id);
                    task.setString(2, projectId(1 + r.nextInt(o.projects())));
                    if (r.nextInt(10) == 0) {
                        task.setNull(3, java.sql.Types.VARCHAR);
                    } else {
                        task.setString(3, userId(1 + r.nextInt(o.users())));
                    }
                    task.setString(4, VERBS[r.nextInt(VERBS.length)] + " " + NOUNS[r.nextInt(NOUNS.length)] + " (" + id + ")");
                    task.setString(5, description(r, i));
                    task.setString(6, state);
                    task.setInt(7, 1 + r.nextInt(4));
                    task.setString(8, iso(created));
                    task.setString(9, iso(created.plus(Duration.ofMinutes(r.nextInt(5_000)))));
                    task.addBatch();
                    for (int e = 0; e < o.taskEventsPerTask(); e++) {
                        event.setString(1, id);
                        event.setString(2, EVENTS[e == 0 ? 0 : 1 + r.nextInt(EVENTS.length - 1)]);
                        event.setString(3, "{\"seq\":" + e + ",\"actor\":\"" + userId(1 + r.nextInt(o.users())) + "\"}");
                        event.setString(4, iso(created.plusSeconds(60L * e)));
                        event.addBatch();
                    }
                    if (++pending == 5_000) {
                        task.executeBatch();
                        event.executeBatch();
                        pending = 0;
                    }
                }
                task.executeBatch();
                event.executeBatch();
            }
            try (Statement st = c.createStatement()) {
                // Secondary indexes are built once after the load: much faster than maintaining them per row.
                st.execute("CREATE INDEX idx_tasks_project ON tasks(project_id)");
                st.execute("CREATE INDEX idx_tasks_state ON tasks(state)");
                st.execute("CREATE INDEX idx_task_events_task ON task_events(task_id)");
            }
            c.commit();
        }
    }

    private static String description(SplittableRandom r, int i) {
        int kind = r.nextInt(20);
        if (kind == 0) {
            // Long descriptions (over 255 characters) are what truncation bugs cut.
            StringBuilder sb = new StringBuilder("Steps to reproduce for task ").append(i).append(": ");
            while (sb.length() < 300 + r.nextInt(200)) {
                sb.append(NOUNS[r.nextInt(NOUNS.length)]).append(" fails when ").append(VERBS[r.nextInt(VERBS.length)].toLowerCase())
                        .append(" runs; ");
            }
            return sb.toString();
        }
        if (kind == 1) {
            return null;
        }
        if (kind == 2) {
            return "Checklist:\n- reproduce\n- fix\n- verify";
        }
        return "Task " + i + ": " + NOUNS[r.nextInt(NOUNS.length)];
    }

    static String userId(int i) {
        return padded("usr_", 6, i);
    }

    static String projectId(int i) {
        return padded("prj_", 5, i);
    }

    static String taskId(int i) {
        return padded("tsk_", 7, i);
    }

    private static void seedKv(SandboxAccount account, Options o, SplittableRandom r) {
        int n = o.kvKeysPerNamespace();
        for (int i = 1; i <= n; i++) {
            String sid = String.format("%08x-%04x-4%03x-8%03x-%012x", r.nextInt(), r.nextInt(0x10000), r.nextInt(0x1000),
                    r.nextInt(0x1000), r.nextLong(0x1000000000000L));
            String user = userId(1 + r.nextInt(o.users()));
            account.putKv("SESSIONS", "session:" + sid, utf8("{\"userId\":\"" + user + "\",\"createdAt\":\""
                    + iso(BASE.plusSeconds(i * 600L)) + "\",\"ip\":\"203.0.113." + r.nextInt(255) + "\"}"),
                    null, EXPIRATION_BASE + i * 3600L);
            account.putKv("CACHE", "cache:project:" + projectId(1 + (i - 1) % o.projects()) + (i > o.projects() ? ":v" + i : ""),
                    utf8("{\"openTasks\":" + r.nextInt(500) + ",\"computedAt\":\"" + iso(BASE.plusSeconds(i * 60L)) + "\"}"),
                    i % 2 == 0 ? "{\"contentType\":\"application/json\",\"version\":" + i + "}" : null, null);
            account.putKv("RATE_LIMITS", "rl:" + user + ":" + i, utf8("{\"count\":" + r.nextInt(100)
                    + ",\"windowStart\":" + (1788000000L + i * 60L) + "}"), null, EXPIRATION_BASE + 60L * i);
            account.putKv("API_KEYS", "key:" + sha256Hex(utf8("key-" + o.seed() + "-" + i)).substring(0, 24),
                    utf8("{\"userId\":\"" + user + "\",\"scopes\":[\"tasks:read\",\"tasks:write\"],\"createdAt\":\""
                            + iso(BASE.plusSeconds(i * 86400L)) + "\"}"),
                    "{\"owner\":\"" + user + "\"}", null);
        }
        String[] flags = {"new-dashboard", "agent-runs", "bulk-export", "r2-evidence", "dark-mode", "kv-sessions",
            "task-comments", "sso"};
        for (String flag : flags) {
            account.putKv("FEATURE_FLAGS", "flag:" + flag, utf8("{\"enabled\":" + r.nextBoolean() + ",\"rollout\":"
                    + r.nextInt(101) + "}"), "{\"updatedBy\":\"" + userId(1) + "\"}", null);
        }
    }

    private static void seedR2(SandboxAccount account, Options o, SplittableRandom r) {
        for (int i = 1; i <= o.objectsPerBucket(); i++) {
            String task = taskId(1 + r.nextInt(Math.max(1, o.tasks())));
            byte[] report = utf8("{\"task\":\"" + task + "\",\"verdict\":\"" + (r.nextBoolean() ? "pass" : "fail")
                    + "\",\"checkedAt\":\"" + iso(BASE.plusSeconds(i * 900L)) + "\"}");
            account.putR2Object("evidence-storage", "evidence/" + task + "/report-" + i + ".json", report, meta(report));
            byte[] png = new byte[512 + r.nextInt(1024)];
            r.nextBytes(png);
            System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, png, 0, 8);
            account.putR2Object("screenshots", "screenshots/" + task + "-" + i + ".png", png, meta(png));
            byte[] log = utf8("run " + i + " for " + task + "\nstep 1 ok\nstep 2 ok\nexit 0\n");
            account.putR2Object("agent-artifacts", "runs/" + String.format("%04d", i) + "/log.txt", log, meta(log));
        }
    }

    private static Map<String, String> meta(byte[] data) {
        return Map.of("sha256", sha256Hex(data));
    }

    static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
