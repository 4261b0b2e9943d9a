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
 * tasks, exports them through the polling protocol and streams the dump, under the test JVM's 1 GB
 * heap, to show memory stays flat. Prints timings; asserts only counts.
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
            Files.delete(out);
        }
    }
}
