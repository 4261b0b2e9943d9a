package dev.lifeline.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteLimits;

/**
 * One emulated D1 database: a real SQLite file, the connection the REST API runs SQL on, the lock
 * that serialises work on it (D1 runs one query at a time per database), the long-running-job flag
 * that blocks queries during an export or import, and its Time Travel restore points.
 *
 * <p>Restore points are page-exact copies made with SQLite's online backup API (not
 * {@code VACUUM INTO}, which may renumber rowids), so restoring one gives back the database exactly.
 * Change detection reads the file-change counter in the database header, which every committed
 * write increments in rollback-journal mode, whoever wrote it (API, seeding, corruption injector).
 */
final class D1Instance {
    static final int MAX_BOUND_PARAMS = 100;
    static final int MAX_STATEMENT_BYTES = 100_000;

    final String uuid;
    final String name;
    final String version;
    final Instant createdAt;
    final String locationHint;
    final Path file;
    private final Path pointsDir;
    private final SandboxRuntime runtime;
    final ReentrantLock lock = new ReentrantLock();
    private volatile String busy;
    private Connection connection;
    private final List<Point> points = new ArrayList<>();
    private Instant lastChangeAt;
    private final Deque<Instant> restoreTimes = new ArrayDeque<>();

    /** A Time Travel restore point. */
    record Point(long seq, String bookmark, Instant at, long counter, Path file) {
    }

    D1Instance(SandboxRuntime runtime, String uuid, String name, String version, Instant createdAt,
            String locationHint) {
        this.runtime = runtime;
        this.uuid = uuid;
        this.name = name;
        this.version = version;
        this.createdAt = createdAt;
        this.locationHint = locationHint;
        this.file = runtime.dataDir.resolve("d1").resolve(uuid + ".sqlite3");
        this.pointsDir = runtime.dataDir.resolve("d1").resolve(uuid + ".points");
        runtime.store.query("SELECT seq, bookmark, at_ms, counter FROM d1_points WHERE db_uuid = ? ORDER BY seq",
                rs -> points.add(new Point(rs.getLong(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                        rs.getLong(4), pointsDir.resolve(rs.getLong(1) + ".sqlite3"))), uuid);
    }

    // ---------------------------------------------------------------- connection

    /** Opens a connection configured like D1: foreign keys enforced, D1's statement limits. */
    static Connection open(Path file, boolean d1Limits) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.enforceForeignKeys(true);
        config.setBusyTimeout(10_000);
        config.setJournalMode(SQLiteConfig.JournalMode.DELETE);
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
        if (d1Limits) {
            var db = ((SQLiteConnection) c).getDatabase();
            db.limit(SQLiteLimits.SQLITE_LIMIT_VARIABLE_NUMBER.getId(), MAX_BOUND_PARAMS);
            db.limit(SQLiteLimits.SQLITE_LIMIT_SQL_LENGTH.getId(), MAX_STATEMENT_BYTES);
        }
        return c;
    }

    /** The API connection; callers hold {@link #lock}. */
    Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = open(file, true);
        }
        return connection;
    }

    void initialiseFile() {
        lock.lock();
        try {
            Files.createDirectories(file.getParent());
            try (Statement st = connection().createStatement()) {
                // Materialise the file with its header so its change counter can be read.
                st.execute("PRAGMA user_version = 0");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } finally {
            lock.unlock();
        }
    }

    void closeConnection() {
        lock.lock();
        try {
            if (connection != null) {
                connection.close();
                connection = null;
            }
        } catch (SQLException e) {
            // Closing: nothing to recover.
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- long-running jobs

    String busy() {
        return busy;
    }

    void setBusy(String what) {
        this.busy = what;
    }

    void checkNotBusy() {
        String b = busy;
        if (b != null) {
            throw new ApiException(400, 7500, "Currently processing a long-running " + b + ".");
        }
    }

    // ---------------------------------------------------------------- queries

    /** One statement of a query request. */
    record SqlStatement(String sql, List<JsonNode> params) {
    }

    /** Runs a query request in one transaction and returns D1's per-statement results. */
    ArrayNode execute(List<SqlStatement> statements, boolean raw) {
        checkNotBusy();
        lock.lock();
        try {
            checkNotBusy();
            beforeRequest();
            Connection c = connection();
            ArrayNode out = Json.array();
            boolean changed = false;
            c.setAutoCommit(false);
            try {
                for (SqlStatement s : statements) {
                    ObjectNode result = runStatement(c, s, raw);
                    changed |= result.path("meta").path("changed_db").asBoolean();
                    out.add(result);
                }
                c.commit();
            } catch (SQLException e) {
                rollbackQuietly(c);
                throw new ApiException(400, 7500, D1Errors.message(e, currentSql));
            } catch (RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            if (changed) {
                lastChangeAt = runtime.now();
                // Record the new state right away (interval permitting), so a later write that
                // bypasses the API (seeding, corruption, a test) cannot erase it from history.
                Point last = latestPoint();
                if (last == null || !runtime.now().isBefore(last.at().plus(runtime.options.timeTravelSnapshotInterval()))) {
                    capture(lastChangeAt);
                }
            }
            long size = fileSize();
            for (JsonNode r : out) {
                ((ObjectNode) r.get("meta")).put("size_after", size);
            }
            return out;
        } catch (SQLException e) {
            throw new ApiException(500, 7500, D1Errors.message(e, null));
        } finally {
            currentSql = null;
            lock.unlock();
        }
    }

    private String currentSql;

    private ObjectNode runStatement(Connection c, SqlStatement s, boolean raw) throws SQLException {
        currentSql = s.sql();
        String lead = SqlStatementReader.leadingKeywords(s.sql(), 2);
        String first = lead.contains(" ") ? lead.substring(0, lead.indexOf(' ')) : lead;
        if (first.equals("ATTACH") || first.equals("DETACH") || first.equals("COMMIT") || first.equals("END")
                || (first.equals("ROLLBACK") && !lead.equals("ROLLBACK TO"))) {
            throw new ApiException(400, 7500, "not authorized to use " + first + ": SQLITE_AUTH");
        }
        long start = System.nanoTime();
        var db = ((SQLiteConnection) c).getDatabase();
        long totalBefore = db.total_changes();
        boolean ddl = first.equals("CREATE") || first.equals("DROP") || first.equals("ALTER");
        long schemaBefore = ddl ? schemaVersion(c) : 0;
        ObjectNode result = Json.object();
        long rowsReturned = 0;
        try (PreparedStatement ps = c.prepareStatement(s.sql())) {
            int expected = ps.getParameterMetaData().getParameterCount();
            if (expected != s.params().size()) {
                throw new ApiException(400, 7500, "Wrong number of parameter bindings for SQL query.");
            }
            for (int i = 0; i < s.params().size(); i++) {
                bind(ps, i + 1, s.params().get(i));
            }
            boolean hasRows = ps.execute();
            ArrayNode rowsOut = Json.array();
            ArrayNode columnsOut = Json.array();
            if (hasRows) {
                try (ResultSet rs = ps.getResultSet()) {
                    ResultSetMetaData md = rs.getMetaData();
                    int n = md.getColumnCount();
                    String[] names = new String[n];
                    for (int i = 0; i < n; i++) {
                        names[i] = md.getColumnLabel(i + 1);
                        columnsOut.add(names[i]);
                    }
                    while (rs.next()) {
                        rowsReturned++;
                        if (raw) {
                            ArrayNode row = rowsOut.addArray();
                            for (int i = 0; i < n; i++) {
                                row.add(jsonValue(rs.getObject(i + 1)));
                            }
                        } else {
                            ObjectNode row = rowsOut.addObject();
                            for (int i = 0; i < n; i++) {
                                row.set(names[i], jsonValue(rs.getObject(i + 1)));
                            }
                        }
                    }
                }
            }
            long changes = db.total_changes() - totalBefore;
            boolean changedDb = changes > 0 || (ddl && schemaVersion(c) != schemaBefore);
            double millis = (System.nanoTime() - start) / 1_000_000.0;
            result.put("success", true);
            if (raw) {
                ObjectNode results = result.putObject("results");
                results.set("columns", columnsOut);
                results.set("rows", rowsOut);
            } else {
                result.set("results", rowsOut);
            }
            ObjectNode meta = result.putObject("meta");
            meta.put("served_by", "v3-prod");
            meta.put("served_by_region", region());
            meta.put("served_by_colo", colo());
            meta.put("served_by_primary", true);
            meta.put("duration", millis);
            meta.put("changes", changes > 0 ? db.changes() : 0);
            meta.put("last_row_id", lastRowId(c));
            meta.put("changed_db", changedDb);
            meta.put("size_after", 0);
            // Approximation: D1 counts rows scanned; the sandbox counts rows returned or changed.
            meta.put("rows_read", Math.max(rowsReturned, changes));
            meta.put("rows_written", changes);
            meta.putObject("timings").put("sql_duration_ms", millis);
        }
        return result;
    }

    private static void bind(PreparedStatement ps, int index, JsonNode value) throws SQLException {
        if (value == null || value.isNull()) {
            ps.setNull(index, java.sql.Types.NULL);
        } else if (value.isTextual()) {
            ps.setString(index, value.asText());
        } else if (value.isBoolean()) {
            ps.setLong(index, value.asBoolean() ? 1 : 0);
        } else if (value.isIntegralNumber() && value.canConvertToLong()) {
            ps.setLong(index, value.asLong());
        } else if (value.isNumber()) {
            ps.setDouble(index, value.asDouble());
        } else {
            throw new ApiException(400, 7400, "params must be strings, numbers, booleans or null");
        }
    }

    /** An SQLite value as D1's JavaScript would serialise it (numbers through doubles, BLOBs as byte arrays). */
    static JsonNode jsonValue(Object v) {
        if (v == null) {
            return Json.NODES.nullNode();
        }
        if (v instanceof Long || v instanceof Integer) {
            return Json.NODES.rawValueNode(new RawValue(JsNumbers.ofLong(((Number) v).longValue())));
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return Json.NODES.nullNode(); // JSON.stringify(Infinity) === "null"
            }
            return Json.NODES.rawValueNode(new RawValue(JsNumbers.ofDouble(d)));
        }
        if (v instanceof byte[]) {
            ArrayNode bytes = Json.array();
            for (byte b : (byte[]) v) {
                bytes.add(b & 0xFF);
            }
            return bytes;
        }
        return Json.NODES.textNode(v.toString());
    }

    private static long schemaVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA schema_version")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static long lastRowId(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT last_insert_rowid()")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // The original failure is what the caller needs to see.
        }
    }

    String region() {
        return locationHint == null ? "ENAM" : locationHint.toUpperCase(Locale.ROOT);
    }

    String colo() {
        switch (region()) {
            case "WNAM": return "SJC";
            case "WEUR": return "LHR";
            case "EEUR": return "WAW";
            case "APAC": return "SIN";
            case "OC": return "SYD";
            default: return "EWR";
        }
    }

    long fileSize() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    int tableCount() {
        lock.lock();
        try (Statement st = connection().createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                        + "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (SQLException e) {
            return 0;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- Time Travel

    /** The header's file change counter: bumped by every committed write in rollback-journal mode. */
    long changeCounter() {
        if (!Files.exists(file)) {
            return 0;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4);
            if (ch.read(b, 24) < 4) {
                return 0;
            }
            b.flip();
            return Integer.toUnsignedLong(b.getInt());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Called under the lock before an API request runs: records a point if the interval allows. */
    private void beforeRequest() throws SQLException {
        Point last = latestPoint();
        if (last == null || last.counter() != changeCounter()) {
            boolean due = last == null || !runtime.now().isBefore(last.at().plus(runtime.options.timeTravelSnapshotInterval()));
            if (due) {
                capture(lastChangeAt != null ? lastChangeAt : runtime.now());
            }
        }
    }

    /** Background tick: records a point for changes made outside the API (seeding, direct writes). */
    void tick() {
        if (busy != null || !lock.tryLock()) {
            return;
        }
        try {
            beforeRequest();
            prune();
        } catch (SQLException | RuntimeException e) {
            runtime.log.warn("Time Travel tick failed for D1 database {}: {}", name, e.toString());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes sure the current state has a restore point and returns it. The point is labelled with
     * the time of the last change the sandbox saw (so timestamps between that change and now map to
     * it), or now for changes it could not time (direct writes to the file).
     */
    Point settle() throws SQLException {
        Point last = latestPoint();
        Instant now = runtime.now();
        if (last == null || last.counter() != changeCounter()) {
            return capture(lastChangeAt != null ? lastChangeAt : now);
        }
        if (last.at().isBefore(now.minus(runtime.options.timeTravelRetention()))) {
            return capture(now); // the only point is too old to be restorable: refresh it
        }
        return last;
    }

    /** Copies the live database into a new restore point labelled {@code label}; callers hold the lock. */
    Point capture(Instant label) throws SQLException {
        Point last = latestPoint();
        if (last != null && label.isBefore(last.at())) {
            label = last.at(); // bookmarks must sort in creation order
        }
        long seq = last == null ? 1 : last.seq() + 1;
        String bookmark = bookmark(uuid, label, seq);
        Path target = pointsDir.resolve(seq + ".sqlite3");
        try {
            Files.createDirectories(pointsDir);
            Files.deleteIfExists(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ((SQLiteConnection) connection()).getDatabase().backup("main", target.toString(), null);
        Point p = new Point(seq, bookmark, label, changeCounter(), target);
        runtime.store.update("INSERT INTO d1_points(db_uuid, seq, bookmark, at_ms, counter) VALUES(?,?,?,?,?)",
                uuid, seq, bookmark, label.toEpochMilli(), p.counter());
        points.add(p);
        lastChangeAt = null;
        return p;
    }

    /**
     * D1-shaped bookmark {@code 8hex-8hex-8hex-32hex}: epoch seconds, milliseconds, sequence, then a
     * digest of the database id and those numbers. Deterministic and lexicographically ordered.
     */
    static String bookmark(String uuid, Instant at, long seq) {
        String head = String.format(Locale.ROOT, "%08x-%08x-%08x", at.getEpochSecond(),
                at.getNano() / 1_000_000, seq);
        try {
            byte[] digest = MessageDigest.getInstance("MD5")
                    .digest((uuid + "/" + head).getBytes(StandardCharsets.UTF_8));
            return head + "-" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    List<Point> points() {
        return List.copyOf(points);
    }

    Point latestPoint() {
        return points.isEmpty() ? null : points.get(points.size() - 1);
    }

    Optional<Point> pointByBookmark(String bookmark) {
        return points.stream().filter(p -> p.bookmark().equals(bookmark)).findFirst();
    }

    /** The newest point at or before {@code t}. */
    Optional<Point> pointAt(Instant t) {
        Point best = null;
        for (Point p : points) {
            if (!p.at().isAfter(t)) {
                best = p;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Drops points past the retention, keeping the newest one (it describes the current state). */
    void prune() {
        Instant cutoff = runtime.now().minus(runtime.options.timeTravelRetention());
        while (points.size() > 1 && points.get(0).at().isBefore(cutoff)) {
            Point old = points.remove(0);
            runtime.store.update("DELETE FROM d1_points WHERE db_uuid = ? AND seq = ?", uuid, old.seq());
            try {
                Files.deleteIfExists(old.file());
            } catch (IOException e) {
                runtime.log.warn("cannot delete expired restore point {}", old.file());
            }
        }
    }

    /** Restores {@code target} in place (online backup API) and records the result; callers hold the lock. */
    Point[] restore(Point target) throws SQLException {
        Point previous = settle();
        ((SQLiteConnection) connection()).getDatabase().restore("main", target.file().toString(), null);
        Point now = capture(runtime.now());
        restoreTimes.addLast(runtime.now());
        return new Point[] {previous, now};
    }

    /** Counts restores in the last ten minutes, forgetting older ones. */
    int recentRestores() {
        Instant cutoff = runtime.now().minusSeconds(600);
        while (!restoreTimes.isEmpty() && restoreTimes.peekFirst().isBefore(cutoff)) {
            restoreTimes.removeFirst();
        }
        return restoreTimes.size();
    }

    Instant oldestRecentRestore() {
        return restoreTimes.peekFirst();
    }

    void markChanged() {
        lastChangeAt = runtime.now();
    }

    void deleteFiles() throws IOException {
        closeConnection();
        Files.deleteIfExists(file);
        Files.deleteIfExists(file.resolveSibling(file.getFileName() + "-journal"));
        if (Files.isDirectory(pointsDir)) {
            try (var stream = Files.list(pointsDir)) {
                for (Path p : (Iterable<Path>) stream::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(pointsDir);
        }
        runtime.store.update("DELETE FROM d1_points WHERE db_uuid = ?", uuid);
        points.clear();
    }
}
