package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one rollback case the sandbox cannot produce, so it uses MockWebServer: a deployment that
 * went through although the answer was a 5xx (the sandbox's injected errors replace the request,
 * so nothing is executed). Rollback target choice, the changed-secrets refusal and its forced
 * repeat are tested against the sandbox in {@code SandboxWorkersR2ClientTest}.
 */
class WorkersRollbackTest {
  private CloudflareMock cf;

  @BeforeEach
  void start() throws Exception {
    cf = new CloudflareMock();
  }

  @AfterEach
  void close() throws Exception {
    cf.close();
  }

  private void deployments() {
    cf.ok("{\"deployments\":["
        + "{\"id\":\"d4\",\"created_on\":\"2026-11-20T10:00:00Z\",\"versions\":[{\"version_id\":\"v4\",\"percentage\":100}]},"
        + "{\"id\":\"d3\",\"created_on\":\"2026-11-19T10:00:00Z\",\"versions\":[{\"version_id\":\"v4\",\"percentage\":100}]},"
        + "{\"id\":\"d2\",\"created_on\":\"2026-11-18T10:00:00Z\",\"versions\":[{\"version_id\":\"v3\",\"percentage\":50},{\"version_id\":\"v2\",\"percentage\":50}]},"
        + "{\"id\":\"d1\",\"created_on\":\"2026-11-17T10:00:00Z\",\"versions\":[{\"version_id\":\"v2\",\"percentage\":100}]}]}");
  }

  private void version(String id) {
    cf.ok("{\"id\":\"" + id + "\",\"number\":2,\"metadata\":{\"source\":\"wrangler\"},\"annotations\":{\"workers/tag\":\"t\"}}");
  }

  private String newDeployment(String version) {
    return "{\"id\":\"d5\",\"created_on\":\"2026-11-22T06:00:00Z\",\"strategy\":\"percentage\","
        + "\"annotations\":{\"workers/message\":\"Incident 42\"},\"versions\":[{\"version_id\":\"" + version
        + "\",\"percentage\":100}]}";
  }

  @Test
  void aDeploymentThatWentThroughDespiteA5xxIsRecognised() throws Exception {
    deployments();
    version("v2");
    cf.fail(502, 0, "bad gateway");
    cf.ok("{\"deployments\":[" + newDeployment("v2") + "]}");

    WorkerRollbackResult r =
        cf.client.workers().rollback(new WorkerRollbackRequest("api", "v2", "Incident 42", false));

    assertThat(r.deployment().id()).isEqualTo("d5");
    assertThat(cf.server.getRequestCount()).isEqualTo(4); // the POST was not repeated
  }
}
