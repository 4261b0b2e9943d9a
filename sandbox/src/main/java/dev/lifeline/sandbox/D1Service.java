package dev.lifeline.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;
import org.sqlite.SQLiteConnection;

/**
 * The D1 side of the emulated account: the database registry and every D1 operation of the API
 * (CRUD, query/raw, export and import polling jobs, Time Travel).
 */
final class D1Service {
    private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9-_]*$");
    private static final Pattern ETAG = Pattern.compile("^[0-9a-f]{32}$");
    private static final Duration POLL_WAIT = Duration.ofMillis(1000);
    private static final long PART_BYTES = 5L * 1024 * 1024;

    private final SandboxRuntime runtime;
    private final Map<String, D1Instance> databases = new ConcurrentHashMap<>();
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();

    D1Service(SandboxRuntime runtime) {
        this.runtime = runtime;
        runtime.store.query("SELECT uuid, name, version, created_at, location_hint FROM d1_databases",
                rs -> databases.put(rs.getString(1), new D1Instance(runtime, rs.getString(1), rs.getString(2),
                        rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5))));
    }

    // ---------------------------------------------------------------- registry

    D1Instance create(String name, String version, String locationHint) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest(7400, "Invalid database name: use lowercase letters, digits, '-' and '_'");
        }
        if (!List.of("alpha", "beta", "production").contains(version)) {
            throw new IllegalArgumentException("version must be alpha, beta or production");
        }
        synchronized (databases) {
            if (byName(name).isPresent()) {
                throw ApiException.badRequest(7502, "A database with that name already exists");
            }
            String uuid = UUID.randomUUID().toString();
            Instant now = runtime.now();
            runtime.store.update("INSERT INTO d1_databases(uuid, name, version, created_at, location_hint) VALUES(?,?,?,?,?)",
                    uuid, name, version, now.toEpochMilli(), locationHint);
            D1Instance db = new D1Instance(runtime, uuid, name, version, now, locationHint);
            db.initialiseFile();
            db.lock.lock();
            try {
                db.capture(now); // the empty database is the first restore point
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            } finally {
                db.lock.unlock();
            }
            databases.put(uuid, db);
            return db;
        }
    }

    List<D1Instance> list() {
        List<D1Instance> all = new ArrayList<>(databases.values());
        all.sort(Comparator.comparing((D1Instance d) -> d.createdAt).thenComparing(d -> d.name));
        return all;
    }

    Optional<D1Instance> byName(String name) {
        return databases.values().stream().filter(d -> d.name.equals(name)).findFirst();
    }

    Optional<D1Instance> find(String idOrName) {
        D1Instance db = databases.get(idOrName);
        return db != null ? Optional.of(db) : byName(idOrName);
    }

    D1Instance require(String uuid) {
        D1Instance db = databases.get(uuid);
        if (db == null) {
            throw ApiException.notFound(7404, "Not Found");
        }
        return db;
    }

    /** The GET endpoint also resolves names, as wrangler relies on. */
    D1Instance requireByIdOrName(String idOrName) {
        return find(idOrName).orElseThrow(() -> ApiException.notFound(7404, "Not Found"));
    }

    void delete(D1Instance db) {
        db.checkNotBusy();
        synchronized (databases) {
            databases.remove(db.uuid);
            runtime.store.update("DELETE FROM d1_databases WHERE uuid = ?", db.uuid);
        }
        try {
            db.deleteFiles();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void tickAll() {
        for (D1Instance db : databases.values()) {
            db.tick();
        }
        abandonUnpolledExports();
        forgetOldJobs();
    }

    /** Finished jobs and their dumps are kept as long as a signed URL to them can be valid. */
    private void forgetOldJobs() {
        Instant cutoff = runtime.now().minus(SignedUrls.VALIDITY);
        jobs.entrySet().removeIf(e -> {
            Job j = e.getValue();
            if (j.finishedAt == null || !j.finishedAt.isBefore(cutoff)) {
                return false;
            }
            if ("export".equals(j.type) && j.path != null) {
                try {
                    Files.deleteIfExists(j.path);
                } catch (IOException ex) {
                    runtime.log.debug("cannot delete expired export {}", j.path);
                }
            }
            return true;
        });
    }

    void closeAll() {
        for (Job j : jobs.values()) {
            j.cancelled = true;
        }
        for (D1Instance db : databases.values()) {
            db.closeConnection();
        }
    }

    ObjectNode describe(D1Instance db, boolean details) {
        ObjectNode o = Json.object();
        o.put("uuid", db.uuid);
        o.put("name", db.name);
        o.put("created_at", Json.iso(db.createdAt));
        o.put("version", db.version);
        o.putNull("jurisdiction");
        o.put("num_tables", db.tableCount());
        o.put("file_size", db.fileSize());
        if (details) {
            o.putObject("read_replication").put("mode", "disabled");
            o.put("running_in_region", db.region());
        }
        return o;
    }

    // ---------------------------------------------------------------- query

    ArrayNode query(D1Instance db, JsonNode body, boolean raw) {
        List<D1Instance.SqlStatement> statements = new ArrayList<>();
        if (body.has("batch")) {
            JsonNode batch = body.get("batch");
            if (!batch.isArray() || batch.isEmpty()) {
                throw ApiException.badRequest(7400, "batch must be a non-empty array of {sql, params}");
            }
            for (JsonNode q : batch) {
                statements.addAll(split(q));
            }
        } else {
            statements.addAll(split(body));
        }
        if (statements.isEmpty()) {
            throw ApiException.badRequest(7500, "No SQL statements detected.");
        }
        return db.execute(statements, raw);
    }

    private static List<D1Instance.SqlStatement> split(JsonNode q) {
        JsonNode sql = q.get("sql");
        if (sql == null || !sql.isTextual()) {
            throw ApiException.badRequest(7400, "sql is required and must be a string");
        }
        List<JsonNode> params = new ArrayList<>();
        JsonNode p = q.get("params");
        if (p != null && !p.isNull()) {
            if (!p.isArray()) {
                throw ApiException.badRequest(7400, "params must be an array");
            }
            p.forEach(params::add);
        }
        List<String> texts = new ArrayList<>();
        try (SqlStatementReader reader = new SqlStatementReader(new StringReader(sql.asText()), Integer.MAX_VALUE - 16)) {
            String s;
            while ((s = reader.next()) != null) {
                texts.add(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (texts.size() > 1 && !params.isEmpty()) {
            throw ApiException.badRequest(7500, "params are only supported with a single SQL statement; use batch");
        }
        List<D1Instance.SqlStatement> out = new ArrayList<>();
        for (String t : texts) {
            out.add(new D1Instance.SqlStatement(t, texts.size() == 1 ? params : List.of()));
        }
        return out;
    }

    // ---------------------------------------------------------------- jobs (export and import)

    /** A long-running export or import; its key is the database id plus its constant at_bookmark. */
    final class Job {
        final String type;
        final D1Instance db;
        final String atBookmark;
        final ConcurrentLinkedQueue<String> messages = new ConcurrentLinkedQueue<>();
        volatile String status = "active";
        volatile String error;
        volatile ObjectNode result;
        volatile boolean cancelled;
        volatile Instant lastPolled;
        volatile boolean stalled;
        volatile Instant finishedAt;
        D1DumpWriter.Options dumpOptions;
        String filename;
        Path path;

        Job(String type, D1Instance db, String atBookmark) {
            this.type = type;
            this.db = db;
            this.atBookmark = atBookmark;
            this.lastPolled = runtime.now();
        }

        synchronized void finish(String newStatus) {
            finishedAt = runtime.now();
            status = newStatus;
            notifyAll();
        }

        synchronized void awaitDone(Duration max) {
            long deadline = System.nanoTime() + max.toNanos();
            while ("active".equals(status)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        ObjectNode polling() {
            ObjectNode r = Json.object();
            r.put("success", !"error".equals(status));
            r.put("type", type);
            r.put("at_bookmark", atBookmark);
            r.put("status", status);
            ArrayNode msgs = r.putArray("messages");
            String m;
            while ((m = messages.poll()) != null) {
                msgs.add(m);
            }
            if ("error".equals(status)) {
                r.put("error", error);
                if ("import".equals(type)) {
                    r.putArray("errors").add(error);
                }
            }
            if ("complete".equals(status) && result != null) {
                r.set("result", result);
            }
            return r;
        }
    }

    private static String key(D1Instance db, String bookmark) {
        return db.uuid + "/" + bookmark;
    }

    private Optional<Job> activeJob(D1Instance db) {
        return jobs.values().stream().filter(j -> j.db == db && "active".equals(j.status)).findFirst();
    }

    // ---------------------------------------------------------------- export

    /** Handles one export call (start or poll); returns the polling object. */
    Job export(D1Instance db, JsonNode body) {
        JsonNode format = body.get("output_format");
        if (format == null || !"polling".equals(format.asText())) {
            throw ApiException.badRequest(7400, "output_format must be \"polling\"");
        }
        JsonNode current = body.get("current_bookmark");
        if (current != null && current.isTextual()) {
            Job job = jobs.get(key(db, current.asText()));
            if (job == null || !"export".equals(job.type)) {
                throw ApiException.badRequest(7400, "No export in progress for bookmark " + current.asText());
            }
            job.lastPolled = runtime.now();
            job.awaitDone(POLL_WAIT);
            return job;
        }
        Optional<Job> running = activeJob(db);
        if (running.isPresent()) {
            if ("export".equals(running.get().type)) {
                running.get().lastPolled = runtime.now();
                return running.get();
            }
            db.checkNotBusy();
        }
        JsonNode opts = body.path("dump_options");
        List<String> tables = new ArrayList<>();
        opts.path("tables").forEach(t -> tables.add(t.asText()));
        D1DumpWriter.Options dumpOptions = new D1DumpWriter.Options(
                opts.path("no_schema").asBoolean(false), opts.path("no_data").asBoolean(false), tables);
        Job job;
        db.lock.lock();
        try {
            db.checkNotBusy();
            D1Instance.Point at = db.settle();
            job = new Job("export", db, at.bookmark());
            job.dumpOptions = dumpOptions;
            job.filename = db.uuid + "-" + at.bookmark() + ".sql";
            job.stalled = runtime.faults.takeExportStall();
            db.setBusy("export");
            jobs.put(key(db, at.bookmark()), job);
        } catch (SQLException e) {
            throw new ApiException(500, 7500, D1Errors.message(e, null));
        } finally {
            db.lock.unlock();
        }
        job.messages.add("Generating " + job.filename);
        Job started = job;
        runtime.jobs.submit(() -> runExport(started));
        return job;
    }

    private void runExport(Job job) {
        Path dir = runtime.dataDir.resolve("exports").resolve(job.db.uuid);
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "export-", ".part");
            while (job.stalled && !job.cancelled && runtime.faults.exportsStalled()) {
                Thread.sleep(20);
            }
            if (job.cancelled) {
                throw new D1DumpWriter.DumpException("cancelled");
            }
            try (Connection c = D1Instance.open(job.db.file, false)) {
                c.setAutoCommit(false); // one read transaction: a consistent snapshot
                long[] parts = {0};
                OutputStream counting = new FilterOutputStream(Files.newOutputStream(tmp)) {
                    long written;

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                        written += len;
                        while (written >= (parts[0] + 1) * PART_BYTES) {
                            parts[0]++;
                            job.messages.add("Uploaded part " + parts[0]);
                        }
                    }
                };
                try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(counting, StandardCharsets.UTF_8), 1 << 16)) {
                    new D1DumpWriter(c, job.dumpOptions, () -> job.cancelled).write(w);
                }
                c.rollback();
                if (parts[0] == 0 || Files.size(tmp) > parts[0] * PART_BYTES) {
                    job.messages.add("Uploaded part " + (parts[0] + 1));
                }
            }
            Path target = dir.resolve(job.filename);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            job.path = target;
            ObjectNode result = Json.object();
            result.put("filename", job.filename);
            result.put("signed_url", runtime.signedUrls.sign("GET", exportPath(job.db, job.filename)));
            job.result = result;
            job.db.setBusy(null);
            job.finish("complete");
        } catch (D1DumpWriter.DumpException e) {
            job.error = job.cancelled ? "Export cancelled: it was not polled within "
                    + runtime.options.exportAbandonAfter().toSeconds() + " s" : e.getMessage();
            job.db.setBusy(null);
            job.finish("error");
        } catch (Exception e) {
            runtime.log.warn("export of D1 database {} failed", job.db.name, e);
            job.error = e instanceof SQLException ? D1Errors.message((SQLException) e, null) : String.valueOf(e.getMessage());
            job.db.setBusy(null);
            job.finish("error");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    static String exportPath(D1Instance db, String filename) {
        return "/__sandbox/r2/d1-exports/" + db.uuid + "/" + filename;
    }

    /** The file behind a signed export URL, if it is still there. */
    Optional<Path> exportFile(String dbUuid, String filename) {
        if (filename.contains("/") || filename.contains("..")) {
            return Optional.empty();
        }
        Path p = runtime.dataDir.resolve("exports").resolve(dbUuid).resolve(filename);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    private void abandonUnpolledExports() {
        Instant now = runtime.now();
        for (Job j : jobs.values()) {
            if ("export".equals(j.type) && "active".equals(j.status) && !j.cancelled
                    && now.isAfter(j.lastPolled.plus(runtime.options.exportAbandonAfter()))) {
                j.cancelled = true; // the worker notices, cleans up and reports the error
            }
        }
    }

    // ---------------------------------------------------------------- import

    Path importFile(String dbUuid, String etag) {
        return runtime.dataDir.resolve("imports").resolve(dbUuid).resolve(etag + ".sql");
    }

    static String importFilename(D1Instance db, String etag) {
        return db.uuid + "-" + etag + ".sql";
    }

    static String importPath(D1Instance db, String etag) {
        return "/__sandbox/r2/d1-imports/" + db.uuid + "/" + etag + ".sql";
    }

    /** Handles one import call; returns either an init answer or a job's polling object. */
    Object importAction(D1Instance db, JsonNode body) {
        String action = body.path("action").asText("");
        switch (action) {
            case "init": {
                String etag = etag(body);
                if (Files.isRegularFile(importFile(db.uuid, etag))) {
                    return startImport(db, etag);
                }
                ObjectNode r = Json.object();
                r.put("success", true);
                r.put("type", "import");
                r.put("filename", importFilename(db, etag));
                r.put("upload_url", runtime.signedUrls.sign("PUT", importPath(db, etag)));
                return r;
            }
            case "ingest": {
                String etag = etag(body);
                String filename = body.path("filename").asText("");
                if (!filename.equals(importFilename(db, etag))) {
                    throw ApiException.badRequest(7400, "filename does not match the etag's upload");
                }
                if (!Files.isRegularFile(importFile(db.uuid, etag))) {
                    throw ApiException.badRequest(7400, "No file was uploaded for etag " + etag);
                }
                return startImport(db, etag);
            }
            case "poll": {
                String bookmark = body.path("current_bookmark").asText("");
                Job job = jobs.get(key(db, bookmark));
                if (job == null || !"import".equals(job.type)) {
                    throw ApiException.badRequest(7400, "No import in progress for bookmark " + bookmark);
                }
                job.awaitDone(POLL_WAIT);
                return job;
            }
            default:
                throw ApiException.badRequest(7400, "action must be init, ingest or poll");
        }
    }

    private static String etag(JsonNode body) {
        String etag = body.path("etag").asText("");
        if (!ETAG.matcher(etag).matches()) {
            throw ApiException.badRequest(7400, "etag must be the lowercase hex MD5 of the file");
        }
        return etag;
    }

    private Job startImport(D1Instance db, String etag) {
        Optional<Job> running = activeJob(db);
        if (running.isPresent()) {
            db.checkNotBusy();
        }
        Job job;
        db.lock.lock();
        try {
            db.checkNotBusy();
            // Always a restore point right before an import, so it can be undone with Time Travel.
            D1Instance.Point at = db.settle();
            job = new Job("import", db, at.bookmark());
            job.path = importFile(db.uuid, etag);
            db.setBusy("import");
            jobs.put(key(db, at.bookmark()), job);
        } catch (SQLException e) {
            throw new ApiException(500, 7500, D1Errors.message(e, null));
        } finally {
            db.lock.unlock();
        }
        Job started = job;
        runtime.jobs.submit(() -> runImport(started));
        job.awaitDone(POLL_WAIT); // the service answers ingest after about a second
        return job;
    }

    private void runImport(Job job) {
        D1Instance db = job.db;
        db.lock.lock();
        long queries = 0;
        long started = System.nanoTime();
        String sql = null;
        try {
            Connection c = db.connection();
            try (InputStream raw = Files.newInputStream(job.path)) {
                byte[] head = raw.readNBytes(15);
                if (new String(head, StandardCharsets.ISO_8859_1).equals("SQLite format 3")) {
                    throw new ImportFailure("Provided file is a binary SQLite database file instead of an SQL text file. "
                            + "The import can only process SQL text files. "
                            + "Please export an SQL file from your SQLite database and try again.");
                }
            }
            var native_ = ((SQLiteConnection) c).getDatabase();
            long changesBefore = native_.total_changes();
            c.setAutoCommit(false);
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(job.path), StandardCharsets.UTF_8), 1 << 16);
                    SqlStatementReader statements = new SqlStatementReader(reader, 4 * D1Instance.MAX_STATEMENT_BYTES)) {
                while ((sql = statements.next()) != null) {
                    String lead = SqlStatementReader.leadingKeywords(sql, 2);
                    String first = lead.contains(" ") ? lead.substring(0, lead.indexOf(' ')) : lead;
                    if (first.equals("BEGIN") || first.equals("COMMIT") || first.equals("END")
                            || (first.equals("ROLLBACK") && !lead.equals("ROLLBACK TO"))) {
                        throw new ImportFailure("The SQL file contains transaction statements (" + lead
                                + "). D1 runs the import in a transaction for you; remove BEGIN TRANSACTION/COMMIT "
                                + "and try again.");
                    }
                    if (first.equals("ATTACH") || first.equals("DETACH")) {
                        throw new ImportFailure("not authorized to use " + first + ": SQLITE_AUTH");
                    }
                    try (java.sql.Statement st = c.createStatement()) {
                        st.execute(sql);
                        ResultSetDrain.drain(st);
                    }
                    queries++;
                    if (queries % 10_000 == 0) {
                        job.messages.add("Processed " + queries + " queries.");
                    }
                }
                c.commit();
            } catch (SqlStatementReader.StatementTooLongException e) {
                throw new ImportFailure("statement too long: SQLITE_TOOBIG");
            } catch (SQLException | ImportFailure | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // report the original failure
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            long changes = native_.total_changes() - changesBefore;
            db.markChanged();
            D1Instance.Point after = db.settle();
            double millis = (System.nanoTime() - started) / 1_000_000.0;
            ObjectNode result = Json.object();
            result.put("final_bookmark", after.bookmark());
            result.put("num_queries", queries);
            ObjectNode meta = result.putObject("meta");
            meta.put("served_by_region", db.region());
            meta.put("served_by_colo", db.colo());
            meta.put("served_by_primary", true);
            meta.put("duration", millis);
            meta.put("changes", changes);
            meta.put("last_row_id", 0);
            meta.put("changed_db", changes > 0 || queries > 0);
            meta.put("size_after", db.fileSize());
            meta.put("rows_read", changes);
            meta.put("rows_written", changes);
            meta.putObject("timings").put("sql_duration_ms", millis);
            job.result = result;
            job.messages.add("Processed " + queries + " queries.");
            db.setBusy(null);
            job.finish("complete");
        } catch (ImportFailure e) {
            job.error = e.getMessage();
            db.setBusy(null);
            job.finish("error");
        } catch (SQLException e) {
            job.error = D1Errors.message(e, sql) + (sql == null ? "" : " (statement " + (queries + 1) + ")");
            db.setBusy(null);
            job.finish("error");
        } catch (Exception e) {
            runtime.log.warn("import into D1 database {} failed", db.name, e);
            job.error = String.valueOf(e.getMessage());
            db.setBusy(null);
            job.finish("error");
        } finally {
            db.lock.unlock();
        }
    }

    /** A failed import with the message the API reports. */
    static final class ImportFailure extends Exception {
        private static final long serialVersionUID = 1L;

        ImportFailure(String message) {
            super(message);
        }
    }

    /** Stores an uploaded import file after checking its MD5 against the etag in its URL. */
    void acceptUpload(String dbUuid, String etag, InputStream body) throws IOException {
        Path target = importFile(dbUuid, etag);
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "upload-", ".part");
        try {
            java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = body.read(buf)) > 0) {
                    md5.update(buf, 0, n);
                    out.write(buf, 0, n);
                }
            }
            String actual = java.util.HexFormat.of().formatHex(md5.digest());
            if (!actual.equals(etag)) {
                throw new BadDigest(actual);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The uploaded bytes do not hash to the etag the upload URL was issued for. */
    static final class BadDigest extends IOException {
        private static final long serialVersionUID = 1L;

        BadDigest(String actual) {
            super(actual);
        }
    }

    // ---------------------------------------------------------------- Time Travel

    ObjectNode bookmark(D1Instance db, String timestamp) {
        requireTimeTravel(db);
        db.lock.lock();
        try {
            D1Instance.Point current = db.settle();
            D1Instance.Point p = timestamp == null ? current : resolveTimestamp(db, timestamp);
            ObjectNode r = Json.object();
            r.put("bookmark", p.bookmark());
            return r;
        } catch (SQLException e) {
            throw new ApiException(500, 7500, D1Errors.message(e, null));
        } finally {
            db.lock.unlock();
        }
    }

    ObjectNode restore(D1Instance db, String bookmark, String timestamp) {
        requireTimeTravel(db);
        if ((bookmark == null) == (timestamp == null)) {
            throw ApiException.badRequest(7400, "Provide exactly one of bookmark or timestamp");
        }
        db.checkNotBusy();
        db.lock.lock();
        try {
            db.checkNotBusy();
            db.settle();
            D1Instance.Point target;
            if (bookmark != null) {
                target = db.pointByBookmark(bookmark).orElseThrow(() ->
                        ApiException.badRequest(7400, "Invalid bookmark: " + bookmark));
                if (target.at().isBefore(runtime.now().minus(runtime.options.timeTravelRetention()))) {
                    throw ApiException.badRequest(7400, "Bookmark " + bookmark + " is older than the Time Travel retention of "
                            + runtime.options.timeTravelRetention().toDays() + " days");
                }
            } else {
                target = resolveTimestamp(db, timestamp);
            }
            if (db.recentRestores() >= 10) {
                long retry = Math.max(1, Duration.between(runtime.now(), db.oldestRecentRestore().plusSeconds(600)).toSeconds());
                throw new ApiException(429, 7429, "Too many restores: at most 10 per database every 10 minutes")
                        .header("retry-after", Long.toString(retry));
            }
            D1Instance.Point[] result = db.restore(target);
            ObjectNode r = Json.object();
            r.put("bookmark", result[1].bookmark());
            r.put("previous_bookmark", result[0].bookmark());
            r.put("message", "Database restored to bookmark " + target.bookmark()
                    + "; restore previous_bookmark to undo");
            return r;
        } catch (SQLException e) {
            throw new ApiException(500, 7500, D1Errors.message(e, null));
        } finally {
            db.lock.unlock();
        }
    }

    private void requireTimeTravel(D1Instance db) {
        if ("alpha".equals(db.version)) {
            throw ApiException.badRequest(7400, "Time Travel is not available for alpha databases");
        }
    }

    private D1Instance.Point resolveTimestamp(D1Instance db, String timestamp) {
        Instant t = parseTimestamp(timestamp);
        Instant now = runtime.now();
        if (t.isAfter(now)) {
            throw ApiException.badRequest(7400, "Timestamp " + timestamp + " is in the future");
        }
        if (t.isBefore(now.minus(runtime.options.timeTravelRetention()))) {
            throw ApiException.badRequest(7400, "Timestamp " + timestamp + " is older than the Time Travel retention of "
                    + runtime.options.timeTravelRetention().toDays() + " days");
        }
        return db.pointAt(t).orElseThrow(() ->
                ApiException.badRequest(7400, "No bookmark at or before " + timestamp + " (before the database existed)"));
    }

    static Instant parseTimestamp(String text) {
        try {
            if (text.matches("\\d{10}")) {
                return Instant.ofEpochSecond(Long.parseLong(text));
            }
            if (text.matches("\\d{13}")) {
                return Instant.ofEpochMilli(Long.parseLong(text));
            }
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw ApiException.badRequest(7400, "Invalid timestamp: " + text + " (use ISO 8601)");
        }
    }
}
