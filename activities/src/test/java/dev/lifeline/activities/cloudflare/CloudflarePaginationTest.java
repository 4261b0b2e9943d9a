package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The three pagination styles, each across at least three pages, fetched lazily. */
class CloudflarePaginationTest {
  private CloudflareMock cf;

  @BeforeEach
  void start() throws Exception {
    cf = new CloudflareMock();
  }

  @AfterEach
  void close() throws Exception {
    cf.close();
  }

  private static String db(int i) {
    return "{\"uuid\":\"db-" + i + "\",\"name\":\"shop-" + i + "\",\"created_at\":\"2026-01-0" + i
        + "T00:00:00Z\",\"version\":\"production\"}";
  }

  @Test
  void d1ListFollowsPageNumbersUntilTotalCount() throws Exception {
    cf.ok(200, "[" + db(1) + "," + db(2) + "]", "{\"page\":1,\"per_page\":2,\"count\":2,\"total_count\":5}");
    cf.ok(200, "[" + db(3) + "," + db(4) + "]", "{\"page\":2,\"per_page\":2,\"count\":2,\"total_count\":5}");
    cf.ok(200, "[" + db(5) + "]", "{\"page\":3,\"per_page\":2,\"count\":1,\"total_count\":5}");

    List<D1Database> all = cf.client.d1().list("shop", 2).toList();

    assertThat(all).extracting(D1Database::uuid).containsExactly("db-1", "db-2", "db-3", "db-4", "db-5");
    for (int page = 1; page <= 3; page++) {
      RecordedRequest r = cf.take();
      assertThat(r.getRequestUrl().queryParameter("page")).isEqualTo(Integer.toString(page));
      assertThat(r.getRequestUrl().queryParameter("per_page")).isEqualTo("2");
      assertThat(r.getRequestUrl().queryParameter("name")).isEqualTo("shop");
    }
    assertThat(cf.server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void pageBasedListsStopOnAShortPageWithoutTotalCount() throws Exception {
    cf.ok(200, "[" + db(1) + "," + db(2) + "]", "{\"page\":1,\"per_page\":2}");
    cf.ok(200, "[" + db(3) + "," + db(4) + "]", "{\"page\":2,\"per_page\":2}");
    cf.ok(200, "[" + db(5) + "]", "{\"page\":3,\"per_page\":2}");

    assertThat(cf.client.d1().list(null, 2).count()).isEqualTo(5);
    assertThat(cf.server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void kvKeysFollowCursorsLazilyOnePageAtATime() throws Exception {
    cf.ok(200, "[{\"name\":\"user:1\"},{\"name\":\"user:2\",\"expiration\":1900000000}]",
        "{\"count\":2,\"cursor\":\"c1\"}");
    cf.ok(200, "[{\"name\":\"user:3\",\"metadata\":{\"v\":1}}]", "{\"count\":1,\"cursor\":\"c2\"}");
    cf.ok(200, "[{\"name\":\"user:4\"}]", "{\"count\":1,\"cursor\":\"\"}");

    try (Stream<KvKey> keys = cf.client.kv().listKeys("ns-1", "user:", 2)) {
      Iterator<KvKey> it = keys.iterator();
      assertThat(it.next().name()).isEqualTo("user:1");
      // Only the first page has been fetched so far: memory holds one page.
      assertThat(cf.server.getRequestCount()).isEqualTo(1);
      KvKey second = it.next();
      assertThat(second.expiration()).isEqualTo(1900000000L);
      KvKey third = it.next();
      assertThat(third.metadata().get("v").asInt()).isEqualTo(1);
      assertThat(it.next().name()).isEqualTo("user:4");
      assertThat(it.hasNext()).isFalse();
    }

    RecordedRequest first = cf.take();
    assertThat(first.getRequestUrl().encodedPath()).isEqualTo(CloudflareMock.BASE + "/storage/kv/namespaces/ns-1/keys");
    assertThat(first.getRequestUrl().queryParameter("prefix")).isEqualTo("user:");
    assertThat(first.getRequestUrl().queryParameter("cursor")).isNull();
    assertThat(cf.take().getRequestUrl().queryParameter("cursor")).isEqualTo("c1");
    assertThat(cf.take().getRequestUrl().queryParameter("cursor")).isEqualTo("c2");
    assertThat(cf.server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void kvKeyPagesExposeTheCursorForCheckpoints() throws Exception {
    cf.ok(200, "[{\"name\":\"a\"}]", "{\"count\":1,\"cursor\":\"next-1\"}");
    cf.ok(200, "[{\"name\":\"b\"}]", "{\"count\":1}");

    KvKeyPage p1 = cf.client.kv().listKeysPage("ns-1", null, null, 10);
    KvKeyPage p2 = cf.client.kv().listKeysPage("ns-1", null, p1.cursor(), 10);

    assertThat(p1.hasMore()).isTrue();
    assertThat(p1.cursor()).isEqualTo("next-1");
    assertThat(p2.hasMore()).isFalse();
  }

  @Test
  void r2BucketsFollowCursorsInsideResultBuckets() throws Exception {
    cf.ok(200, "{\"buckets\":[{\"name\":\"a\",\"creation_date\":\"2026-01-01T00:00:00Z\",\"location\":\"weur\",\"storage_class\":\"Standard\"}]}",
        "{\"cursor\":\"k1\",\"per_page\":1}");
    cf.ok(200, "{\"buckets\":[{\"name\":\"b\"}]}", "{\"cursor\":\"k2\",\"per_page\":1}");
    cf.ok(200, "{\"buckets\":[{\"name\":\"c\"}]}", "{\"per_page\":1}");

    List<R2Bucket> buckets = cf.client.r2().listBuckets("b", 1).toList();

    assertThat(buckets).extracting(R2Bucket::name).containsExactly("a", "b", "c");
    assertThat(buckets.get(0).storageClass()).isEqualTo("Standard");
    assertThat(cf.take().getRequestUrl().queryParameter("name_contains")).isEqualTo("b");
    assertThat(cf.take().getRequestUrl().queryParameter("cursor")).isEqualTo("k1");
    assertThat(cf.take().getRequestUrl().queryParameter("cursor")).isEqualTo("k2");
  }

  @Test
  void workerVersionsArePagedInsideResultItems() throws Exception {
    cf.ok(200, "{\"items\":[{\"id\":\"v5\",\"number\":5,\"metadata\":{\"author_email\":\"a@x\",\"created_on\":\"2026-01-05T00:00:00Z\"}},{\"id\":\"v4\",\"number\":4}]}",
        "{\"page\":1,\"per_page\":2,\"total_count\":5}");
    cf.ok(200, "{\"items\":[{\"id\":\"v3\",\"number\":3},{\"id\":\"v2\",\"number\":2}]}",
        "{\"page\":2,\"per_page\":2,\"total_count\":5}");
    cf.ok(200, "{\"items\":[{\"id\":\"v1\",\"number\":1}]}", "{\"page\":3,\"per_page\":2,\"total_count\":5}");

    List<WorkerVersion> versions = cf.client.workers().listVersions("api", 2).toList();

    assertThat(versions).extracting(WorkerVersion::id).containsExactly("v5", "v4", "v3", "v2", "v1");
    assertThat(versions.get(0).metadata().authorEmail()).isEqualTo("a@x");
    assertThat(cf.server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void kvNamespaceIsFoundByTitleAcrossPages() throws Exception {
    cf.ok(200, "[{\"id\":\"n1\",\"title\":\"alpha\"},{\"id\":\"n2\",\"title\":\"beta\"}]",
        "{\"page\":1,\"per_page\":2,\"total_count\":6}");
    cf.ok(200, "[{\"id\":\"n3\",\"title\":\"delta\"},{\"id\":\"n4\",\"title\":\"gamma\"}]",
        "{\"page\":2,\"per_page\":2,\"total_count\":6}");
    cf.ok(200, "[{\"id\":\"n5\",\"title\":\"sessions\",\"supports_url_encoding\":true},{\"id\":\"n6\",\"title\":\"zeta\"}]",
        "{\"page\":3,\"per_page\":2,\"total_count\":6}");

    KvNamespace ns = cf.client.kv().findNamespaceByTitle("sessions").orElseThrow();

    assertThat(ns.id()).isEqualTo("n5");
    assertThat(ns.supportsUrlEncoding()).isTrue();
    RecordedRequest first = cf.take();
    assertThat(first.getRequestUrl().queryParameter("order")).isEqualTo("title");
    assertThat(first.getRequestUrl().queryParameter("direction")).isEqualTo("asc");
  }

  @Test
  void deploymentsComeInOneAnswerNewestFirst() throws Exception {
    cf.ok("{\"deployments\":["
        + "{\"id\":\"d1\",\"created_on\":\"2026-01-01T00:00:00Z\",\"versions\":[{\"version_id\":\"v1\",\"percentage\":100}]},"
        + "{\"id\":\"d3\",\"created_on\":\"2026-01-03T00:00:00Z\",\"versions\":[{\"version_id\":\"v3\",\"percentage\":100}]},"
        + "{\"id\":\"d2\",\"created_on\":\"2026-01-02T00:00:00Z\",\"versions\":[{\"version_id\":\"v2\",\"percentage\":100}]}]}");

    assertThat(cf.client.workers().listDeployments("api")).extracting(WorkerDeployment::id)
        .containsExactly("d3", "d2", "d1");
  }
}
