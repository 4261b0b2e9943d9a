package dev.lifeline.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** The D1 export and import polling protocols, driven the way wrangler drives them. */
final class D1Protocols {
    private D1Protocols() {
    }

    static String resource(String name) throws IOException {
        try (InputStream in = D1Protocols.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    /** Runs the whole export polling protocol and returns the final polling object. */
    static JsonNode export(Api api, String dbId, Map<String, Object> dumpOptions, List<Integer> statuses) {
        Map<String, Object> body = new HashMap<>();
        body.put("output_format", "polling");
        body.put("dump_options", dumpOptions);
        Api.Response r = api.post(api.account("/d1/database/" + dbId + "/export"), body);
        String at = r.result().get("at_bookmark").asText();
        statuses.add(r.status());
        for (int i = 0; i < 100 && r.result().get("status").asText().equals("active"); i++) {
            body.put("current_bookmark", at);
            r = api.post(api.account("/d1/database/" + dbId + "/export"), body);
            statuses.add(r.status());
            assertThat(r.result().get("at_bookmark").asText()).isEqualTo(at);
        }
        return r.result();
    }

    static String download(JsonNode polling) throws Exception {
        HttpResponse<byte[]> r = Api.download(polling.get("result").get("signed_url").asText(), Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** init → upload → ingest → poll; returns the final polling object. */
    static JsonNode importSql(Api api, String db, String sql) throws Exception {
        byte[] file = sql.getBytes(StandardCharsets.UTF_8);
        String etag = md5(file);
        Api.Response init = api.post(api.account("/d1/database/" + db + "/import"), Map.of("action", "init", "etag", etag));
        JsonNode r = init.result();
        if (r.has("upload_url")) {
            HttpResponse<byte[]> up = Api.upload(r.get("upload_url").asText(), file);
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.headers().firstValue("ETag")).hasValue("\"" + etag + "\"");
            r = api.post(api.account("/d1/database/" + db + "/import"),
                    Map.of("action", "ingest", "etag", etag, "filename", r.get("filename").asText())).result();
        }
        for (int i = 0; i < 100 && r.get("status").asText().equals("active"); i++) {
            r = api.post(api.account("/d1/database/" + db + "/import"),
                    Map.of("action", "poll", "current_bookmark", r.get("at_bookmark").asText())).result();
        }
        return r;
    }
}
