package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * D1 job and transfer cases the sandbox cannot produce, so they use MockWebServer: a download
 * server that ignores Range, an upload answered with a wrong ETag (retried), an import failure in
 * wrangler's {@code errors} array form alone (the sandbox sends both forms), plus checks the client
 * makes before calling at all. Export, resumed downloads, import, refused signed URLs and Time
 * Travel against real answers are in {@code SandboxD1ClientTest}.
 */
class D1JobsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private CloudflareMock cf;
  private final List<D1Progress> progress = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cf = new CloudflareMock();
  }

  @AfterEach
  void close() throws Exception {
    cf.close();
  }

  private static String dump(int lines) {
    StringBuilder sb = new StringBuilder("PRAGMA defer_foreign_keys=TRUE;\n");
    sb.append("CREATE TABLE orders(id INTEGER PRIMARY KEY, note TEXT);\n");
    for (int i = 0; i < lines; i++) {
      sb.append("INSERT INTO \"orders\" (\"id\",\"note\") VALUES(").append(i).append(",'note ").append(i)
          .append("');\n");
    }
    return sb.toString();
  }

  private String signedUrl() {
    return cf.server.url("/r2-bucket/export/db-1.sql").newBuilder()
        .addQueryParameter("X-Amz-Signature", "sig-abc").build().toString();
  }

  @Test
  void aServerThatIgnoresRangeIsHandledBySkippingWhatWeHave(@TempDir Path dir) throws Exception {
    byte[] body = dump(100).getBytes(StandardCharsets.UTF_8);
    Path target = dir.resolve("partial.sql");
    Files.write(target, java.util.Arrays.copyOf(body, 1000));
    cf.server.enqueue(new MockResponse().setResponseCode(200).setBody(new okio.Buffer().write(body)));

    long total = cf.client.d1().download(java.net.URI.create(signedUrl()), target, null);

    assertThat(total).isEqualTo(body.length);
    assertThat(Files.readAllBytes(target)).isEqualTo(body);
    assertThat(cf.take().getHeader("Range")).isEqualTo("bytes=1000-");
  }

  @Test
  void exportOptionsRefuseAnEmptyDump() {
    assertThatThrownBy(() -> new D1ExportOptions(true, true, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String md5(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
  }

  @Test
  void importUploadsRetriesAnEtagMismatchIngestsAndPollsToCompletion(@TempDir Path dir) throws Exception {
    byte[] sql = dump(500).getBytes(StandardCharsets.UTF_8);
    Path file = Files.write(dir.resolve("restore.sql"), sql);
    String etag = md5(sql);
    String uploadUrl = cf.server.url("/upload/db-1-" + etag).newBuilder()
        .addQueryParameter("X-Amz-Signature", "up-sig").build().toString();
    cf.ok("{\"filename\":\"db-1-" + etag + ".sql\",\"upload_url\":\"" + uploadUrl + "\"}");
    cf.server.enqueue(new MockResponse().setResponseCode(200).setHeader("ETag", "\"0000deadbeef\""));
    cf.server.enqueue(new MockResponse().setResponseCode(200).setHeader("ETag", "\"" + etag + "\""));
    cf.ok(202, "{\"success\":true,\"type\":\"import\",\"at_bookmark\":\"ib-1\",\"status\":\"active\",\"messages\":[\"Processed 100 queries.\"]}", null);
    cf.ok(200, "{\"success\":true,\"type\":\"import\",\"at_bookmark\":\"ib-1\",\"status\":\"complete\",\"messages\":[\"Processed 502 queries.\"],"
        + "\"result\":{\"final_bookmark\":\"fb-9\",\"num_queries\":502,\"meta\":{\"rows_written\":500,\"changed_db\":true}}}", null);

    D1ImportResult r = cf.client.d1().importSql("db-1", file, progress::add);

    assertThat(r.finalBookmark()).isEqualTo("fb-9");
    assertThat(r.numQueries()).isEqualTo(502);
    assertThat(r.meta().rowsWritten()).isEqualTo(500);
    assertThat(r.etag()).isEqualTo(etag);
    assertThat(r.uploaded()).isTrue();

    JsonNode init = JSON.readTree(cf.take().getBody().readUtf8());
    assertThat(init.get("action").asText()).isEqualTo("init");
    assertThat(init.get("etag").asText()).isEqualTo(etag);
    for (int attempt = 0; attempt < 2; attempt++) {
      RecordedRequest put = cf.take();
      assertThat(put.getMethod()).isEqualTo("PUT");
      assertThat(put.getPath()).startsWith("/upload/db-1-" + etag);
      assertThat(put.getHeader("Authorization")).isNull();
      assertThat(put.getHeader("Content-Length")).isEqualTo(Integer.toString(sql.length));
      assertThat(put.getBody().readByteArray()).isEqualTo(sql);
    }
    JsonNode ingest = JSON.readTree(cf.take().getBody().readUtf8());
    assertThat(ingest.get("action").asText()).isEqualTo("ingest");
    assertThat(ingest.get("filename").asText()).isEqualTo("db-1-" + etag + ".sql");
    JsonNode poll = JSON.readTree(cf.take().getBody().readUtf8());
    assertThat(poll.get("action").asText()).isEqualTo("poll");
    assertThat(poll.get("current_bookmark").asText()).isEqualTo("ib-1");
    assertThat(progress).flatExtracting(D1Progress::messages)
        .contains("Processed 100 queries.", "Processed 502 queries.");
  }

  @Test
  void importFailuresAcceptTheErrorsArrayForm(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("bad.sql"), "INSERT INTO nope VALUES (1);\n");
    cf.ok("{\"success\":true,\"type\":\"import\",\"at_bookmark\":\"ib-3\",\"status\":\"active\",\"messages\":[]}");
    cf.ok(200, "{\"success\":false,\"type\":\"import\",\"at_bookmark\":\"ib-3\",\"status\":\"error\",\"messages\":[],"
        + "\"errors\":[\"no such table: nope\"]}", null);

    assertThatThrownBy(() -> cf.client.d1().importSql("db-1", file, null))
        .isInstanceOf(D1JobFailedException.class)
        .hasMessageContaining("no such table: nope")
        .hasMessageContaining("rolled the database back");
  }

  @Test
  void importRefusesBinaryDatabases(@TempDir Path dir) throws Exception {
    byte[] header = "SQLite format 3\0rest-of-page".getBytes(StandardCharsets.US_ASCII);
    Path file = Files.write(dir.resolve("db.sqlite"), header);

    assertThatThrownBy(() -> cf.client.d1().importSql("db-1", file, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("binary SQLite database");
    assertThat(cf.server.getRequestCount()).isZero();
  }

  @Test
  void futureTimestampsAreRefusedBeforeCallingCloudflare() {
    assertThatThrownBy(() -> cf.client.d1().restoreToTimestamp("db-1", cf.clock.instant().plusSeconds(60)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("future");
    assertThat(cf.server.getRequestCount()).isZero();
  }
}
