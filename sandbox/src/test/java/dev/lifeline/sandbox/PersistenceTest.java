package dev.lifeline.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded dev mode reopens a data directory: the account must come back as it was. */
class PersistenceTest {

    @Test
    void aReopenedDataDirectoryKeepsTheAccountAndItsCredentials(@TempDir Path dir) throws Exception {
        String account;
        String token;
        String bookmark;
        try (CloudflareSandbox s = CloudflareSandbox.start(SandboxOptions.builder().dataDirectory(dir).build())) {
            account = s.accountId();
            token = s.apiToken();
            Api api = new Api(s);
            String db = api.post(api.account("/d1/database"), Map.of("name", "kept")).result().get("uuid").asText();
            api.post(api.account("/d1/database/" + db + "/query"), Map.of("sql", "CREATE TABLE t(x); INSERT INTO t VALUES (42)"));
            bookmark = api.get(api.account("/d1/database/" + db + "/time_travel/bookmark")).result().get("bookmark").asText();
            s.account().createKvNamespace("KEPT");
            s.account().putKv("KEPT", "k", "v".getBytes(StandardCharsets.UTF_8), null, null);
            s.account().createR2Bucket("kept-bucket");
            s.account().putR2Object("kept-bucket", "o", "data".getBytes(StandardCharsets.UTF_8), Map.of());
        }
        assertThat(Files.exists(dir.resolve("sandbox.sqlite3"))).isTrue();
        try (CloudflareSandbox s = CloudflareSandbox.start(SandboxOptions.builder().dataDirectory(dir).build())) {
            assertThat(s.accountId()).isEqualTo(account);
            assertThat(s.apiToken()).isEqualTo(token);
            Api api = new Api(s);
            String db = s.account().findD1Database("kept").orElseThrow().uuid();
            JsonNode rows = api.post(api.account("/d1/database/" + db + "/query"), Map.of("sql", "SELECT x FROM t")).result();
            assertThat(rows.get(0).get("results").get(0).get("x").asInt()).isEqualTo(42);
            assertThat(s.account().restorePoints("kept")).contains(bookmark);
            assertThat(new String(s.account().getKv("KEPT", "k").orElseThrow().value(), StandardCharsets.UTF_8)).isEqualTo("v");
            assertThat(new String(s.account().getR2Object("kept-bucket", "o").orElseThrow().data(), StandardCharsets.UTF_8))
                    .isEqualTo("data");
        }
        assertThat(Files.exists(dir)).as("a caller's data directory is never deleted").isTrue();
    }

    @Test
    void aTemporaryDataDirectoryIsDeletedOnClose() {
        Path dir;
        try (CloudflareSandbox s = CloudflareSandbox.start()) {
            dir = s.dataDirectory();
            s.account().createD1Database("gone");
            assertThat(Files.exists(dir)).isTrue();
        }
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void importedFixtureExportsToTheWranglerFixture() throws Exception {
        try (CloudflareSandbox s = CloudflareSandbox.start()) {
            Api api = new Api(s);
            String db = api.post(api.account("/d1/database"), Map.of("name", "via-import")).result().get("uuid").asText();
            JsonNode imported = D1Protocols.importSql(api, db, D1Protocols.resource("fixtures/d1-export-source.sql"));
            assertThat(imported.get("status").asText()).isEqualTo("complete");
            assertThat(imported.get("result").get("num_queries").asInt()).isEqualTo(12);
            String dump = D1Protocols.download(D1Protocols.export(api, db, Map.of(), new ArrayList<>()));
            assertThat(dump).isEqualTo(D1Protocols.resource("fixtures/d1-export-wrangler-4.164.sql"));
        }
    }

    @Test
    void aTakenPortFailsTheStartCleanly() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> CloudflareSandbox.start(
                    SandboxOptions.builder().apiPort(taken.getLocalPort()).build()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot start");
        }
        try (CloudflareSandbox s = CloudflareSandbox.start()) {
            assertThat(new Api(s).get(new Api(s).account("/d1/database")).status()).isEqualTo(200);
        }
    }
}
