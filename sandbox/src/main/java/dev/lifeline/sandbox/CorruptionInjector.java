package dev.lifeline.sandbox;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Corrupts the sample {@link MonoTaskAccount} the way buggy application code, a bad migration or
 * failing storage would, so assessment and repair playbooks can be tested against known damage.
 * D1 damage is done with SQL on the database's SQLite file (with {@code PRAGMA foreign_keys=OFF}
 * where a real bug would have bypassed the constraint); KV damage through the account; R2 damage
 * by flipping bytes of stored objects in place.
 *
 * <p>Every method picks its victims deterministically from {@code seed} and returns an
 * {@link InjectionReport} listing exactly what it changed, so a test can assert that an assessment
 * finds exactly that. Before touching D1 it records a Time Travel restore point
 * ({@link InjectionReport#bookmarkBefore()}), so the pre-corruption state is restorable.
 */
public final class CorruptionInjector {

    private final CloudflareSandbox sandbox;
    private final String database;

    /** An injector for the MonoTask database of {@code sandbox}. */
    public CorruptionInjector(CloudflareSandbox sandbox) {
        this(sandbox, MonoTaskAccount.DATABASE);
    }

    /** An injector for a D1 database (uuid or name) with the MonoTask schema. */
    public CorruptionInjector(CloudflareSandbox sandbox, String database) {
        this.sandbox = sandbox;
        this.database = database;
    }

    /**
     * What one injection did.
     *
     * @param corruptionClass e.g. {@code INVALID_ENUM_STATE}, {@code ORPHANED_FOREIGN_KEY}
     * @param target the table, KV namespace title or R2 bucket
     * @param affectedKeys primary keys, KV keys or object keys changed, in the order changed
     * @param count how many rows/keys/objects were affected
     * @param details class-specific facts (key → what was done), e.g. the value a row had before
     * @param injectedAt the sandbox clock's time of the injection
     * @param bookmarkBefore a Time Travel bookmark of the D1 state before the injection (null for KV/R2)
     */
    public record InjectionReport(String corruptionClass, String target, List<String> affectedKeys, int count,
            Map<String, String> details, Instant injectedAt, String bookmarkBefore) {
    }

    /** Sets {@code tasks.state} of {@code count} tasks to values outside PENDING/IN_PROGRESS/COMPLETED/FAILED. */
    public InjectionReport invalidTaskStates(int count, long seed) {
        String[] bad = {"INVALID", "pending", "DONE", "IN PROGRESS", ""};
        return d1("INVALID_ENUM_STATE", "tasks", c -> {
            List<String> ids = pick(c, "SELECT id FROM tasks ORDER BY id", count, seed);
            Map<String, String> details = new LinkedHashMap<>();
            SplittableRandom r = new SplittableRandom(seed);
            try (PreparedStatement ps = c.prepareStatement("UPDATE tasks SET state = ? WHERE id = ?")) {
                for (String id : ids) {
                    String state = bad[r.nextInt(bad.length)];
                    ps.setString(1, state);
                    ps.setString(2, id);
                    ps.executeUpdate();
                    details.put(id, state);
                }
            }
            return new Result(ids, details);
        });
    }

    /** Inserts {@code count} task_events rows pointing at task ids that do not exist. */
    public InjectionReport orphanTaskEvents(int count, long seed) {
        return d1("ORPHANED_FOREIGN_KEY", "task_events", c -> {
            List<String> ids = new ArrayList<>();
            Map<String, String> details = new LinkedHashMap<>();
            SplittableRandom r = new SplittableRandom(seed);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO task_events(task_id, event_type, payload, created_at) "
                    + "VALUES(?, 'state_changed', '{\"orphan\":true}', '2026-10-01T00:00:00.000Z')")) {
                for (int i = 0; i < count; i++) {
                    String missing = String.format("tsk_9%06d", r.nextInt(1_000_000));
                    ps.setString(1, missing);
                    ps.executeUpdate();
                    String rowid = Long.toString(lastRowId(c));
                    ids.add(rowid);
                    details.put(rowid, missing);
                }
            }
            return new Result(ids, details);
        });
    }

    /** Points {@code count} tasks at project ids that do not exist. */
    public InjectionReport orphanTasks(int count, long seed) {
        return d1("ORPHANED_FOREIGN_KEY", "tasks", c -> {
            List<String> ids = pick(c, "SELECT id FROM tasks ORDER BY id", count, seed);
            Map<String, String> details = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("UPDATE tasks SET project_id = ? WHERE id = ?")) {
                int n = 0;
                for (String id : ids) {
                    String missing = String.format("prj_9%04d", ++n);
                    ps.setString(1, missing);
                    ps.setString(2, id);
                    ps.executeUpdate();
                    details.put(id, missing);
                }
            }
            return new Result(ids, details);
        });
    }

    /** Duplicates {@code count} task_events rows (same content, new id): no unique constraint stops it. */
    public InjectionReport duplicateTaskEvents(int count, long seed) {
        return d1("DUPLICATE_ROWS", "task_events", c -> {
            List<String> sources = pick(c, "SELECT id FROM task_events WHERE task_id IN (SELECT id FROM tasks) ORDER BY id",
                    count, seed);
            List<String> ids = new ArrayList<>();
            Map<String, String> details = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO task_events(task_id, event_type, payload, created_at) "
                    + "SELECT task_id, event_type, payload, created_at FROM task_events WHERE id = ?")) {
                for (String source : sources) {
                    ps.setLong(1, Long.parseLong(source));
                    ps.executeUpdate();
                    String copy = Long.toString(lastRowId(c));
                    ids.add(copy);
                    details.put(copy, "duplicate of task_events.id " + source);
                }
            }
            return new Result(ids, details);
        });
    }

    /** Cuts {@code count} task descriptions longer than {@code boundary} characters at {@code boundary} (e.g. 255). */
    public InjectionReport truncateTaskDescriptions(int count, int boundary, long seed) {
        return d1("TRUNCATED_TEXT", "tasks", c -> {
            List<String> ids = pick(c, "SELECT id FROM tasks WHERE length(description) > " + boundary + " ORDER BY id", count, seed);
            Map<String, String> details = new LinkedHashMap<>();
            try (PreparedStatement before = c.prepareStatement("SELECT length(description) FROM tasks WHERE id = ?");
                    PreparedStatement ps = c.prepareStatement("UPDATE tasks SET description = substr(description, 1, ?) WHERE id = ?")) {
                for (String id : ids) {
                    before.setString(1, id);
                    try (ResultSet rs = before.executeQuery()) {
                        rs.next();
                        details.put(id, "length " + rs.getInt(1) + " -> " + boundary);
                    }
                    ps.setInt(1, boundary);
                    ps.setString(2, id);
                    ps.executeUpdate();
                }
            }
            return new Result(ids, details);
        });
    }

    /**
     * Double-encodes {@code count} non-ASCII user display names (UTF-8 bytes read as Latin-1 and
     * stored again: {@code José} becomes {@code JosÃ©}), as a connection with the wrong charset does.
     */
    public InjectionReport mojibakeUserNames(int count, long seed) {
        return d1("MIS_ENCODED_TEXT", "users", c -> {
            List<String> ids = pick(c, "SELECT id FROM users WHERE display_name GLOB '*[^ -~]*' ORDER BY id", count, seed);
            Map<String, String> details = new LinkedHashMap<>();
            try (PreparedStatement get = c.prepareStatement("SELECT display_name FROM users WHERE id = ?");
                    PreparedStatement ps = c.prepareStatement("UPDATE users SET display_name = ? WHERE id = ?")) {
                for (String id : ids) {
                    get.setString(1, id);
                    String name;
                    try (ResultSet rs = get.executeQuery()) {
                        rs.next();
                        name = rs.getString(1);
                    }
                    String garbled = new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
                    ps.setString(1, garbled);
                    ps.setString(2, id);
                    ps.executeUpdate();
                    details.put(id, name + " -> " + garbled);
                }
            }
            return new Result(ids, details);
        });
    }

    /** Stores invalid UTF-8 bytes as TEXT in {@code count} task titles (a blob cast to text, as a buggy driver does). */
    public InjectionReport invalidUtf8TaskTitles(int count, long seed) {
        return d1("MIS_ENCODED_TEXT", "tasks", c -> {
            List<String> ids = pick(c, "SELECT id FROM tasks ORDER BY id", count, seed);
            Map<String, String> details = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("UPDATE tasks SET title = CAST(? AS TEXT) WHERE id = ?")) {
                for (String id : ids) {
                    byte[] bytes = ("Fix " + id + " ").getBytes(StandardCharsets.US_ASCII);
                    byte[] bad = new byte[bytes.length + 3];
                    System.arraycopy(bytes, 0, bad, 0, bytes.length);
                    bad[bytes.length] = (byte) 0xC3;
                    bad[bytes.length + 1] = (byte) 0x28; // not a continuation byte
                    bad[bytes.length + 2] = (byte) 0xFF; // never valid in UTF-8
                    ps.setBytes(1, bad);
                    ps.setString(2, id);
                    ps.executeUpdate();
                    details.put(id, HexFormat.of().formatHex(bad));
                }
            }
            return new Result(ids, details);
        });
    }

    /**
     * Deletes {@code count} tasks without their events (foreign keys off, as a careless migration
     * would); the details list each deleted task's now-orphaned task_events ids.
     */
    public InjectionReport deleteTasks(int count, long seed) {
        return d1("DELETED_ROWS", "tasks", c -> {
            List<String> ids = pick(c, "SELECT id FROM tasks ORDER BY id", count, seed);
            Map<String, String> details = new LinkedHashMap<>();
            try (PreparedStatement events = c.prepareStatement("SELECT group_concat(id) FROM task_events WHERE task_id = ?");
                    PreparedStatement ps = c.prepareStatement("DELETE FROM tasks WHERE id = ?")) {
                for (String id : ids) {
                    events.setString(1, id);
                    try (ResultSet rs = events.executeQuery()) {
                        rs.next();
                        details.put(id, "orphaned task_events: " + (rs.getString(1) == null ? "" : rs.getString(1)));
                    }
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
            }
            return new Result(ids, details);
        });
    }

    /** Drops an index (default {@code idx_tasks_state}), as a failed migration would. */
    public InjectionReport dropIndex(String indexName) {
        return d1("DROPPED_INDEX", "tasks", c -> {
            String sql;
            try (PreparedStatement ps = c.prepareStatement("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?")) {
                ps.setString(1, indexName);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalArgumentException("no index " + indexName);
                    }
                    sql = rs.getString(1);
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("DROP INDEX " + D1DumpWriter.escapeId(indexName));
            }
            return new Result(List.of(indexName), Map.of(indexName, sql));
        });
    }

    /** Replaces the values of {@code count} keys of a KV namespace with malformed JSON (cut mid-document). */
    public InjectionReport malformKvJson(String namespaceTitle, int count, long seed) {
        List<SandboxAccount.KvEntry> entries = sandbox.account().kvEntries(namespaceTitle);
        List<String> keys = pickKeys(entries.stream().map(SandboxAccount.KvEntry::key).toList(), count, seed);
        Map<String, String> details = new LinkedHashMap<>();
        for (SandboxAccount.KvEntry e : entries) {
            if (keys.contains(e.key())) {
                String text = new String(e.value(), StandardCharsets.UTF_8);
                String broken = text.substring(0, Math.max(1, text.length() / 2));
                sandbox.account().putKv(namespaceTitle, e.key(), broken.getBytes(StandardCharsets.UTF_8), e.metadataJson(),
                        e.expiration());
                details.put(e.key(), broken);
            }
        }
        return new InjectionReport("MALFORMED_KV_JSON", namespaceTitle, keys, keys.size(), details, sandbox.runtime().now(), null);
    }

    /** Deletes {@code count} keys of a KV namespace. */
    public InjectionReport deleteKvKeys(String namespaceTitle, int count, long seed) {
        List<SandboxAccount.KvEntry> entries = sandbox.account().kvEntries(namespaceTitle);
        List<String> keys = pickKeys(entries.stream().map(SandboxAccount.KvEntry::key).toList(), count, seed);
        Map<String, String> details = new LinkedHashMap<>();
        for (SandboxAccount.KvEntry e : entries) {
            if (keys.contains(e.key())) {
                sandbox.account().deleteKv(namespaceTitle, e.key());
                details.put(e.key(), new String(e.value(), StandardCharsets.UTF_8));
            }
        }
        return new InjectionReport("DELETED_KV_KEYS", namespaceTitle, keys, keys.size(), details, sandbox.runtime().now(), null);
    }

    /** Flips one byte in each of {@code count} objects of a bucket (in place: ETag and sha256 metadata unchanged). */
    public InjectionReport flipR2Bytes(String bucket, int count, long seed) {
        List<String> keys = pickKeys(sandbox.account().r2ObjectKeys(bucket), count, seed);
        Map<String, String> details = new LinkedHashMap<>();
        SplittableRandom r = new SplittableRandom(seed);
        for (String key : keys) {
            int size = sandbox.account().getR2Object(bucket, key).orElseThrow().data().length;
            int offset = r.nextInt(size);
            sandbox.account().flipR2ObjectBytes(bucket, key, offset);
            details.put(key, "byte " + offset + " inverted");
        }
        return new InjectionReport("FLIPPED_R2_BYTES", bucket, keys, keys.size(), details, sandbox.runtime().now(), null);
    }

    // ---------------------------------------------------------------- plumbing

    private record Result(List<String> keys, Map<String, String> details) {
    }

    @FunctionalInterface
    private interface Damage {
        Result apply(Connection c) throws SQLException;
    }

    private InjectionReport d1(String corruptionClass, String table, Damage damage) {
        SandboxAccount.D1Database db = sandbox.account().findD1Database(database)
                .orElseThrow(() -> new IllegalArgumentException("no D1 database " + database));
        String before = sandbox.account().captureRestorePoint(db.uuid());
        Instant at = sandbox.runtime().now();
        Result result;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.file())) {
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA foreign_keys = OFF"); // the bug bypasses the constraint
                st.execute("PRAGMA busy_timeout = 10000");
            }
            c.setAutoCommit(false);
            result = damage.apply(c);
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(corruptionClass + " injection failed", e);
        }
        sandbox.account().captureRestorePoint(db.uuid());
        return new InjectionReport(corruptionClass, table, List.copyOf(result.keys()), result.keys().size(),
                Map.copyOf(result.details()), at, before);
    }

    private static List<String> pick(Connection c, String sql, int count, long seed) throws SQLException {
        List<String> all = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                all.add(rs.getString(1));
            }
        }
        return pickKeys(all, count, seed);
    }

    /** {@code count} distinct items chosen by a seeded partial Fisher–Yates shuffle. */
    static List<String> pickKeys(List<String> all, int count, long seed) {
        if (count < 0 || count > all.size()) {
            throw new IllegalArgumentException("cannot pick " + count + " of " + all.size() + " candidates");
        }
        List<String> pool = new ArrayList<>(all);
        SplittableRandom r = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int j = i + r.nextInt(pool.size() - i);
            String tmp = pool.get(i);
            pool.set(i, pool.get(j));
            pool.set(j, tmp);
            out.add(pool.get(i));
        }
        return out;
    }

    private static long lastRowId(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT last_insert_rowid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
