package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.sandbox.SandboxAccount;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real Workers and R2 bucket clients against the sandbox: version pagination, rollback as
 * wrangler does it (including the changed-secrets refusal and its forced repeat) and cursor
 * pagination of buckets. Every API answer is checked against the OpenAPI subset.
 */
class SandboxWorkersR2ClientTest {
  private static ContractCheckedSandbox cf;
  private static WorkersApi workers;
  private static SandboxAccount account;

  @BeforeAll
  static void start() {
    cf = ContractCheckedSandbox.start().withMonoTask();
    workers = cf.client().workers();
    account = cf.sandbox.account();
  }

  @AfterAll
  static void stop() {
    cf.close();
  }

  @BeforeEach
  void reset() {
    cf.reset();
  }

  /** A Worker with {@code n} versions, each deployed at 100% in turn; returns their ids, oldest first. */
  private static List<String> workerWithReleases(String script, int n) {
    account.createWorkerScript(script);
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      String id = account.addWorkerVersion(script, "release " + i, "v" + i + ".0.0").id();
      account.deployWorker(script, id, "release " + i);
      ids.add(id);
    }
    return ids;
  }

  /** Version id → percentage of the deployment serving now. */
  private static Map<String, Double> serving(String script) {
    return account.workerDeployments(script).get(0).versions();
  }

  // ---------------------------------------------------------------- versions

  @Test
  void versionsArePagedThreeAtATimeNewestFirst() {
    List<String> ids = workerWithReleases("paged-worker", 7);

    List<WorkerVersion> versions = workers.listVersions("paged-worker", 3).toList();

    List<String> newestFirst = new ArrayList<>(ids);
    java.util.Collections.reverse(newestFirst);
    assertThat(versions).extracting(WorkerVersion::id).containsExactlyElementsOf(newestFirst);
    assertThat(versions).extracting(WorkerVersion::number).containsExactly(7L, 6L, 5L, 4L, 3L, 2L, 1L);
    assertThat(versions.get(0).metadata().authorEmail()).isNotBlank();
    assertThat(cf.apiCalls("GET", "/versions")).isEqualTo(3);

    WorkerVersion v4 = workers.getVersion("paged-worker", ids.get(3));
    assertThat(v4.annotations()).containsEntry("workers/tag", "v4.0.0").containsEntry("workers/message", "release 4");
    assertThat(v4.resources().path("script").path("etag").asText()).isNotBlank();
  }

  // ---------------------------------------------------------------- rollback

  @Test
  void rollbackServesThePreviousFullVersionAgain() {
    List<String> ids = cf.monoTask().workerVersionIds();

    WorkerRollbackResult r = workers.rollback(
        new WorkerRollbackRequest(MonoTaskAccount.WORKER, null, "INC-42: 5xx after rate-limit release", false));

    assertThat(r.versionId()).isEqualTo(ids.get(1));
    assertThat(r.previousVersionIds()).containsExactly(ids.get(2));
    assertThat(r.forced()).isFalse();
    assertThat(serving(MonoTaskAccount.WORKER)).containsExactly(Map.entry(ids.get(1), 100.0));
    assertThat(account.workerDeployments(MonoTaskAccount.WORKER).get(0).message())
        .isEqualTo("INC-42: 5xx after rate-limit release");
    assertThat(workers.listDeployments(MonoTaskAccount.WORKER).get(0).id()).isEqualTo(r.deployment().id());
  }

  @Test
  void rollbackSkipsSplitDeploymentsAndOnesServingTheCurrentVersion() {
    String script = "canary-worker";
    account.createWorkerScript(script);
    List<String> v = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      v.add(account.addWorkerVersion(script, "release " + i, null).id());
    }
    account.deployWorker(script, v.get(1), "v2 everywhere");
    workers.deploy(script, List.of(new WorkerDeployment.VersionShare(v.get(2), 50),
        new WorkerDeployment.VersionShare(v.get(1), 50)), "canary v3", false);
    account.deployWorker(script, v.get(3), "v4 everywhere");
    account.deployWorker(script, v.get(3), "v4 redeployed");

    WorkerRollbackResult r = workers.rollback(new WorkerRollbackRequest(script, null, "back to v2", false));

    assertThat(r.versionId()).isEqualTo(v.get(1));
    assertThat(serving(script)).containsExactly(Map.entry(v.get(1), 100.0));
  }

  @Test
  void changedSecretsStopTheRollbackUntilForceIsAllowed() {
    List<String> ids = workerWithReleases("secret-worker", 3);
    cf.faults().rollbackBlockedBySecrets("secret-worker", "STRIPE_API_KEY", "DATABASE_URL");

    assertThatThrownBy(() -> workers.rollback(
            new WorkerRollbackRequest("secret-worker", ids.get(0), "INC-43", false)))
        .isInstanceOfSatisfying(WorkerSecretsChangedException.class, e -> {
          assertThat(e.changedSecrets()).containsExactly("STRIPE_API_KEY", "DATABASE_URL");
          assertThat(e.versionId()).isEqualTo(ids.get(0));
          assertThat(e.getMessage()).contains("STRIPE_API_KEY, DATABASE_URL").contains("force");
          ApplicationFailure f = CloudflareFailures.toApplicationFailure(e);
          assertThat(f.isNonRetryable()).isTrue();
          assertThat(f.getType()).isEqualTo("WorkerSecretsChangedException");
        });
    assertThat(serving("secret-worker")).containsOnlyKeys(ids.get(2));
    assertThat(cf.apiCalls("POST", "/deployments")).isEqualTo(1);

    WorkerRollbackResult forced = workers.rollback(
        new WorkerRollbackRequest("secret-worker", ids.get(0), "INC-43, secrets checked by bob", true));

    assertThat(forced.forced()).isTrue();
    assertThat(forced.changedSecrets()).containsExactly("STRIPE_API_KEY", "DATABASE_URL");
    assertThat(serving("secret-worker")).containsExactly(Map.entry(ids.get(0), 100.0));
  }

  @Test
  void withoutAnEarlierFullVersionTheCallerMustNameOne() {
    workerWithReleases("fresh-worker", 1);

    assertThatThrownBy(() -> workers.rollback(new WorkerRollbackRequest("fresh-worker", null, null, false)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("explicit version id")
        .satisfies(e -> assertThat(CloudflareFailures.toApplicationFailure((RuntimeException) e).isNonRetryable()).isTrue());
    assertThatThrownBy(() -> workers.rollback(new WorkerRollbackRequest("fresh-worker", "no-such-version", null, false)))
        .isInstanceOf(CloudflareNotFoundException.class);
    assertThat(cf.apiCalls("POST", "/deployments")).isZero();
  }

  // ---------------------------------------------------------------- R2 buckets

  @Test
  void bucketsArePagedByCursor() {
    List<String> expected = account.r2Buckets().stream().map(SandboxAccount.R2Bucket::name).sorted().toList();
    assertThat(expected).hasSize(5);

    List<R2Bucket> all = cf.client().r2().listBuckets(null, 2).toList();

    assertThat(all).extracting(R2Bucket::name).containsExactlyElementsOf(expected);
    assertThat(cf.apiCalls("GET", "/r2/buckets")).isEqualTo(3);
    assertThat(cf.client().r2().listBuckets("backups", 1).map(R2Bucket::name))
        .containsExactly("monotask-backups", "monotask-backups-secondary");

    R2Bucket backups = cf.client().r2().getBucket("monotask-backups");
    assertThat(backups.storageClass()).isEqualTo("Standard");
    assertThat(backups.creationDate()).isNotBlank();
    assertThatThrownBy(() -> cf.client().r2().getBucket("no-such-bucket"))
        .isInstanceOf(CloudflareNotFoundException.class);
  }
}
