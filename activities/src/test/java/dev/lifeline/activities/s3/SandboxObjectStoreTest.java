package dev.lifeline.activities.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.sandbox.CloudflareSandbox;
import dev.lifeline.sandbox.MonoTaskAccount;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

/**
 * The object store on the sandbox's S3 server (the R2 stand-in the dev stack uses), configured
 * the way the dev stack configures it: R2 options for the account, with the endpoint and keys from
 * the sandbox's environment. Backups go to {@code monotask-backups}, copies to the secondary.
 */
class SandboxObjectStoreTest {
  private static final int MIB = 1024 * 1024;
  private static CloudflareSandbox sandbox;
  private static S3ObjectStore store;
  private static String secondary;

  @BeforeAll
  static void start() {
    sandbox = CloudflareSandbox.start();
    MonoTaskAccount.create(sandbox, MonoTaskAccount.Options.tiny(42));
    Map<String, String> env = sandbox.environment();
    secondary = env.get("SECONDARY_R2_BUCKET");
    store = S3ObjectStore.create(
        ObjectStoreOptions.forR2(sandbox.accountId(), env.get("BACKUP_R2_BUCKET"), env)
            .endpoint(URI.create(env.get("R2_ENDPOINT")))
            .partSize(5L * MIB)
            .listPageSize(3)
            .build());
  }

  @AfterAll
  static void stop() {
    store.close();
    sandbox.close();
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  @Test
  void aMultipartBackupRoundTripsWithTheSameSha256(@TempDir Path dir) throws Exception {
    long size = 11L * MIB + 123; // three parts of 5 MiB
    String expected = DeterministicStream.sha256(size, 7);

    UploadResult up = store.upload("d1/monotask-production/2026-11-22T06-00-00Z.sql.zst",
        new DeterministicStream(size, 7), PutOptions.withMetadata(Map.of("sha256", expected)));

    assertThat(store.bucket()).isEqualTo("monotask-backups");
    assertThat(up.size()).isEqualTo(size);
    assertThat(up.sha256Hex()).isEqualTo(expected);
    Path local = dir.resolve("restore.sql.zst");
    assertThat(store.downloadTo(up.key(), local)).isEqualTo(size);
    try (InputStream in = Files.newInputStream(local)) {
      assertThat(DeterministicStream.sha256(in)).isEqualTo(expected);
    }
    // The bytes really are on the sandbox's R2, with the integrity metadata the manifest relies on.
    assertThat(sandbox.account().getR2Object("monotask-backups", up.key())).get().satisfies(o -> {
      assertThat(sha256(o.data())).isEqualTo(expected);
      assertThat(o.userMetadata()).containsEntry("sha256", expected);
    });
  }

  @Test
  void listingStaysInsideThePrefixAcrossPages() {
    List<String> keys = IntStream.rangeClosed(1, 8).mapToObj(i -> "kv/SESSIONS/part-" + i + ".jsonl").toList();
    keys.forEach(k -> store.upload(k, new DeterministicStream(100, k.hashCode()), null));
    store.upload("kv/SESSIONS-old/part-1.jsonl", new DeterministicStream(10, 1), null);
    store.upload("kv/CACHE/part-1.jsonl", new DeterministicStream(10, 2), null);

    List<ObjectSummary> listed = store.list("kv/SESSIONS/").toList();

    assertThat(listed).extracting(ObjectSummary::key).containsExactlyElementsOf(keys);
    assertThat(listed).allSatisfy(o -> assertThat(o.size()).isEqualTo(100));
    // The server honours the page size, so the eight keys above came in three pages of at most three.
    try (S3Client raw = rawClient()) {
      ListObjectsV2Response page = raw.listObjectsV2(b -> b.bucket("monotask-backups").prefix("kv/SESSIONS/").maxKeys(3));
      assertThat(page.contents()).hasSize(3);
      assertThat(page.isTruncated()).isTrue();
    }
  }

  @Test
  void rangedReadsReturnExactlyTheRequestedBytes() throws IOException {
    byte[] data = DeterministicStream.bytes(200_000, 11);
    store.upload("ranges/dump.sql", new ByteArrayInputStream(data), null);

    try (InputStream in = store.openRange("ranges/dump.sql", 65_536, 1000)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 65_536, 66_536));
    }
    try (InputStream in = store.openStream("ranges/dump.sql", 199_000)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 199_000, 200_000));
    }
  }

  @Test
  void aCopyToTheSecondaryBucketKeepsContentAndMetadata() throws Exception {
    byte[] data = DeterministicStream.bytes(300_000, 13);
    String sha = sha256(data);
    store.upload("r2/evidence-storage/manifest.json", new ByteArrayInputStream(data),
        new PutOptions("application/json", Map.of("sha256", sha)));

    ObjectInfo copied = store.copy("r2/evidence-storage/manifest.json", secondary, "r2/evidence-storage/manifest.json");

    assertThat(secondary).isEqualTo("monotask-backups-secondary");
    assertThat(copied.size()).isEqualTo(data.length);
    assertThat(sandbox.account().getR2Object(secondary, "r2/evidence-storage/manifest.json")).get()
        .satisfies(o -> {
          assertThat(sha256(o.data())).isEqualTo(sha);
          assertThat(o.userMetadata()).containsEntry("sha256", sha);
        });
  }

  @Test
  void deletedObjectsAreGoneAndDeletingAgainIsFine() {
    store.upload("tmp/a.bin", new DeterministicStream(10, 1), null);
    store.upload("tmp/b.bin", new DeterministicStream(10, 2), null);
    store.upload("tmp/c.bin", new DeterministicStream(10, 3), null);

    store.delete("tmp/a.bin");
    store.delete("tmp/a.bin");
    List<String> failed = store.deleteAll(List.of("tmp/b.bin", "tmp/c.bin", "tmp/never-existed.bin"));

    assertThat(failed).isEmpty();
    assertThat(store.head("tmp/a.bin")).isEmpty();
    assertThat(store.list("tmp/").toList()).isEmpty();
    assertThat(sandbox.account().r2ObjectKeys("monotask-backups")).noneMatch(k -> k.startsWith("tmp/"));
  }

  /** A plain SDK client, only to show the server pages listings (the store does not expose pages). */
  private static S3Client rawClient() {
    return S3Client.builder()
        .endpointOverride(sandbox.s3Endpoint())
        .region(Region.of("auto"))
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(sandbox.s3AccessKeyId(), sandbox.s3SecretAccessKey())))
        .build();
  }
}
