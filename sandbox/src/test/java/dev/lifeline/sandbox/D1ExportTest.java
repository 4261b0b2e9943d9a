package dev.lifeline.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class D1ExportTest {
    static CloudflareSandbox sandbox;
    static Api api;

    @BeforeAll
    static void start() {
        sandbox = CloudflareSandbox.start(SandboxOptions.builder().exportAbandonAfter(Duration.ofMillis(1500)).build());
        api = new Api(sandbox);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @AfterEach
    void clearFaults() {
        sandbox.faults().clear();
    }

    /** Creates a database and runs {@code sql} on its file directly (like `wrangler d1 execute --local`). */
    static String database(String name, String sql) throws Exception {
        SandboxAccount.D1Database db = sandbox.account().createD1Database(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.file()); Statement st = c.createStatement()) {
            for (String s : sql.split(";\n")) {
                if (!s.isBlank()) {
                    st.execute(s);
                }
            }
        }
        return db.uuid();
    }

    @Test
    void exportMatchesWranglerFixtureByteForByte() throws Exception {
        String id = database("monotask-fixture", D1Protocols.resource("fixtures/d1-export-source.sql"));
        List<Integer> statuses = new ArrayList<>();
        JsonNode done = D1Protocols.export(api, id, Map.of("no_schema", false, "no_data", false, "tables", List.of()), statuses);
        assertThat(statuses.get(0)).isEqualTo(202);
        assertThat(statuses.get(statuses.size() - 1)).isEqualTo(200);
        assertThat(done.get("status").asText()).isEqualTo("complete");
        assertThat(done.get("result").get("filename").asText()).endsWith(".sql");
        String dump = D1Protocols.download(done);
        assertThat(dump).isEqualTo(D1Protocols.resource("fixtures/d1-export-wrangler-4.164.sql"));
        // The exporter's losses are reproduced, not repaired.
        assertThat(dump).contains("VALUES('max_int64',9223372036854776000);", "VALUES('unsafe_int',9007199254740992);",
                ",1e+300,", "replace('path C:\\new\\nx','\\n',char(10))");
    }

    @Test
    void dumpOptionsFilterSchemaDataAndTables() throws Exception {
        String id = database("options-db", D1Protocols.resource("fixtures/d1-export-source.sql"));
        String noData = D1Protocols.download(D1Protocols.export(api, id, Map.of("no_data", true), new ArrayList<>()));
        assertThat(noData).contains("CREATE TABLE tasks(").doesNotContain("INSERT INTO");
        String noSchema = D1Protocols.download(D1Protocols.export(api, id, Map.of("no_schema", true), new ArrayList<>()));
        assertThat(noSchema).doesNotContain("CREATE TABLE", "CREATE INDEX", "DELETE FROM sqlite_sequence")
                .contains("INSERT INTO \"tasks\"", "INSERT INTO \"sqlite_sequence\"");
        String onlyCounters = D1Protocols.download(D1Protocols.export(api, id, Map.of("tables", List.of("counters")), new ArrayList<>()));
        assertThat(onlyCounters.split("\n")).hasSize(6).contains("CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);");
    }

    @Test
    void signedUrlServesRangesAndRejectsTampering() throws Exception {
        String id = database("range-db", D1Protocols.resource("fixtures/d1-export-source.sql"));
        JsonNode done = D1Protocols.export(api, id, Map.of(), new ArrayList<>());
        String url = done.get("result").get("signed_url").asText();
        String full = D1Protocols.download(done);
        HttpResponse<byte[]> part = Api.download(url, Map.of("Range", "bytes=10-29"));
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 10-29/" + full.getBytes(StandardCharsets.UTF_8).length);
        assertThat(new String(part.body(), StandardCharsets.UTF_8)).isEqualTo(full.substring(10, 30));
        HttpResponse<byte[]> tampered = Api.download(url.replace("X-Amz-Signature=", "X-Amz-Signature=0"), Map.of());
        assertThat(tampered.statusCode()).isEqualTo(403);
        assertThat(new String(tampered.body(), StandardCharsets.UTF_8)).contains("SignatureDoesNotMatch");
    }

    @Test
    void fts5DatabasesCannotBeExportedEvenWithATableFilter() throws Exception {
        String id = database("fts-db", "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT);\n"
                + "CREATE VIRTUAL TABLE notes_fts USING fts5(body);\nINSERT INTO notes(body) VALUES('hello')");
        JsonNode done = D1Protocols.export(api, id, Map.of("tables", List.of("notes")), new ArrayList<>());
        assertThat(done.get("status").asText()).isEqualTo("error");
        assertThat(done.get("error").asText()).isEqualTo("D1 Export error: cannot export databases with Virtual Tables (fts5)");
        // The failed export released the database.
        assertThat(api.post(api.account("/d1/database/" + id + "/query"), Map.of("sql", "SELECT count(*) AS n FROM notes"))
                .status()).isEqualTo(200);
    }

    @Test
    void stalledExportBlocksQueriesAndIsCancelledWhenNotPolled() throws Exception {
        String id = database("stall-db", "CREATE TABLE t(x);\nINSERT INTO t VALUES(1)");
        sandbox.faults().stallExports(1);
        Api.Response start = api.post(api.account("/d1/database/" + id + "/export"), Map.of("output_format", "polling"));
        assertThat(start.status()).isEqualTo(202);
        String at = start.result().get("at_bookmark").asText();
        assertThat(start.result().get("messages").get(0).asText()).startsWith("Generating ");
        Api.Response poll = api.post(api.account("/d1/database/" + id + "/export"),
                Map.of("output_format", "polling", "current_bookmark", at));
        assertThat(poll.status()).isEqualTo(202);
        assertThat(poll.result().get("status").asText()).isEqualTo("active");

        Api.Response blocked = api.post(api.account("/d1/database/" + id + "/query"), Map.of("sql", "SELECT * FROM t"));
        assertThat(blocked.errorCode()).isEqualTo(7500);
        assertThat(blocked.errorMessage()).contains("Currently processing a long-running export");

        Thread.sleep(2500); // longer than exportAbandonAfter without a poll
        Api.Response after = api.post(api.account("/d1/database/" + id + "/export"),
                Map.of("output_format", "polling", "current_bookmark", at));
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.result().get("status").asText()).isEqualTo("error");
        assertThat(after.result().get("error").asText()).contains("not polled");
        assertThat(api.post(api.account("/d1/database/" + id + "/query"), Map.of("sql", "SELECT * FROM t")).status()).isEqualTo(200);
    }

    @Test
    void droppedDownloadTruncatesTheBodyAndARetryWithRangeResumes() throws Exception {
        String id = database("drop-db", D1Protocols.resource("fixtures/d1-export-source.sql"));
        JsonNode done = D1Protocols.export(api, id, Map.of(), new ArrayList<>());
        String url = done.get("result").get("signed_url").asText();
        sandbox.faults().dropDownloads(1, 100);
        Throwable failure = null;
        try {
            HttpResponse<InputStream> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
            byte[] got = r.body().readAllBytes();
            assertThat(got.length).isLessThan(2209);
        } catch (IOException e) {
            failure = e;
        }
        assertThat(failure).isInstanceOf(IOException.class);
        HttpResponse<byte[]> rest = Api.download(url, Map.of("Range", "bytes=100-"));
        assertThat(rest.statusCode()).isEqualTo(206);
        assertThat(rest.body()).hasSize(D1Protocols.resource("fixtures/d1-export-wrangler-4.164.sql").getBytes(StandardCharsets.UTF_8).length - 100);
    }

    @Test
    void quotedNamesSchemaObjectsAndInternalTablesFollowTheExporter() throws Exception {
        String id = database("schema-db", "CREATE TABLE \"Quoted Table\"(a INTEGER PRIMARY KEY AUTOINCREMENT, b BLOB);\n"
                + "CREATE TABLE _cf_KV(key TEXT PRIMARY KEY, value BLOB);\n"
                + "INSERT INTO _cf_KV VALUES('internal', x'00');\n"
                + "INSERT INTO \"Quoted Table\"(b) VALUES(x'0aff'), (NULL);\n"
                + "CREATE VIEW v AS SELECT a FROM \"Quoted Table\";\n"
                + "CREATE TRIGGER trg AFTER INSERT ON \"Quoted Table\" BEGIN SELECT 1; END;\n"
                + "CREATE INDEX idx_b ON \"Quoted Table\"(b)");
        String dump = D1Protocols.download(D1Protocols.export(api, id, Map.of(), new ArrayList<>()));
        assertThat(dump.split("\n")).containsExactly(
                "PRAGMA defer_foreign_keys=TRUE;",
                "CREATE TABLE IF NOT EXISTS \"Quoted Table\"(a INTEGER PRIMARY KEY AUTOINCREMENT, b BLOB);",
                "INSERT INTO \"Quoted Table\" (\"a\",\"b\") VALUES(1,X'0aff');",
                "INSERT INTO \"Quoted Table\" (\"a\",\"b\") VALUES(2,NULL);",
                "DELETE FROM sqlite_sequence;",
                "INSERT INTO \"sqlite_sequence\" (\"name\",\"seq\") VALUES('Quoted Table',2);",
                "CREATE INDEX idx_b ON \"Quoted Table\"(b);",
                "CREATE TRIGGER trg AFTER INSERT ON \"Quoted Table\" BEGIN SELECT 1; END;",
                "CREATE VIEW v AS SELECT a FROM \"Quoted Table\";");
    }
}
