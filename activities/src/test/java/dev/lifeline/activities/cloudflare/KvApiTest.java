package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * KV key encoding and write limits (checked before any call), and the one answer the sandbox
 * cannot give: a stored value served as {@code text/html} (the sandbox serves values as
 * {@code application/octet-stream}), which must not be mistaken for a WAF page. Values, metadata,
 * expiry and bulk operations against real answers are in {@code SandboxKvClientTest}.
 */
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
  void writeOptionsEnforceKvLimits() {
    assertThatThrownBy(() -> new KvWriteOptions(null, 30L, null)).hasMessageContaining("60");
    assertThatThrownBy(() -> new KvWriteOptions(null, null,
        JSON.createObjectNode().put("x", "y".repeat(1100)))).hasMessageContaining("1024");
  }
}
