package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeline.activities.cloudflare.OpenApiContractInterceptor.SentRequest;
import dev.lifeline.sandbox.SandboxAccount;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real KV client against the sandbox: namespace and key pagination, single values with
 * metadata and expiry, and batched bulk writes, deletes and reads, including keys the server
 * reports unsuccessful. Every API answer is checked against the OpenAPI subset.
 */
class SandboxKvClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ContractCheckedSandbox cf;
  private static KvApi kv;

  @BeforeAll
  static void start() {
    cf = ContractCheckedSandbox.start().withMonoTask();
    kv = cf.client().kv();
  }

  @AfterAll
  static void stop() {
    cf.close();
  }

  @BeforeEach
  void reset() {
    cf.reset();
  }

  private static String newNamespace(String title) {
    return kv.createNamespace(title).id();
  }

  private static long keyListings() {
    return cf.apiCalls("GET", "/keys");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static long nowSeconds() {
    return System.currentTimeMillis() / 1000;
  }

  // ---------------------------------------------------------------- listing

  @Test
  void namespacesArePagedFiveAtATimeInTitleOrder() {
    for (char c = 'A'; c <= 'H'; c++) {
      cf.sandbox.account().createKvNamespace("PAGED-" + c);
    }
    List<String> expected = cf.sandbox.account().kvNamespaces().stream()
        .map(SandboxAccount.KvNamespace::title).sorted().toList();
    assertThat(expected).hasSizeGreaterThan(10);

    List<KvNamespace> listed = kv.listNamespaces(5).toList();

    assertThat(listed).extracting(KvNamespace::title).containsExactlyElementsOf(expected);
    assertThat(cf.apiCalls("GET", "/storage/kv/namespaces")).isEqualTo((expected.size() + 4) / 5);
    assertThat(kv.findNamespaceByTitle("SESSIONS")).get().extracting(KvNamespace::id)
        .isEqualTo(cf.monoTask().kvNamespaceIds().get("SESSIONS"));
    assertThat(kv.findNamespaceByTitle("NO-SUCH-NAMESPACE")).isEmpty();
  }

  @Test
  void keysArePagedTenAtATimeWithinAPrefixOnePageInMemory() {
    String ns = newNamespace("LISTING");
    for (int i = 1; i <= 25; i++) {
      cf.sandbox.account().putKv(ns, String.format("page/%02d", i), utf8("v" + i),
          i == 3 ? "{\"owner\":\"usr_000003\"}" : null, i == 4 ? nowSeconds() + 3600 : null);
    }
    for (int i = 1; i <= 7; i++) {
      cf.sandbox.account().putKv(ns, "other/" + i, utf8("x"), null, null);
    }

    try (Stream<KvKey> keys = kv.listKeys(ns, "page/", 10)) {
      Iterator<KvKey> it = keys.iterator();
      assertThat(it.next().name()).isEqualTo("page/01");
      // Lazy: only the first page has been fetched, so memory holds one page however big the namespace.
      assertThat(keyListings()).isEqualTo(1);
      List<KvKey> rest = new ArrayList<>();
      it.forEachRemaining(rest::add);
      assertThat(rest).extracting(KvKey::name)
          .containsExactlyElementsOf(IntStream.rangeClosed(2, 25).mapToObj(i -> String.format("page/%02d", i)).toList());
      assertThat(rest.get(1).metadata().get("owner").asText()).isEqualTo("usr_000003");
      assertThat(rest.get(2).expiration()).isGreaterThan(nowSeconds());
    }
    assertThat(keyListings()).isEqualTo(3);

    // A page's cursor is a checkpoint: a retried activity resumes from it.
    KvKeyPage first = kv.listKeysPage(ns, "page/", null, 10);
    KvKeyPage resumed = kv.listKeysPage(ns, "page/", first.cursor(), 10);
    assertThat(first.hasMore()).isTrue();
    assertThat(resumed.keys()).extracting(KvKey::name).first().isEqualTo("page/11");
  }

  // ---------------------------------------------------------------- single values

  @Test
  void valuesRoundTripWithMetadataExpiryAndAwkwardKeys() throws Exception {
    String ns = cf.monoTask().kvNamespaceIds().get("SESSIONS");
    JsonNode metadata = JSON.readTree("{\"userId\":\"usr_000007\",\"roles\":[\"admin\"]}");
    long before = nowSeconds();

    kv.put(ns, "session:on-call", utf8("{\"ok\":true}"), new KvWriteOptions(null, 3600L, metadata));

    KvValue value = kv.getValue(ns, "session:on-call").orElseThrow();
    assertThat(value.asString()).isEqualTo("{\"ok\":true}");
    assertThat(value.expiration()).isBetween(before + 3600, nowSeconds() + 3600);
    assertThat(kv.getMetadata(ns, "session:on-call")).contains(metadata);

    // Binary bytes and a key with every character that needs encoding survive exactly.
    byte[] binary = {0, (byte) 0xff, 0x7f, (byte) 0x80, '\n', '\r', '%'};
    String awkward = "img/logo 1?.png#frag%20&é";
    long at = nowSeconds() + 7200;
    kv.put(ns, awkward, binary, new KvWriteOptions(at, null, null));
    assertThat(kv.getValue(ns, awkward)).contains(new KvValue(binary, at));
    assertThat(cf.sandbox.account().getKv(ns, awkward)).get()
        .satisfies(e -> assertThat(e.value()).isEqualTo(binary));
    assertThat(kv.listKeys(ns, "img/").map(KvKey::name)).containsExactly(awkward);

    // A seeded HTML-looking value is data, not a WAF page.
    kv.put(ns, "page:/", utf8("<!DOCTYPE html><html>cached</html>"), null);
    assertThat(kv.getValue(ns, "page:/").orElseThrow().asString()).startsWith("<!DOCTYPE html>");

    kv.delete(ns, awkward);
    assertThat(kv.getValue(ns, awkward)).isEmpty();
    assertThat(kv.getMetadata(ns, awkward)).isEmpty();
    kv.delete(ns, awkward); // deleting again is fine
  }

  @Test
  void anUnknownNamespaceIsNotFound() {
    assertThatThrownBy(() -> kv.getNamespace("00000000000000000000000000000000"))
        .isInstanceOfSatisfying(CloudflareNotFoundException.class, e -> {
          assertThat(e.hasCode(10013)).isTrue();
          assertThat(CloudflareFailures.toApplicationFailure(e).isNonRetryable()).isTrue();
        });
  }

  // ---------------------------------------------------------------- bulk

  @Test
  void bulkPutGetAndDeleteWorkAcrossBatches() {
    CloudflareClient small = cf.newClient(b -> b.kvBulkBatchSize(50));
    String ns = newNamespace("BULK");
    List<KvBulkEntry> entries = IntStream.range(0, 120)
        .mapToObj(i -> new KvBulkEntry("bulk:" + i, "value " + i, null, null, null,
            i % 10 == 0 ? JSON.createObjectNode().put("i", i) : null))
        .toList();

    KvBulkResult put = small.kv().bulkPut(ns, entries.iterator());

    assertThat(put.complete()).isTrue();
    assertThat(put.successfulKeyCount()).isEqualTo(120);
    assertThat(put.requests()).isEqualTo(3);
    assertThat(cf.sandbox.account().kvEntries(ns)).hasSize(120);

    List<String> keys = new ArrayList<>(entries.stream().map(KvBulkEntry::key).toList());
    keys.addAll(List.of("missing:1", "missing:2"));
    Map<String, KvBulkValue> read = small.kv().bulkGet(ns, keys, true);

    assertThat(read).hasSize(120).doesNotContainKeys("missing:1", "missing:2");
    assertThat(read.get("bulk:41").value()).isEqualTo("value 41");
    assertThat(read.get("bulk:40").metadata().get("i").asInt()).isEqualTo(40);
    assertThat(cf.apiCalls("POST", "/bulk/get")).isEqualTo(2); // 100 keys per request

    KvBulkResult deleted = small.kv().bulkDelete(ns, entries.stream().map(KvBulkEntry::key).iterator());

    assertThat(deleted.successfulKeyCount()).isEqualTo(120);
    assertThat(deleted.requests()).isEqualTo(3);
    assertThat(cf.sandbox.account().kvEntries(ns)).isEmpty();
  }

  @Test
  void bulkBatchesAreCutByBytesAndBinaryValuesArriveIntact() {
    CloudflareClient small = cf.newClient(b -> b.kvBulkMaxBytes(4096));
    String ns = newNamespace("BULK-BINARY");
    byte[] blob = new byte[1600];
    for (int i = 0; i < blob.length; i++) {
      blob[i] = (byte) (i * 31);
    }
    long expiration = nowSeconds() + 86_400;

    KvBulkResult r = small.kv().bulkPut(ns, List.of(
        KvBulkEntry.binary("blob:1", blob, expiration, null),
        KvBulkEntry.binary("blob:2", blob, null, null),
        KvBulkEntry.binary("blob:3", blob, null, null)));

    // Each entry is about 2.2 KB in base64, so no two fit in 4 KB.
    assertThat(r.requests()).isEqualTo(3);
    assertThat(small.kv().getValue(ns, "blob:1")).contains(new KvValue(blob, expiration));
    assertThat(small.kv().getValue(ns, "blob:3").orElseThrow().bytes()).isEqualTo(blob);
  }

  @Test
  void keysReportedUnsuccessfulAreSentAgainUntilTheyLand() {
    List<Duration> waits = new CopyOnWriteArrayList<>();
    // The injected failure lasts until the client's first pause before re-sending.
    CloudflareClient client = cf.newClient(b -> b.kvBulkBatchSize(10).sleeper(d -> {
      waits.add(d);
      cf.faults().clear();
    }));
    String ns = newNamespace("BULK-RETRY");
    cf.faults().kvBulkUnsuccessful(List.of("k3", "k17"));

    KvBulkResult r = client.kv().bulkPut(ns,
        IntStream.range(0, 25).mapToObj(i -> KvBulkEntry.text("k" + i, "v" + i)).iterator());

    assertThat(r.complete()).isTrue();
    assertThat(r.successfulKeyCount()).isEqualTo(25);
    assertThat(r.requests()).isEqualTo(4); // three batches and one re-send of k3
    assertThat(waits).hasSize(1);
    assertThat(cf.sandbox.account().kvEntries(ns)).hasSize(25);
    assertThat(cf.requests(req -> req.method().equals("PUT") && req.path().endsWith("/bulk")))
        .extracting(SentRequest::status).containsOnly(200);
  }

  @Test
  void keysThatKeepFailingAreReportedAndTheRestIsWritten() {
    CloudflareClient client = cf.newClient(b -> b.kvBulkRetries(2));
    String ns = newNamespace("BULK-STUCK");
    cf.faults().kvBulkUnsuccessful(List.of("stuck"));

    KvBulkResult r = client.kv().bulkPut(ns, List.of(
        KvBulkEntry.text("good-1", "1"), KvBulkEntry.text("stuck", "2"), KvBulkEntry.text("good-2", "3")));

    assertThat(r.complete()).isFalse();
    assertThat(r.unsuccessfulKeys()).containsExactly("stuck");
    assertThat(r.successfulKeyCount()).isEqualTo(2);
    assertThat(r.requests()).isEqualTo(3); // the first attempt and two re-sends
    assertThat(cf.sandbox.account().kvEntries(ns)).extracting(SandboxAccount.KvEntry::key)
        .containsExactly("good-1", "good-2");
  }
}
