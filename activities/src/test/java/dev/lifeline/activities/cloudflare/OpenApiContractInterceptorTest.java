package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract check must reject answers that break the OpenAPI subset and must skip only what is
 * not an envelope by design, or the sandbox client tests prove nothing. MockWebServer, because the
 * sandbox cannot be made to answer wrongly.
 */
class OpenApiContractInterceptorTest {
  private static final String ACC = "/client/v4/accounts/0123456789abcdef0123456789abcdef";
  private final MockWebServer server = new MockWebServer();
  private final OpenApiContractInterceptor contract = new OpenApiContractInterceptor("/client/v4");
  private final OkHttpClient http = new OkHttpClient.Builder().addInterceptor(contract).build();

  @BeforeEach
  void start() throws IOException {
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  private int get(String path) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(server.url(path)).build()).execute()) {
      return r.code();
    }
  }

  private static MockResponse json(int status, String body) {
    return new MockResponse().setResponseCode(status).setHeader("Content-Type", "application/json").setBody(body);
  }

  @Test
  void anAnswerThatBreaksTheSchemaFailsTheCall() {
    server.enqueue(json(200, "{\"success\":true,\"result\":[]}")); // no errors/messages arrays

    assertThatThrownBy(() -> get(ACC + "/d1/database"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("violates the OpenAPI subset");
    assertThat(contract.violations()).hasSize(1);
  }

  @Test
  void anApiAnswerThatIsNotJsonFailsTheCall() {
    server.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody("ok"));

    assertThatThrownBy(() -> get(ACC + "/d1/database"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("instead of a JSON envelope");
  }

  @Test
  void onlyNonEnvelopesByDesignAreSkipped() throws IOException {
    server.enqueue(new MockResponse().setResponseCode(200).setBody("PRAGMA defer_foreign_keys=TRUE;\n"));
    server.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/octet-stream")
        .setBody("raw value"));
    server.enqueue(new MockResponse().setResponseCode(403).setHeader("Content-Type", "text/html")
        .setHeader("cf-mitigated", "challenge").setBody("<html>Just a moment...</html>"));
    server.enqueue(json(404,
        "{\"success\":false,\"errors\":[{\"code\":10009,\"message\":\"get: 'key not found'\"}],\"messages\":[],\"result\":null}"));

    assertThat(get("/__sandbox/r2/d1-exports/db/file.sql?X-Amz-Signature=x")).isEqualTo(200);
    assertThat(get(ACC + "/storage/kv/namespaces/ns/values/key")).isEqualTo(200);
    assertThat(get(ACC + "/d1/database")).isEqualTo(403);
    assertThat(get(ACC + "/storage/kv/namespaces/ns/values/missing")).isEqualTo(404);

    assertThat(contract.skipped()).isEqualTo(3);
    assertThat(contract.validated()).isEqualTo(1);
    assertThat(contract.violations()).isEmpty();
    assertThat(contract.sent()).extracting(OpenApiContractInterceptor.SentRequest::status)
        .containsExactly(200, 200, 403, 404);
  }
}
