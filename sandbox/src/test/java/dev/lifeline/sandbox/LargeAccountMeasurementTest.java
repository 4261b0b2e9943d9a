package dev.lifeline.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in measurement, not part of the normal run ({@code -Dsandbox.large=true}): seeds a million
 * tasks, exports them through the polling protocol, streams the dump and imports it into a new
 * database, under the test JVM's 1 GB heap, to show memory stays flat. Prints timings; asserts
 * only counts.
 */
@EnabledIfSystemProperty(named = "sandbox.large", matches = "true")
class LargeAccountMeasurementTest {

    @Test
    void millionTaskAccountSeedsAndExports() throws Exception {
        try (CloudflareSandbox s = CloudflareSandbox.start()) {
            long t0 = System.nanoTime();
            MonoTaskAccount account = MonoTaskAccount.create(s, MonoTaskAccount.Options.tasks(1_000_000, 1));
            long seeded = System.nanoTime();
            System.out.printf("seeded 1,000,000 tasks (+%d events): D1 rows %d ms, whole account %d ms, file %d MB%n",
                    1_000_000, account.d1SeedingTime().toMillis(), (seeded - t0) / 1_000_000,
                    Files.size(account.database().file()) >> 20);
            Api api = new Api(s);
            String id = account.database().uuid();
            Map<String, Object> body = new HashMap<>();
            body.put("output_format", "polling");
            JsonNode r = api.post(api.account("/d1/database/" + id + "/export"), body).result();
            body.put("current_bookmark", r.get("at_bookmark").asText());
            while (r.get("status").asText().equals("active")) {
                r = api.post(api.account("/d1/database/" + id + "/export"), body).result();
            }
            long exported = System.nanoTime();
            assertThat(r.get("status").asText()).isEqualTo("complete");
            Path out = Files.createTempFile("export", ".sql");
            HttpResponse<Path> dl = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(r.get("result").get("signed_url").asText())).build(), HttpResponse.BodyHandlers.ofFile(out));
            long lines = 0;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(dl.body()), StandardCharsets.UTF_8))) {
                while (in.readLine() != null) {
                    lines++;
                }
            }
            System.out.printf("export %d ms, download %d ms, %d MB, %d lines, heap used %d MB%n",
                    (exported - seeded) / 1_000_000, (System.nanoTime() - exported) / 1_000_000, Files.size(out) >> 20, lines,
                    (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
            assertThat(lines).isGreaterThan(2_000_000);

            // Import the dump into a fresh database through the upload/ingest/poll protocol.
            String copy = api.post(api.account("/d1/database"), Map.of("name", "monotask-copy")).result().get("uuid").asText();
            java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
            try (var in = Files.newInputStream(out)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    md5.update(buf, 0, n);
                }
            }
            String etag = java.util.HexFormat.of().formatHex(md5.digest());
            long importStart = System.nanoTime();
            JsonNode init = api.post(api.account("/d1/database/" + copy + "/import"), Map.of("action", "init", "etag", etag)).result();
            HttpResponse<String> up = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(init.get("upload_url").asText()))
                    .PUT(HttpRequest.BodyPublishers.ofFile(out)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(up.statusCode()).isEqualTo(200);
            JsonNode job = api.post(api.account("/d1/database/" + copy + "/import"),
                    Map.of("action", "ingest", "etag", etag, "filename", init.get("filename").asText())).result();
            while (job.get("status").asText().equals("active")) {
                job = api.post(api.account("/d1/database/" + copy + "/import"),
                        Map.of("action", "poll", "current_bookmark", job.get("at_bookmark").asText())).result();
            }
            assertThat(job.get("status").asText()).isEqualTo("complete");
            System.out.printf("import %d ms (%d queries), heap used %d MB%n", (System.nanoTime() - importStart) / 1_000_000,
                    job.get("result").get("num_queries").asLong(),
                    (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
            JsonNode n = api.post(api.account("/d1/database/" + copy + "/query"), Map.of("sql", "SELECT count(*) AS n FROM tasks"))
                    .result().get(0).get("results").get(0);
            assertThat(n.get("n").asLong()).isEqualTo(1_000_000);
            Files.delete(out);
        }
    }
}
