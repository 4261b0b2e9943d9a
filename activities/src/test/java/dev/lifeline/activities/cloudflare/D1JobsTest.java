package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** D1 export (poll, download, resume), import (upload, ingest, poll) and Time Travel. */
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
  void exportPollsThenDownloadsAndResumesAfterADroppedConnection(@TempDir Path dir) throws Exception {
    String sql = dump(20_000); // about 800 KB
    byte[] body = sql.getBytes(StandardCharsets.UTF_8);
    // A request with a Range header gets a 206 from that offset; everything else comes from the
    // queue in order.
    cf.server.setDispatcher(new okhttp3.mockwebserver.QueueDispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        String range = request.getHeader("Range");
        if (range != null) {
          int from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
          return new MockResponse().setResponseCode(206)
              .setHeader("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length)
              .setBody(new okio.Buffer().write(body, from, body.length - from));
        }
        return super.dispatch(request);
      }
    });
    cf.ok(202, "{\"success\":true,\"type\":\"export\",\"at_bookmark\":\"bm-1\",\"status\":\"active\",\"messages\":[\"Generating db-1.sql\"]}", null);
    cf.ok(202, "{\"success\":true,\"type\":\"export\",\"at_bookmark\":\"bm-1\",\"status\":\"active\",\"messages\":[\"Uploaded part 2\",\"Uploaded part 1\"]}", null);
    cf.ok(200, "{\"success\":true,\"type\":\"export\",\"at_bookmark\":\"bm-1\",\"status\":\"complete\",\"messages\":[],"
        + "\"result\":{\"filename\":\"db-1.sql\",\"signed_url\":\"" + signedUrl() + "\"}}", null);
    // The first download attempt drops halfway through the body.
    cf.server.enqueue(new MockResponse().setResponseCode(200).setBody(new okio.Buffer().write(body))
        .setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY));

    Path target = dir.resolve("db-1.sql");
    D1ExportResult result =
        cf.client.d1().exportToFile("db-1", D1ExportOptions.tables(List.of("orders")), target, progress::add);

    assertThat(result.bytes()).isEqualTo(body.length);
    assertThat(result.filename()).isEqualTo("db-1.sql");
    assertThat(result.atBookmark()).isEqualTo("bm-1");
    assertThat(Files.readAllBytes(target)).isEqualTo(body);

    RecordedRequest start = cf.take();
    JsonNode startBody = JSON.readTree(start.getBody().readUtf8());
    assertThat(start.getPath()).isEqualTo(CloudflareMock.BASE + "/d1/database/db-1/export");
    assertThat(startBody.get("output_format").asText()).isEqualTo("polling");
    assertThat(startBody.get("dump_options").get("tables").get(0).asText()).isEqualTo("orders");
    assertThat(startBody.has("current_bookmark")).isFalse();
    for (int i = 0; i < 2; i++) {
      JsonNode poll = JSON.readTree(cf.take().getBody().readUtf8());
      // Each poll repeats output_format and dump_options next to the bookmark.
      assertThat(poll.get("current_bookmark").asText()).isEqualTo("bm-1");
      assertThat(poll.get("output_format").asText()).isEqualTo("polling");
      assertThat(poll.get("dump_options").get("no_schema").asBoolean()).isFalse();
    }
    RecordedRequest firstDownload = cf.take();
    RecordedRequest resumed = cf.take();
    assertThat(firstDownload.getPath()).startsWith("/r2-bucket/export/db-1.sql?X-Amz-Signature=");
    assertThat(firstDownload.getHeader("Authorization")).isNull();
    assertThat(firstDownload.getHeader("Range")).isNull();
    assertThat(resumed.getHeader("Authorization")).isNull();
    assertThat(resumed.getHeader("Range")).matches("bytes=[1-9][0-9]*-");

    assertThat(progress).filteredOn(p -> p.phase() == D1Progress.Phase.EXPORTING)
        .flatExtracting(D1Progress::messages)
        .containsExactly("Generating db-1.sql", "Uploaded part 2", "Uploaded part 1");
    D1Progress last = progress.get(progress.size() - 1);
    assertThat(last.phase()).isEqualTo(D1Progress.Phase.DOWNLOADING);
    assertThat(last.bytesTransferred()).isEqualTo(body.length);
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
  void anExpiredSignedUrlAsksForANewExport(@TempDir Path dir) throws Exception {
    cf.server.enqueue(new MockResponse().setResponseCode(403).setBody("<Error><Code>AccessDenied</Code></Error>"));

    assertThatThrownBy(() -> cf.client.d1().download(java.net.URI.create(signedUrl()), dir.resolve("x"), null))
        .isInstanceOf(CloudflareAuthException.class)
        .hasMessageContaining("start a new export")
        .hasMessageNotContaining("sig-abc");
  }

  @Test
  void anExportThatEndsInErrorFailsWithD1sText() throws Exception {
    cf.ok(202, "{\"success\":true,\"at_bookmark\":\"bm-2\",\"status\":\"active\",\"messages\":[]}", null);
    cf.ok(200, "{\"success\":false,\"at_bookmark\":\"bm-2\",\"status\":\"error\",\"messages\":[\"Generating\"],"
        + "\"error\":\"D1 Export error: cannot export databases with Virtual Tables (fts5)\"}", null);

    assertThatThrownBy(() -> cf.client.d1().awaitExport("db-1", D1ExportOptions.full(), null))
        .isInstanceOfSatisfying(D1JobFailedException.class, e -> {
          assertThat(e.jobType()).isEqualTo("export");
          assertThat(e.getMessage()).contains("Virtual Tables (fts5)");
          assertThat(e.retryable()).isFalse();
        });
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
  void importOfAnAlreadyUploadedFileFollowsTheRunningJob(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("again.sql"), "INSERT INTO t VALUES (1);\n");
    cf.ok("{\"success\":true,\"type\":\"import\",\"at_bookmark\":\"ib-2\",\"status\":\"active\",\"messages\":[]}");
    cf.ok(200, "{\"success\":true,\"type\":\"import\",\"at_bookmark\":\"ib-2\",\"status\":\"complete\",\"messages\":[],"
        + "\"result\":{\"final_bookmark\":\"fb-2\",\"num_queries\":1}}", null);

    D1ImportResult r = cf.client.d1().importSql("db-1", file, null);

    assertThat(r.uploaded()).isFalse();
    assertThat(r.finalBookmark()).isEqualTo("fb-2");
    assertThat(cf.take().getBody().readUtf8()).contains("\"init\"");
    assertThat(cf.take().getBody().readUtf8()).contains("\"poll\"");
    assertThat(cf.server.getRequestCount()).isEqualTo(2);
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
  void timeTravelRestoreReturnsTheUndoHandleAndUndoUsesIt() throws Exception {
    cf.ok("{\"bookmark\":\"00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbf891683\"}");
    cf.ok("{\"bookmark\":\"00000090-restored\",\"previous_bookmark\":\"00000099-before\",\"message\":\"Restored\"}");
    cf.ok("{\"bookmark\":\"00000100-undone\",\"previous_bookmark\":\"00000090-restored\",\"message\":\"Restored\"}");

    Instant at = Instant.parse("2026-11-21T08:46:42Z");
    String target = cf.client.d1().bookmarkAt("db-1", at);
    TimeTravelRestoreResult restore = cf.client.d1().restoreToBookmark("db-1", target);
    TimeTravelRestoreResult undo = cf.client.d1().restoreToBookmark("db-1", restore.previousBookmark());

    assertThat(restore.previousBookmark()).isEqualTo("00000099-before");
    assertThat(undo.bookmark()).isEqualTo("00000100-undone");
    RecordedRequest lookup = cf.take();
    assertThat(lookup.getRequestUrl().queryParameter("timestamp")).isEqualTo("2026-11-21T08:46:42.000Z");
    RecordedRequest first = cf.take();
    assertThat(first.getMethod()).isEqualTo("POST");
    assertThat(first.getRequestUrl().encodedPath()).endsWith("/d1/database/db-1/time_travel/restore");
    assertThat(first.getRequestUrl().queryParameter("bookmark")).isEqualTo(target);
    assertThat(cf.take().getRequestUrl().queryParameter("bookmark")).isEqualTo("00000099-before");
  }

  @Test
  void aRestoreIsNeverRepeatedAfterAServerErrorBecauseItWouldLoseTheUndoHandle() throws Exception {
    cf.fail(500, 0, "internal");
    cf.ok("{\"bookmark\":\"b\",\"previous_bookmark\":\"b-was-already-restored\",\"message\":\"\"}");

    assertThatThrownBy(() -> cf.client.d1().restoreToBookmark("db-1", "bm-x"))
        .isInstanceOfSatisfying(CloudflareServerException.class, e -> assertThat(e.outcomeUnknown()).isTrue());
    assertThat(cf.server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void futureTimestampsAreRefusedBeforeCallingCloudflare() {
    assertThatThrownBy(() -> cf.client.d1().restoreToTimestamp("db-1", cf.clock.instant().plusSeconds(60)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("future");
    assertThat(cf.server.getRequestCount()).isZero();
  }

  @Test
  void queriesSendPositionalParamsAndBatches() throws Exception {
    cf.ok("[{\"success\":true,\"results\":[{\"id\":1,\"note\":\"a\"}],\"meta\":{\"rows_read\":1,\"served_by_region\":\"WEUR\"}}]");
    cf.ok("[{\"success\":true,\"results\":{\"columns\":[\"id\",\"id\"],\"rows\":[[1,2]]},\"meta\":{}},"
        + "{\"success\":true,\"results\":{\"columns\":[],\"rows\":[]},\"meta\":{\"changes\":1}}]");

    List<D1QueryResult> q = cf.client.d1().read("db-1", "SELECT * FROM t WHERE id = ? AND note = ?", 1, null);
    List<D1RawResult> raw = cf.client.d1().rawBatch("db-1",
        List.of(D1Statement.of("SELECT 1 AS id, 2 AS id"), D1Statement.of("UPDATE t SET a = ?", "x")),
        Idempotency.NON_IDEMPOTENT);

    assertThat(q.get(0).results().get(0)).containsEntry("note", "a");
    assertThat(q.get(0).meta().servedByRegion()).isEqualTo("WEUR");
    assertThat(raw.get(0).results().columns()).containsExactly("id", "id");
    assertThat(raw.get(0).results().rows().get(0)).containsExactly(1, 2);
    JsonNode single = JSON.readTree(cf.take().getBody().readUtf8());
    assertThat(single.get("sql").asText()).startsWith("SELECT");
    assertThat(single.get("params").toString()).isEqualTo("[1,null]");
    RecordedRequest batchRequest = cf.take();
    assertThat(batchRequest.getPath()).endsWith("/raw");
    JsonNode batch = JSON.readTree(batchRequest.getBody().readUtf8());
    assertThat(batch.get("batch")).hasSize(2);
    assertThat(batch.get("batch").get(0).has("params")).isFalse();
  }
}
