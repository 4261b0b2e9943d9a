package dev.lifeline.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KvApiTest {
    static MutableClock clock = new MutableClock(Instant.parse("2026-11-01T10:00:00Z"));
    static CloudflareSandbox sandbox;
    static Api api;

    @BeforeAll
    static void start() {
        sandbox = CloudflareSandbox.start(SandboxOptions.builder().clock(clock).build());
        api = new Api(sandbox);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @AfterEach
    void clear() {
        sandbox.faults().clear();
    }

    static String ns(String title) {
        Api.Response r = api.post(api.account("/storage/kv/namespaces"), Map.of("title", title));
        assertThat(r.status()).isEqualTo(200);
        return r.result().get("id").asText();
    }

    static String path(String ns, String rest) {
        return api.account("/storage/kv/namespaces/" + ns + rest);
    }

    @Test
    void namespacesPageWithOrderAndDirection() {
        for (int i = 0; i < 12; i++) {
            ns(String.format("NS_%02d", i));
        }
        List<String> titles = new ArrayList<>();
        for (int page = 1; ; page++) {
            Api.Response r = api.get(api.account("/storage/kv/namespaces?per_page=5&order=title&direction=desc&page=" + page));
            r.result().forEach(n -> titles.add(n.get("title").asText()));
            JsonNode info = r.json().get("result_info");
            if (page * info.get("per_page").asInt() >= info.get("total_count").asInt()) {
                break;
            }
        }
        List<String> ours = titles.stream().filter(t -> t.startsWith("NS_")).toList();
        assertThat(ours).hasSize(12);
        assertThat(ours.get(0)).isEqualTo("NS_11");
        assertThat(ours.get(11)).isEqualTo("NS_00");
        assertThat(api.get(api.account("/storage/kv/namespaces/" + "0".repeat(32))).errorCode()).isEqualTo(10013);
    }

    @Test
    void keysListWithCursorUntilEmptyStringCursor() {
        String id = ns("LISTING");
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < 35; i++) {
            items.add(Map.of("key", String.format("user:%03d", i), "value", "v" + i));
        }
        items.add(Map.of("key", "other", "value", "x"));
        api.put(path(id, "/bulk"), items);
        List<String> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Api.Response r = api.get(path(id, "/keys?prefix=user%3A&limit=10" + (cursor == null ? "" : "&cursor=" + cursor)));
            r.result().forEach(k -> names.add(k.get("name").asText()));
            assertThat(r.json().get("result_info").get("count").asInt()).isEqualTo(r.result().size());
            cursor = r.json().get("result_info").get("cursor").asText();
            pages++;
        } while (!cursor.isEmpty());
        assertThat(pages).isEqualTo(4);
        assertThat(names).hasSize(35).doesNotContain("other").isSorted();
        assertThat(api.get(path(id, "/keys?limit=5")).status()).isEqualTo(400);
    }

    @Test
    void valuesMetadataExpirationAndDeletion() {
        String id = ns("VALUES");
        long exp = clock.instant().getEpochSecond() + 3600;
        Api.Response put = api.putRaw(path(id, "/values/" + Api.enc("a/b?c") + "?expiration=" + exp),
                new byte[] {0, 1, 2, (byte) 0xff}, "application/octet-stream");
        assertThat(put.status()).isEqualTo(200);
        Api.Response got = api.get(path(id, "/values/" + Api.enc("a/b?c")));
        assertThat(got.body()).containsExactly(0, 1, 2, 0xff);
        assertThat(got.header("expiration")).isEqualTo(Long.toString(exp));

        String boundary = "----sandbox";
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"value\"\r\n\r\n{\"theme\":\"dark\"}\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{\"owner\":\"usr_1\"}\r\n"
                + "--" + boundary + "--\r\n";
        assertThat(api.putRaw(path(id, "/values/prefs?expiration_ttl=120"), multipart.getBytes(StandardCharsets.UTF_8),
                "multipart/form-data; boundary=" + boundary).status()).isEqualTo(200);
        assertThat(api.get(path(id, "/metadata/prefs")).result().get("owner").asText()).isEqualTo("usr_1");
        JsonNode listed = api.get(path(id, "/keys")).result();
        assertThat(listed.toString()).contains("\"metadata\":{\"owner\":\"usr_1\"}");

        Api.Response shortTtl = api.putRaw(path(id, "/values/x?expiration_ttl=30"), new byte[] {1}, "application/octet-stream");
        assertThat(shortTtl.status()).isEqualTo(400);

        clock.advance(Duration.ofSeconds(121));
        Api.Response expired = api.get(path(id, "/values/prefs"));
        assertThat(expired.status()).isEqualTo(404);
        assertThat(expired.errorCode()).isEqualTo(10009);
        assertThat(expired.header("Content-Type")).contains("json");

        assertThat(api.delete(path(id, "/values/" + Api.enc("a/b?c"))).status()).isEqualTo(200);
        assertThat(api.get(path(id, "/values/" + Api.enc("a/b?c"))).errorCode()).isEqualTo(10009);
    }

    @Test
    void bulkWriteDeleteAndGet() {
        String id = ns("BULK");
        List<Map<String, Object>> items = new ArrayList<>();
        items.add(Map.of("key", "json", "value", "{\"a\":1}", "metadata", Map.of("m", 1)));
        items.add(Map.of("key", "bin", "value", Base64.getEncoder().encodeToString(new byte[] {(byte) 0xde, (byte) 0xad}), "base64", true));
        items.add(Map.of("key", "ttl", "value", "\"t\"", "expiration_ttl", 600));
        JsonNode res = api.put(path(id, "/bulk"), items).result();
        assertThat(res.get("successful_key_count").asInt()).isEqualTo(3);
        assertThat(res.get("unsuccessful_keys")).isEmpty();
        assertThat(api.get(path(id, "/values/bin")).body()).containsExactly(0xde, 0xad);

        JsonNode values = api.post(path(id, "/bulk/get"), Map.of("keys", List.of("json", "ttl", "missing"), "type", "json",
                "withMetadata", true)).result().get("values");
        assertThat(values.get("json").get("value").get("a").asInt()).isEqualTo(1);
        assertThat(values.get("json").get("metadata").get("m").asInt()).isEqualTo(1);
        assertThat(values.get("ttl").has("expiration")).isTrue();
        assertThat(values.get("missing").isNull()).isTrue();
        JsonNode text = api.post(path(id, "/bulk/get"), Map.of("keys", List.of("json"))).result().get("values");
        assertThat(text.get("json").asText()).isEqualTo("{\"a\":1}");
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            tooMany.add("k" + i);
        }
        assertThat(api.post(path(id, "/bulk/get"), Map.of("keys", tooMany)).status()).isEqualTo(400);

        sandbox.faults().kvBulkUnsuccessful(List.of("ttl"));
        JsonNode del = api.post(path(id, "/bulk/delete"), List.of("json", "ttl")).result();
        assertThat(del.get("successful_key_count").asInt()).isEqualTo(1);
        assertThat(del.get("unsuccessful_keys").get(0).asText()).isEqualTo("ttl");
        sandbox.faults().clear();
        JsonNode deprecated = api.delete(path(id, "/bulk"), List.of("ttl", "bin")).result();
        assertThat(deprecated.get("successful_key_count").asInt()).isEqualTo(2);
        assertThat(sandbox.account().kvEntries("BULK")).isEmpty();
    }

    @Test
    void bulkOverTenThousandIsRefusedWithCode10012() {
        String id = ns("LIMITS");
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < 10_001; i++) {
            Map<String, Object> m = new HashMap<>();
            m.put("key", "k" + i);
            m.put("value", "v");
            items.add(m);
        }
        Api.Response r = api.put(path(id, "/bulk"), items);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.errorCode()).isEqualTo(10012);
        assertThat(sandbox.account().kvEntries("LIMITS")).isEmpty();
        items.remove(items.size() - 1);
        assertThat(api.put(path(id, "/bulk"), items).result().get("successful_key_count").asInt()).isEqualTo(10_000);
    }
}
