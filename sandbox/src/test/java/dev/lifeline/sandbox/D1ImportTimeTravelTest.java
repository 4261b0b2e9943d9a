package dev.lifeline.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class D1ImportTimeTravelTest {
    static MutableClock clock = new MutableClock(Instant.parse("2026-11-01T10:00:00Z"));
    static CloudflareSandbox sandbox;
    static Api api;

    @BeforeAll
    static void start() {
        sandbox = CloudflareSandbox.start(SandboxOptions.builder().clock(clock).timeTravelRetention(Duration.ofDays(7)).build());
        api = new Api(sandbox);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    static String newDb(String name) {
        return api.post(api.account("/d1/database"), Map.of("name", name)).result().get("uuid").asText();
    }

    static Api.Response sql(String db, String sql) {
        return api.post(api.account("/d1/database/" + db + "/query"), Map.of("sql", sql));
    }

    static long count(String db, String table) {
        return sql(db, "SELECT count(*) AS n FROM " + table).result().get(0).get("results").get(0).get("n").asLong();
    }

    @Test
    void importRunsTheFileInOneTransactionAndReusesUploads() throws Exception {
        String db = newDb("import-ok");
        String file = "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);\n"
                + "INSERT INTO t VALUES(1, 'a;b');\n-- comment; with semicolon\n"
                + "CREATE TRIGGER t_upd AFTER UPDATE ON t BEGIN UPDATE t SET v = CASE WHEN new.v = 'x' THEN 'y' ELSE new.v END WHERE id = new.id; END;\n"
                + "INSERT INTO t VALUES(2, 'it''s');";
        JsonNode done = D1Protocols.importSql(api, db, file);
        assertThat(done.get("status").asText()).isEqualTo("complete");
        assertThat(done.get("result").get("num_queries").asInt()).isEqualTo(4);
        assertThat(done.get("result").get("final_bookmark").asText()).matches("[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}");
        assertThat(count(db, "t")).isEqualTo(2);

        // Same file again: init skips the upload and starts the import at once (which now fails:
        // the table exists), and the failure leaves the database as it was.
        Api.Response init = api.post(api.account("/d1/database/" + db + "/import"),
                Map.of("action", "init", "etag", D1Protocols.md5(file.getBytes(StandardCharsets.UTF_8))));
        assertThat(init.result().has("upload_url")).isFalse();
        assertThat(init.result().get("type").asText()).isEqualTo("import");
        JsonNode again = init.result();
        for (int i = 0; i < 100 && again.get("status").asText().equals("active"); i++) {
            again = api.post(api.account("/d1/database/" + db + "/import"),
                    Map.of("action", "poll", "current_bookmark", again.get("at_bookmark").asText())).result();
        }
        assertThat(again.get("status").asText()).isEqualTo("error");
        assertThat(again.get("error").asText()).contains("table t already exists");
        assertThat(count(db, "t")).isEqualTo(2);
    }

    @Test
    void failedImportLeavesTheDatabaseUnchanged() throws Exception {
        String db = newDb("import-atomic");
        sql(db, "CREATE TABLE t(id INTEGER PRIMARY KEY)");
        JsonNode failed = D1Protocols.importSql(api, db, "INSERT INTO t VALUES(1);\nINSERT INTO t VALUES(2);\nINSERT INTO t VALUES(1);");
        assertThat(failed.get("status").asText()).isEqualTo("error");
        assertThat(failed.get("error").asText()).contains("UNIQUE constraint failed: t.id");
        assertThat(failed.get("errors").get(0).asText()).isEqualTo(failed.get("error").asText());
        assertThat(count(db, "t")).isZero();
    }

    @Test
    void importRefusesTransactionsBinaryFilesAndBadUploads() throws Exception {
        String db = newDb("import-refusals");
        JsonNode tx = D1Protocols.importSql(api, db, "BEGIN TRANSACTION;\nCREATE TABLE x(a);\nCOMMIT;");
        assertThat(tx.get("status").asText()).isEqualTo("error");
        assertThat(tx.get("error").asText()).contains("BEGIN TRANSACTION");
        assertThat(count(db, "sqlite_schema")).isZero();

        JsonNode binary = D1Protocols.importSql(api, db, "SQLite format 3\0garbage");
        assertThat(binary.get("error").asText()).contains("binary SQLite database");

        byte[] file = "CREATE TABLE y(a);".getBytes(StandardCharsets.UTF_8);
        JsonNode init = api.post(api.account("/d1/database/" + db + "/import"), Map.of("action", "init", "etag", D1Protocols.md5(file))).result();
        HttpResponse<byte[]> wrong = Api.upload(init.get("upload_url").asText(), "something else".getBytes(StandardCharsets.UTF_8));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(new String(wrong.body(), StandardCharsets.UTF_8)).contains("BadDigest");
        Api.Response ingest = api.post(api.account("/d1/database/" + db + "/import"),
                Map.of("action", "ingest", "etag", D1Protocols.md5(file), "filename", init.get("filename").asText()));
        assertThat(ingest.status()).isEqualTo(400);
    }

    @Test
    void restoreReturnsToABookmarkAndPreviousBookmarkUndoesIt() {
        String db = newDb("tt-db");
        sql(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        sql(db, "INSERT INTO t(v) VALUES('before')");
        clock.advance(Duration.ofMinutes(5));
        String good = api.get(api.account("/d1/database/" + db + "/time_travel/bookmark")).result().get("bookmark").asText();
        Instant goodTime = clock.instant();
        clock.advance(Duration.ofMinutes(5));
        sql(db, "DELETE FROM t");
        sql(db, "INSERT INTO t(v) VALUES('corrupt')");
        clock.advance(Duration.ofMinutes(1));

        // The timestamp maps to the same state as the bookmark.
        String byTime = api.get(api.account("/d1/database/" + db + "/time_travel/bookmark?timestamp="
                + Api.enc(goodTime.toString()))).result().get("bookmark").asText();
        assertThat(byTime).isEqualTo(good);

        JsonNode restored = api.post(api.account("/d1/database/" + db + "/time_travel/restore?bookmark=" + good), null).result();
        assertThat(sql(db, "SELECT v FROM t").result().get(0).get("results").get(0).get("v").asText()).isEqualTo("before");
        assertThat(restored.get("bookmark").asText()).isGreaterThan(restored.get("previous_bookmark").asText());

        clock.advance(Duration.ofMinutes(1));
        api.post(api.account("/d1/database/" + db + "/time_travel/restore?bookmark=" + restored.get("previous_bookmark").asText()), null);
        JsonNode rows = sql(db, "SELECT v FROM t").result().get(0).get("results");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("v").asText()).isEqualTo("corrupt");
    }

    @Test
    void timeTravelRefusesFutureOldAlphaAndTooManyRestores() {
        String db = newDb("tt-limits");
        sql(db, "CREATE TABLE t(x)");
        Api.Response future = api.get(api.account("/d1/database/" + db + "/time_travel/bookmark?timestamp="
                + Api.enc(clock.instant().plusSeconds(3600).toString())));
        assertThat(future.status()).isEqualTo(400);
        assertThat(future.errorMessage()).contains("future");

        String old = api.get(api.account("/d1/database/" + db + "/time_travel/bookmark")).result().get("bookmark").asText();
        clock.advance(Duration.ofDays(8));
        sql(db, "INSERT INTO t VALUES(1)");
        Api.Response expired = api.post(api.account("/d1/database/" + db + "/time_travel/restore?bookmark=" + old), null);
        assertThat(expired.status()).isEqualTo(400);
        assertThat(expired.errorMessage()).contains("retention");

        String alpha = sandbox.account().createD1Database("tt-alpha", "alpha").uuid();
        assertThat(api.get(api.account("/d1/database/" + alpha + "/time_travel/bookmark")).errorMessage()).contains("alpha");

        String current = api.get(api.account("/d1/database/" + db + "/time_travel/bookmark")).result().get("bookmark").asText();
        for (int i = 0; i < 10; i++) {
            assertThat(api.post(api.account("/d1/database/" + db + "/time_travel/restore?bookmark=" + current), null).status())
                    .isEqualTo(200);
        }
        Api.Response eleventh = api.post(api.account("/d1/database/" + db + "/time_travel/restore?bookmark=" + current), null);
        assertThat(eleventh.status()).isEqualTo(429);
        assertThat(Long.parseLong(eleventh.header("retry-after"))).isPositive();
        clock.advance(Duration.ofMinutes(11));
        assertThat(api.post(api.account("/d1/database/" + db + "/time_travel/restore?bookmark=" + current), null).status())
                .isEqualTo(200);
    }

    @Test
    void directWritesToTheFileArePickedUpByTimeTravel() throws Exception {
        String db = newDb("tt-direct");
        sql(db, "CREATE TABLE t(v TEXT)");
        sql(db, "INSERT INTO t VALUES('clean')");
        clock.advance(Duration.ofMinutes(1));
        Instant beforeDamage = clock.instant();
        clock.advance(Duration.ofMinutes(1));
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + sandbox.account().d1DatabaseFile(db));
                java.sql.Statement st = c.createStatement()) {
            st.execute("UPDATE t SET v = 'damaged'");
        }
        Thread.sleep(700); // the background check records the changed file within a quarter second
        clock.advance(Duration.ofMinutes(1));
        Api.Response restore = api.post(api.account("/d1/database/" + db + "/time_travel/restore?timestamp="
                + Api.enc(beforeDamage.toString())), null);
        assertThat(restore.status()).isEqualTo(200);
        assertThat(sql(db, "SELECT v FROM t").result().get(0).get("results").get(0).get("v").asText()).isEqualTo("clean");
        api.post(api.account("/d1/database/" + db + "/time_travel/restore?bookmark="
                + restore.result().get("previous_bookmark").asText()), null);
        assertThat(sql(db, "SELECT v FROM t").result().get(0).get("results").get(0).get("v").asText()).isEqualTo("damaged");
    }

    @Test
    void concurrentQueriesOnOneDatabaseAreSerialised() throws Exception {
        String db = newDb("concurrent");
        sql(db, "CREATE TABLE hits(id INTEGER PRIMARY KEY, thread INTEGER)");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        java.util.List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            results.add(pool.submit(() -> {
                int ok = 0;
                for (int i = 0; i < 15; i++) {
                    if (api.post(api.account("/d1/database/" + db + "/query"), Map.of("sql",
                            "INSERT INTO hits(thread) VALUES(?)", "params", java.util.List.of(thread))).status() == 200) {
                        ok++;
                    }
                }
                return ok;
            }));
        }
        int total = 0;
        for (java.util.concurrent.Future<Integer> f : results) {
            total += f.get();
        }
        pool.shutdown();
        assertThat(total).isEqualTo(120);
        assertThat(count(db, "hits")).isEqualTo(120);
    }
}
