package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rollback as wrangler does it, including the changed-secrets (10220) path. */
class WorkersRollbackTest {
  private static final ObjectMapper JSON = new ObjectMapper();
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
  void rollbackPicksThePreviousVersionThatServedAHundredPercent() throws Exception {
    deployments();
    version("v2");
    cf.ok(newDeployment("v2"));

    WorkerRollbackResult r =
        cf.client.workers().rollback(new WorkerRollbackRequest("api", null, "Incident 42", false));

    // d3 served the same version as the current one and d2 was a split: v2 from d1 is the target.
    assertThat(r.versionId()).isEqualTo("v2");
    assertThat(r.previousVersionIds()).containsExactly("v4");
    assertThat(r.forced()).isFalse();
    assertThat(r.deployment().id()).isEqualTo("d5");
    cf.take();
    assertThat(cf.take().getPath()).endsWith("/workers/scripts/api/versions/v2");
    RecordedRequest post = cf.take();
    assertThat(post.getMethod()).isEqualTo("POST");
    assertThat(post.getRequestUrl().queryParameter("force")).isNull();
    JsonNode body = JSON.readTree(post.getBody().readUtf8());
    assertThat(body.get("strategy").asText()).isEqualTo("percentage");
    assertThat(body.get("versions").get(0).get("version_id").asText()).isEqualTo("v2");
    assertThat(body.get("versions").get(0).get("percentage").asDouble()).isEqualTo(100.0);
    assertThat(body.get("annotations").get("workers/message").asText()).isEqualTo("Incident 42");
  }

  @Test
  void changedSecretsStopTheRollbackWithTheirNamesUnlessForceIsAllowed() throws Exception {
    deployments();
    version("v1");
    cf.fail(400, 10220, "A newer version has changed secrets. The following secrets have changed: API_KEY, DB_PASSWORD [code: 10220]");

    assertThatThrownBy(() ->
            cf.client.workers().rollback(new WorkerRollbackRequest("api", "v1", "Incident 42", false)))
        .isInstanceOfSatisfying(WorkerSecretsChangedException.class, e -> {
          assertThat(e.changedSecrets()).containsExactly("API_KEY", "DB_PASSWORD");
          assertThat(e.versionId()).isEqualTo("v1");
          assertThat(e.retryable()).isFalse();
          assertThat(e.getMessage()).contains("API_KEY, DB_PASSWORD").contains("force");
        });
    assertThat(cf.server.getRequestCount()).isEqualTo(3); // one deployment attempt only
  }

  @Test
  void changedSecretsAreForcedWhenThePersonAllowedIt() throws Exception {
    deployments();
    version("v1");
    cf.fail(400, 10220, "The following secrets have changed: API_KEY");
    cf.ok(newDeployment("v1"));

    WorkerRollbackResult r =
        cf.client.workers().rollback(new WorkerRollbackRequest("api", "v1", "Incident 42", true));

    assertThat(r.forced()).isTrue();
    assertThat(r.changedSecrets()).containsExactly("API_KEY");
    cf.take();
    cf.take();
    assertThat(cf.take().getRequestUrl().queryParameter("force")).isNull();
    assertThat(cf.take().getRequestUrl().queryParameter("force")).isEqualTo("true");
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

  @Test
  void withoutAnEarlierFullVersionTheCallerMustNameOne() throws Exception {
    cf.ok("{\"deployments\":[{\"id\":\"d1\",\"created_on\":\"2026-11-17T10:00:00Z\",\"versions\":[{\"version_id\":\"v1\",\"percentage\":100}]}]}");

    assertThatThrownBy(() -> cf.client.workers().rollback(new WorkerRollbackRequest("api", null, null, false)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("explicit version id");
  }
}
