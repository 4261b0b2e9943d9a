package dev.lifeline.activities.s3;

import dev.lifeline.activities.secrets.Secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 object store against an in-process s3proxy (in-memory backend). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3ObjectStoreTest {
  private static final int MIB = 1024 * 1024;

  private S3ProxyFixture s3;
  private S3ObjectStore store;

  @BeforeAll
  void start() throws Exception {
    s3 = S3ProxyFixture.inMemory();
    s3.createBucket("backups");
    s3.createBucket("archive");
    store =
        S3ObjectStore.create(
            s3.options("backups").partSize(5L * MIB).maxPartsInFlight(2).listPageSize(3).build());
  }

  @AfterAll
  void stop() throws Exception {
    store.close();
    s3.close();
  }

  @Test
  void smallObjectRoundTripsWithShaSizeAndMetadata() throws IOException {
    byte[] data = DeterministicStream.bytes(1000, 1);
    UploadResult up =
        store.upload(
            "small/one.bin",
            new DeterministicStream(1000, 1),
            new PutOptions("application/x-sqlite3", Map.of("db", "orders", "format-version", "1")));

    assertThat(up.size()).isEqualTo(1000);
    assertThat(up.sha256Hex()).isEqualTo(DeterministicStream.sha256(1000, 1));
    ObjectInfo head = store.head("small/one.bin").orElseThrow();
    assertThat(head.size()).isEqualTo(1000);
    assertThat(head.etag()).isEqualTo(up.etag());
    assertThat(head.contentType()).isEqualTo("application/x-sqlite3");
    assertThat(head.userMetadata()).containsEntry("db", "orders").containsEntry("format-version", "1");
    try (InputStream in = store.openStream("small/one.bin", 0)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }

  @Test
  void multipartObjectRoundTripsWithEqualSha() throws IOException {
    long size = 12L * MIB + 123;
    UploadResult up = store.upload("big/multi.bin", new DeterministicStream(size, 7), PutOptions.DEFAULT);

    String expected = DeterministicStream.sha256(size, 7);
    assertThat(up.size()).isEqualTo(size);
    assertThat(up.sha256Hex()).isEqualTo(expected);
    assertThat(store.head("big/multi.bin").orElseThrow().size()).isEqualTo(size);
    assertThat(DeterministicStream.sha256(store.openStream("big/multi.bin", 0))).isEqualTo(expected);
  }

  @Test
  void uploadOfExactlyOnePartStillRoundTrips() throws IOException {
    long size = 5L * MIB;
    UploadResult up = store.upload("edge/one-part.bin", new DeterministicStream(size, 8), null);
    assertThat(up.size()).isEqualTo(size);
    assertThat(DeterministicStream.sha256(store.openStream("edge/one-part.bin", 0)))
        .isEqualTo(DeterministicStream.sha256(size, 8));
  }

  @Test
  void emptyObjectRoundTrips() throws IOException {
    UploadResult up = store.upload("edge/empty", InputStream.nullInputStream(), null);
    assertThat(up.size()).isZero();
    assertThat(up.sha256Hex())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    try (InputStream in = store.openStream("edge/empty", 0)) {
      assertThat(in.readAllBytes()).isEmpty();
    }
  }

  @Test
  void rangedReadsReturnExactlyTheRequestedBytes() throws IOException {
    byte[] data = DeterministicStream.bytes(100_000, 3);
    store.upload("ranges/data.bin", new DeterministicStream(100_000, 3), null);

    try (InputStream in = store.openRange("ranges/data.bin", 10, 100)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 10, 110));
    }
    try (InputStream in = store.openStream("ranges/data.bin", 99_000)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 99_000, 100_000));
    }
    try (InputStream in = store.openStream("ranges/data.bin", 100_000)) {
      assertThat(in.readAllBytes()).isEmpty();
    }
    // Closing after a partial read releases the connection; the store stays usable.
    try (InputStream in = store.openStream("ranges/data.bin", 0)) {
      assertThat(in.read()).isEqualTo(data[0] & 0xff);
    }
    assertThat(store.head("ranges/data.bin")).isPresent();
  }

  @Test
  void downloadToResumesFromAPartialFile(@TempDir Path dir) throws IOException {
    long size = 6L * MIB + 5;
    store.upload("resume/obj.bin", new DeterministicStream(size, 11), null);
    Path target = dir.resolve("obj.bin");
    // A previous attempt got the first 1 MiB + 17 bytes.
    try (InputStream in = new DeterministicStream(size, 11)) {
      Files.write(target, in.readNBytes(MIB + 17));
    }

    long total = store.downloadTo("resume/obj.bin", target);

    assertThat(total).isEqualTo(size);
    assertThat(Files.size(target)).isEqualTo(size);
    assertThat(DeterministicStream.sha256(Files.newInputStream(target)))
        .isEqualTo(DeterministicStream.sha256(size, 11));
    // Already complete: a repeated call changes nothing.
    assertThat(store.downloadTo("resume/obj.bin", target)).isEqualTo(size);
    assertThat(Files.size(target)).isEqualTo(size);
  }

  @Test
  void downloadToStartsOverWhenTheFileIsLongerThanTheObject(@TempDir Path dir) throws IOException {
    store.upload("resume/short.bin", new DeterministicStream(1000, 12), null);
    Path target = dir.resolve("short.bin");
    Files.write(target, new byte[5000]);

    store.downloadTo("resume/short.bin", target);

    assertThat(Files.readAllBytes(target)).isEqualTo(DeterministicStream.bytes(1000, 12));
  }

  @Test
  void listingFollowsPagesAndStaysInsideThePrefix() {
    for (int i = 0; i < 10; i++) {
      store.upload("list/p/" + i, new DeterministicStream(10 + i, i), null);
    }
    store.upload("list/q/other", new DeterministicStream(1, 1), null);

    // Page size is 3, so ten keys take four pages.
    List<ObjectSummary> listed = store.list("list/p/").toList();

    assertThat(listed).extracting(ObjectSummary::key)
        .containsExactly("list/p/0", "list/p/1", "list/p/2", "list/p/3", "list/p/4", "list/p/5",
            "list/p/6", "list/p/7", "list/p/8", "list/p/9");
    assertThat(listed.get(9).size()).isEqualTo(19);
    assertThat(store.list("list/nothing/").toList()).isEmpty();
  }

  @Test
  void copiesWithinAndAcrossBucketsKeepContentAndMetadata() throws IOException {
    store.upload("copy/src.bin", new DeterministicStream(4000, 21), PutOptions.withMetadata(Map.of("sha256", "abc")));

    ObjectInfo same = store.copy("copy/src.bin", null, "copy/dst.bin");
    ObjectInfo other = store.copy("copy/src.bin", "archive", "copied/src.bin");

    assertThat(same.size()).isEqualTo(4000);
    assertThat(same.userMetadata()).containsEntry("sha256", "abc");
    assertThat(DeterministicStream.sha256(store.openStream("copy/dst.bin", 0)))
        .isEqualTo(DeterministicStream.sha256(4000, 21));
    assertThat(other.size()).isEqualTo(4000);
    try (S3ObjectStore archive = S3ObjectStore.create(s3.options("archive").build())) {
      assertThat(DeterministicStream.sha256(archive.openStream("copied/src.bin", 0)))
          .isEqualTo(DeterministicStream.sha256(4000, 21));
    }
  }

  @Test
  void largeCopiesUseMultipartCopy() throws IOException {
    long size = 11L * MIB + 9;
    try (S3ObjectStore small =
        S3ObjectStore.create(
            s3.options("backups").partSize(5L * MIB).multipartCopyThreshold(5L * MIB)
                .copyPartSize(5L * MIB).build())) {
      small.upload("mpcopy/src.bin", new DeterministicStream(size, 31), PutOptions.withMetadata(Map.of("k", "v")));

      ObjectInfo copied = small.copy("mpcopy/src.bin", "archive", "mpcopy/dst.bin");

      assertThat(copied.size()).isEqualTo(size);
      assertThat(copied.userMetadata()).containsEntry("k", "v");
      // A multipart ETag ends in "-<parts>": three parts of at most 5 MiB.
      assertThat(copied.etag()).endsWith("-3");
    }
    try (S3ObjectStore archive = S3ObjectStore.create(s3.options("archive").build())) {
      assertThat(DeterministicStream.sha256(archive.openStream("mpcopy/dst.bin", 0)))
          .isEqualTo(DeterministicStream.sha256(size, 31));
    }
  }

  @Test
  void deletesSingleAndInBatches() {
    store.upload("del/one", new DeterministicStream(5, 1), null);
    store.delete("del/one");
    store.delete("del/one"); // idempotent
    assertThat(store.head("del/one")).isEmpty();

    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 1003; i++) {
      keys.add("del/many/" + i);
      store.upload("del/many/" + i, new DeterministicStream(1, i), null);
    }
    List<String> failed = store.deleteAll(keys);

    assertThat(failed).isEmpty();
    assertThat(store.list("del/many/").count()).isZero();
  }

  @Test
  void aFailingSourceAbortsTheMultipartUploadAndLeavesNothingBehind() {
    InputStream failing =
        new InputStream() {
          final DeterministicStream inner = new DeterministicStream(Long.MAX_VALUE, 5);
          long served;

          @Override
          public int read() throws IOException {
            throw new IOException("source disk failed");
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (served > 12L * MIB) {
              throw new IOException("source disk failed");
            }
            int n = inner.read(b, off, len);
            served += n;
            return n;
          }
        };

    assertThatThrownBy(() -> store.upload("abort/partial.bin", failing, null))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("reading the upload source failed");

    assertThat(store.head("abort/partial.bin")).isEmpty();
    try (S3Client raw = s3.rawClient()) {
      assertThat(raw.listMultipartUploads(b -> b.bucket("backups")).uploads()).isEmpty();
    }
  }

  @Test
  void missingObjectsAreReportedAsNotFound(@TempDir Path dir) {
    assertThat(store.head("missing/key")).isEmpty();
    assertThatThrownBy(() -> store.openStream("missing/key", 0))
        .isInstanceOf(ObjectNotFoundException.class)
        .satisfies(e -> assertThat(((ObjectStoreException) e).retryable()).isFalse());
    assertThatThrownBy(() -> store.downloadTo("missing/key", dir.resolve("x")))
        .isInstanceOf(ObjectNotFoundException.class);
  }

  @Test
  void wrongCredentialsAreAPermanentFailureThatNamesWhatToCheck() {
    try (S3ObjectStore bad =
        S3ObjectStore.create(
            s3.options("backups").credentials(S3ProxyFixture.ACCESS_KEY,
                dev.lifeline.activities.secrets.Secret.of("wrong-secret")).build())) {
      assertThatThrownBy(() -> bad.upload("x", new DeterministicStream(10, 1), null))
          .isInstanceOf(ObjectStoreException.class)
          .satisfies(e -> {
            ObjectStoreException ose = (ObjectStoreException) e;
            assertThat(ose.statusCode()).isEqualTo(403);
            assertThat(ose.retryable()).isFalse();
            assertThat(ose.getMessage()).contains("access keys").doesNotContain("wrong-secret");
          });
    }
  }

  @Test
  void userMetadataIsLimitedToR2sEightKilobytes() {
    assertThatThrownBy(() -> PutOptions.withMetadata(Map.of("big", "x".repeat(8190))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("8192");
  }

  @Test
  void r2OptionsTakeKeysFromTheEnvironmentAndNeverPrintTheSecret() {
    ObjectStoreOptions o =
        ObjectStoreOptions.forR2(
                "0123456789abcdef0123456789abcdef",
                "backups",
                Map.of("R2_ACCESS_KEY_ID", "AKID", "R2_SECRET_ACCESS_KEY", "r2-secret-value"))
            .build();

    assertThat(o.endpoint().toString())
        .isEqualTo("https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com");
    assertThat(o.region()).isEqualTo("auto");
    assertThat(o.pathStyle()).isTrue();
    assertThat(o.accessKeyId()).isEqualTo("AKID");
    assertThat(o.secretAccessKey().reveal()).isEqualTo("r2-secret-value");
    assertThat(o.toString()).doesNotContain("r2-secret-value");
    // Without the variables the AWS default chain stays in charge.
    assertThat(ObjectStoreOptions.forR2("acc", "b", Map.of()).build().accessKeyId()).isNull();
  }
}
