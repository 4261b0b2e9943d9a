package dev.lifeline.activities.cloudflare;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A MockWebServer on 127.0.0.1 standing in for the Cloudflare API, plus a client pointed at it
 * with a fake clock, fixed jitter and a private budget. Only the base URL differs from production.
 */
final class CloudflareMock implements AutoCloseable {
  static final String ACCOUNT = "0123456789abcdef0123456789abcdef";
  static final String TOKEN = "cf-token-SUPER-SECRET-0123456789";
  static final String BASE = "/client/v4/accounts/" + ACCOUNT;

  final MockWebServer server = new MockWebServer();
  final FakeClock clock = new FakeClock(Instant.parse("2026-11-22T06:00:00Z"));
  final CloudflareClient client;

  CloudflareMock() throws IOException {
    this(b -> {});
  }

  CloudflareMock(java.util.function.Consumer<CloudflareClientOptions.Builder> customize)
      throws IOException {
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    CloudflareClientOptions.Builder b =
        CloudflareClientOptions.newBuilder()
            .baseUrl(server.url("/client/v4").toString())
            .accountId(ACCOUNT)
            .apiToken(TOKEN)
            .clock(clock)
            .sleeper(clock.sleeper())
            .random(() -> 0.5)
            .readTimeout(Duration.ofSeconds(5))
            .requestBudget(
                RequestBudget.create(1_000_000, Duration.ofMinutes(5), 1_000_000, clock, clock.sleeper()));
    customize.accept(b);
    client = CloudflareClient.create(b.build());
  }

  /** Queues a JSON envelope with {@code result} (raw JSON) and optional result_info. */
  void ok(String resultJson) {
    ok(200, resultJson, null);
  }

  void ok(int status, String resultJson, String resultInfoJson) {
    server.enqueue(
        json(status,
            "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":" + resultJson
                + (resultInfoJson == null ? "" : ",\"result_info\":" + resultInfoJson) + "}"));
  }

  /** Queues a failure envelope. */
  void fail(int status, int code, String message) {
    server.enqueue(
        json(status,
            "{\"success\":false,\"errors\":[{\"code\":" + code + ",\"message\":\""
                + message.replace("\"", "\\\"") + "\"}],\"messages\":[],\"result\":null}"));
  }

  static MockResponse json(int status, String body) {
    return new MockResponse()
        .setResponseCode(status)
        .setHeader("Content-Type", "application/json")
        .setBody(body);
  }

  RecordedRequest take() throws InterruptedException {
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("expected a request");
    }
    return r;
  }

  @Override
  public void close() throws IOException {
    client.close();
    server.shutdown();
  }
}
