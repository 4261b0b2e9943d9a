package dev.lifeline.activities.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * CompleteMultipartUpload is not idempotent: when the server completes an upload but its answer is
 * lost, the SDK's retry gets {@code NoSuchUpload}. The store must then recognise its own completed
 * object (and only that), instead of failing a backup that is safely stored — or, worse, calling
 * it a missing object.
 *
 * <p>A forwarding proxy (MockWebServer) sits between the store and a real s3proxy and loses the
 * answer to the first CompleteMultipartUpload after s3proxy has carried it out.
 */
class MultipartCompletionTest {
  private static final int MIB = 1024 * 1024;

  @TempDir Path dir;
  private S3ProxyFixture s3;
  private MockWebServer front;
  private final OkHttpClient http = new OkHttpClient();
  private final AtomicInteger completions = new AtomicInteger();
  private final List<String> requests = new ArrayList<>();
  private volatile Mode mode = Mode.LOSE_FIRST_ANSWER;

  private enum Mode {
    /** Forward the first CompleteMultipartUpload, then drop the connection before the answer. */
    LOSE_FIRST_ANSWER,
    /** Answer every CompleteMultipartUpload NoSuchUpload without forwarding it (nothing stored). */
    UPLOAD_GONE
  }

  @BeforeEach
  void start() throws Exception {
    s3 = S3ProxyFixture.onDisk(dir);
    s3.createBucket("backups");
    front = new MockWebServer();
    front.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest r) throws InterruptedException {
            return handle(r);
          }
        });
    front.start();
  }

  @AfterEach
  void stop() throws Exception {
    front.shutdown();
    s3.close();
  }

  @Test
  void multipartEtagIsTheEtagTheServerGivesTheObject() throws Exception {
    long size = 12L * MIB + 123;
    try (S3ObjectStore store = direct()) {
      store.upload("etag/multi.bin", new DeterministicStream(size, 3), PutOptions.DEFAULT);
      String expected = S3ObjectStore.multipartEtag(partsOf(size, 3, 5 * MIB));
      assertThat(expected).endsWith("-3");
      assertThat(store.head("etag/multi.bin").orElseThrow().etag()).isEqualTo(expected);
    }
  }

  @Test
  void aLostCompletionAnswerIsRecognisedByTheStoredObject() throws Exception {
    long size = 11L * MIB + 7;
    try (S3ObjectStore store = throughFront()) {
      UploadResult up = store.upload("lost/answer.bin", new DeterministicStream(size, 9), PutOptions.DEFAULT);

      assertThat(completions.get()).as("the SDK retried the completion").isEqualTo(2);
      assertThat(requests).anyMatch(r -> r.startsWith("HEAD /backups/lost/answer.bin"));
      assertThat(up.size()).isEqualTo(size);
      assertThat(up.etag()).isEqualTo(S3ObjectStore.multipartEtag(partsOf(size, 9, 5 * MIB)));
      assertThat(DeterministicStream.sha256(store.openStream("lost/answer.bin", 0)))
          .isEqualTo(DeterministicStream.sha256(size, 9));
    }
  }

  @Test
  void anUploadThatIsGoneWithoutItsObjectFailsRetryablyNotAsAMissingObject() throws Exception {
    mode = Mode.UPLOAD_GONE;
    try (S3ObjectStore store = throughFront()) {
      assertThatThrownBy(
              () -> store.upload("gone/upload.bin", new DeterministicStream(6L * MIB, 1), PutOptions.DEFAULT))
          .isInstanceOf(ObjectStoreException.class)
          .isNotInstanceOf(ObjectNotFoundException.class)
          .hasMessageContaining("NoSuchUpload")
          .hasMessageContaining("upload again")
          .satisfies(e -> assertThat(((ObjectStoreException) e).retryable()).isTrue());
      assertThat(store.head("gone/upload.bin")).isEmpty();
    }
  }

  @Test
  void theEtagOfPartsThatAreNotPlainMd5sIsUnknown() {
    assertThat(S3ObjectStore.multipartEtag(List.of(CompletedPart.builder().partNumber(1).eTag("\"abc-2\"").build())))
        .isNull();
  }

  private S3ObjectStore direct() {
    return S3ObjectStore.create(s3.options("backups").partSize(5L * MIB).maxPartsInFlight(2).build());
  }

  private S3ObjectStore throughFront() {
    return S3ObjectStore.create(
        s3.options("backups").endpoint(URI.create("http://127.0.0.1:" + front.getPort()))
            .partSize(5L * MIB).maxPartsInFlight(2).build());
  }

  /** The parts the store makes of a deterministic stream, with their MD5s as ETags. */
  private static List<CompletedPart> partsOf(long size, long seed, int partSize) throws IOException {
    List<CompletedPart> parts = new ArrayList<>();
    try (DeterministicStream in = new DeterministicStream(size, seed)) {
      byte[] buf = new byte[partSize];
      int number = 0;
      while (true) {
        int n = in.readNBytes(buf, 0, partSize);
        if (n == 0) {
          break;
        }
        MessageDigest md5 = md5();
        md5.update(buf, 0, n);
        parts.add(CompletedPart.builder().partNumber(++number)
            .eTag("\"" + HexFormat.of().formatHex(md5.digest()) + "\"").build());
      }
    }
    return parts;
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private MockResponse handle(RecordedRequest r) {
    String path = r.getPath();
    synchronized (requests) {
      requests.add(r.getMethod() + " " + path);
    }
    boolean completion = "POST".equals(r.getMethod()) && path.contains("uploadId=");
    if (completion) {
      int n = completions.incrementAndGet();
      if (mode == Mode.UPLOAD_GONE) {
        return noSuchUpload();
      }
      if (n == 1) {
        forward(r); // s3proxy completes the upload...
        return new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AFTER_REQUEST); // ...the answer is lost
      }
      // ...and the retry finds it gone, as S3 and R2 answer a completed upload (s3proxy answers a
      // second completion with success, so this one answer is scripted).
      return noSuchUpload();
    }
    return forward(r);
  }

  private static MockResponse noSuchUpload() {
    return new MockResponse().setResponseCode(404).setHeader("Content-Type", "application/xml")
        .setBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchUpload</Code>"
            + "<Message>The specified upload does not exist.</Message></Error>");
  }

  private MockResponse forward(RecordedRequest r) {
    Headers.Builder headers = new Headers.Builder();
    for (var h : r.getHeaders()) {
      String name = h.getFirst();
      if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")
          && !name.equalsIgnoreCase("Expect") && !name.equalsIgnoreCase("Connection")
          && !name.equalsIgnoreCase("Transfer-Encoding")) {
        headers.add(name, h.getSecond());
      }
    }
    byte[] body = r.getBody().readByteArray();
    RequestBody requestBody =
        body.length == 0 && !"PUT".equals(r.getMethod()) && !"POST".equals(r.getMethod())
            ? null
            : RequestBody.create(body, (MediaType) null);
    Request out = new Request.Builder()
        .url(s3.endpoint + r.getPath())
        .headers(headers.build())
        .method(r.getMethod(), requestBody)
        .build();
    try (Response resp = http.newCall(out).execute()) {
      MockResponse m = new MockResponse().setResponseCode(resp.code());
      for (var h : resp.headers()) {
        if (!h.getFirst().equalsIgnoreCase("Content-Length") && !h.getFirst().equalsIgnoreCase("Transfer-Encoding")) {
          m.addHeader(h.getFirst(), h.getSecond());
        }
      }
      byte[] bytes = resp.body() == null ? new byte[0] : resp.body().bytes();
      if ("HEAD".equals(r.getMethod())) {
        String length = resp.header("Content-Length");
        m.setBody(new Buffer());
        if (length != null) {
          m.setHeader("Content-Length", length);
        }
      } else {
        m.setBody(new Buffer().write(bytes));
      }
      return m;
    } catch (IOException e) {
      return new MockResponse().setResponseCode(502).setBody(e.toString());
    }
  }
}
