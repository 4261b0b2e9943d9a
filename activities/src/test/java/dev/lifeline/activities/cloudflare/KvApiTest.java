package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** KV values (binary-safe), metadata, key encoding, and batched bulk operations. */
class KvApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private CloudflareMock cf;

  @AfterEach
  void close() throws Exception {
    if (cf != null) {
      cf.close();
    }
  }

  @Test
  void valuesAreReadAsExactBytesWithExpiryAndMissingKeysAreEmpty() throws Exception {
    cf = new CloudflareMock();
    byte[] binary = {0, (byte) 0xff, 0x7f, (byte) 0x80, 10, 13};
    cf.server.enqueue(new MockResponse().setResponseCode(200)
        .setHeader("Content-Type", "application/octet-stream")
        .setHeader("expiration", "1900000000")
        .setBody(new okio.Buffer().write(binary)));
    cf.fail(404, 10009, "get: 'key not found'");

    KvValue v = cf.client.kv().getValue("ns-1", "img/logo.png").orElseThrow();

    assertThat(v.bytes()).isEqualTo(binary);
    assertThat(v.expiration()).isEqualTo(1900000000L);
    assertThat(cf.client.kv().getValue("ns-1", "gone")).isEmpty();
    assertThat(cf.take().getRequestUrl().encodedPath())
        .isEqualTo(CloudflareMock.BASE + "/storage/kv/namespaces/ns-1/values/img%2Flogo.png");
  }

  @Test
  void aStoredHtmlValueIsNotMistakenForAWafPage() throws Exception {
    cf = new CloudflareMock();
    cf.server.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/html")
        .setBody("<html>cached page</html>"));

    assertThat(cf.client.kv().getValue("ns-1", "page:/").orElseThrow().asString())
        .isEqualTo("<html>cached page</html>");
  }

  @Test
  void keysArePercentEncodedLikeEncodeUriComponent() {
    assertThat(KvApi.encodeKey("a/b c?d#e%f&g=h+i")).isEqualTo("a%2Fb%20c%3Fd%23e%25f%26g%3Dh%2Bi");
    assertThat(KvApi.encodeKey("ok-_.!~*'()")).isEqualTo("ok-_.!~*'()");
    assertThat(KvApi.encodeKey("é")).isEqualTo("%C3%A9");
    assertThatThrownBy(() -> KvApi.checkKey("..")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KvApi.checkKey("x".repeat(513))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void putSendsRawBytesOrMultipartWithMetadataAndExpiry() throws Exception {
    cf = new CloudflareMock();
    cf.ok("null");
    cf.ok("{}");
    JsonNode meta = JSON.readTree("{\"owner\":\"lifeline\"}");

    cf.client.kv().put("ns-1", "plain", new byte[] {1, 2, 3}, null);
    cf.client.kv().put("ns-1", "with meta", "v".getBytes(), new KvWriteOptions(null, 3600L, meta));

    RecordedRequest raw = cf.take();
    assertThat(raw.getMethod()).isEqualTo("PUT");
    assertThat(raw.getBody().readByteArray()).containsExactly(1, 2, 3);
    RecordedRequest multipart = cf.take();
    assertThat(multipart.getRequestUrl().encodedPath()).endsWith("/values/with%20meta");
    assertThat(multipart.getRequestUrl().queryParameter("expiration_ttl")).isEqualTo("3600");
    assertThat(multipart.getHeader("Content-Type")).startsWith("multipart/form-data");
    String body = multipart.getBody().readUtf8();
    assertThat(body).contains("name=\"value\"").contains("name=\"metadata\"").contains("{\"owner\":\"lifeline\"}");
  }

  @Test
  void writeOptionsEnforceKvLimits() {
    assertThatThrownBy(() -> new KvWriteOptions(null, 30L, null)).hasMessageContaining("60");
    assertThatThrownBy(() -> new KvWriteOptions(null, null,
        JSON.createObjectNode().put("x", "y".repeat(1100)))).hasMessageContaining("1024");
  }

  @Test
  void bulkPutBatchesByCountAndResendsUnsuccessfulKeys() throws Exception {
    cf = new CloudflareMock(b -> b.kvBulkBatchSize(10).kvBulkRetries(2));
    cf.ok("{\"successful_key_count\":8,\"unsuccessful_keys\":[\"k3\",\"k7\"]}");
    cf.ok("{\"successful_key_count\":2,\"unsuccessful_keys\":[]}");
    cf.ok("{\"successful_key_count\":10,\"unsuccessful_keys\":[]}");
    cf.ok("{\"successful_key_count\":5,\"unsuccessful_keys\":[]}");
    List<KvBulkEntry> entries = new ArrayList<>();
    IntStream.range(0, 25).forEach(i -> entries.add(KvBulkEntry.text("k" + i, "v" + i)));

    KvBulkResult r = cf.client.kv().bulkPut("ns-1", entries.iterator());

    assertThat(r.successfulKeyCount()).isEqualTo(25);
    assertThat(r.complete()).isTrue();
    assertThat(r.requests()).isEqualTo(4);
    JsonNode first = JSON.readTree(cf.take().getBody().readUtf8());
    assertThat(first).hasSize(10);
    assertThat(first.get(0).get("key").asText()).isEqualTo("k0");
    assertThat(first.get(0).has("base64")).isFalse();
    RecordedRequest resend = cf.take();
    assertThat(resend.getMethod()).isEqualTo("PUT");
    assertThat(resend.getPath()).isEqualTo(CloudflareMock.BASE + "/storage/kv/namespaces/ns-1/bulk");
    JsonNode resent = JSON.readTree(resend.getBody().readUtf8());
    assertThat(resent).hasSize(2);
    assertThat(resent.get(0).get("key").asText()).isEqualTo("k3");
    assertThat(resent.get(1).get("value").asText()).isEqualTo("v7");
    assertThat(JSON.readTree(cf.take().getBody().readUtf8())).hasSize(10);
    assertThat(JSON.readTree(cf.take().getBody().readUtf8())).hasSize(5);
  }

  @Test
  void keysThatKeepFailingAreReportedNotThrown() throws Exception {
    cf = new CloudflareMock(b -> b.kvBulkRetries(1));
    cf.ok("{\"successful_key_count\":1,\"unsuccessful_keys\":[\"bad\"]}");
    cf.ok("{\"successful_key_count\":0,\"unsuccessful_keys\":[\"bad\"]}");

    KvBulkResult r = cf.client.kv().bulkPut("ns-1",
        List.of(KvBulkEntry.text("good", "1"), KvBulkEntry.text("bad", "2")));

    assertThat(r.unsuccessfulKeys()).containsExactly("bad");
    assertThat(r.successfulKeyCount()).isEqualTo(1);
    assertThat(r.requests()).isEqualTo(2);
  }

  @Test
  void bulkPutBatchesByBytesAndSendsBinaryAsBase64() throws Exception {
    cf = new CloudflareMock(b -> b.kvBulkMaxBytes(4096));
    for (int i = 0; i < 3; i++) {
      cf.ok("{\"successful_key_count\":1,\"unsuccessful_keys\":[]}");
    }
    byte[] blob = new byte[1600];
    blob[0] = (byte) 0xff;

    KvBulkResult r = cf.client.kv().bulkPut("ns-1", List.of(
        KvBulkEntry.binary("b1", blob, 1900000000L, null),
        KvBulkEntry.binary("b2", blob, null, null),
        KvBulkEntry.binary("b3", blob, null, null)));

    // Each entry is about 2.2 KB in base64, so two never fit in 4 KB.
    assertThat(r.requests()).isEqualTo(3);
    JsonNode sent = JSON.readTree(cf.take().getBody().readUtf8());
    assertThat(sent.get(0).get("base64").asBoolean()).isTrue();
    assertThat(sent.get(0).get("expiration").asLong()).isEqualTo(1900000000L);
    assertThat(Base64.getDecoder().decode(sent.get(0).get("value").asText())).isEqualTo(blob);
  }

  @Test
  void bulkDeleteUsesThePostForm() throws Exception {
    cf = new CloudflareMock();
    cf.ok("{\"successful_key_count\":3,\"unsuccessful_keys\":[]}");

    KvBulkResult r = cf.client.kv().bulkDelete("ns-1", List.of("a", "b", "c"));

    assertThat(r.successfulKeyCount()).isEqualTo(3);
    RecordedRequest req = cf.take();
    assertThat(req.getMethod()).isEqualTo("POST");
    assertThat(req.getPath()).endsWith("/bulk/delete");
    assertThat(req.getBody().readUtf8()).isEqualTo("[\"a\",\"b\",\"c\"]");
  }

  @Test
  void bulkGetBatchesAHundredKeysAndKeepsMetadata() throws Exception {
    cf = new CloudflareMock();
    cf.ok("{\"values\":{\"k0\":{\"value\":\"v0\",\"metadata\":{\"m\":1},\"expiration\":1900000000},\"k1\":null}}");
    cf.ok("{\"values\":{\"k100\":{\"value\":\"v100\",\"metadata\":null}}}");
    cf.ok("{\"values\":{}}");
    List<String> keys = IntStream.range(0, 250).mapToObj(i -> "k" + i).toList();

    Map<String, KvBulkValue> values = cf.client.kv().bulkGet("ns-1", keys, true);

    assertThat(values).containsOnlyKeys("k0", "k100");
    assertThat(values.get("k0").metadata().get("m").asInt()).isEqualTo(1);
    assertThat(values.get("k0").expiration()).isEqualTo(1900000000L);
    assertThat(values.get("k100").value()).isEqualTo("v100");
    int[] sizes = new int[3];
    for (int i = 0; i < 3; i++) {
      JsonNode body = JSON.readTree(cf.take().getBody().readUtf8());
      sizes[i] = body.get("keys").size();
      assertThat(body.get("withMetadata").asBoolean()).isTrue();
      assertThat(body.get("type").asText()).isEqualTo("text");
    }
    assertThat(sizes).containsExactly(100, 100, 50);
  }
}
