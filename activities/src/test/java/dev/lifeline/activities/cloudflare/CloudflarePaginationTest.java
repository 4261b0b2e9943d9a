package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pagination answers the sandbox cannot give: a page-based {@code result_info} without
 * {@code total_count} (the sandbox always sends it) and deployments out of order (the sandbox
 * answers newest first). Every pagination style against real answers, each across three or more
 * pages, is in the {@code Sandbox*ClientTest} classes.
 */
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
  void pageBasedListsStopOnAShortPageWithoutTotalCount() throws Exception {
    cf.ok(200, "[" + db(1) + "," + db(2) + "]", "{\"page\":1,\"per_page\":2}");
    cf.ok(200, "[" + db(3) + "," + db(4) + "]", "{\"page\":2,\"per_page\":2}");
    cf.ok(200, "[" + db(5) + "]", "{\"page\":3,\"per_page\":2}");

    assertThat(cf.client.d1().list(null, 2).count()).isEqualTo(5);
    assertThat(cf.server.getRequestCount()).isEqualTo(3);
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
