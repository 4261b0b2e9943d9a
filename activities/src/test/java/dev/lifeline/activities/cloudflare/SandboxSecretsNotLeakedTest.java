package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.lifeline.activities.cloudflare.OpenApiContractInterceptor.SentRequest;
import dev.lifeline.activities.s3.ObjectStoreFailures;
import dev.lifeline.activities.s3.ObjectStoreOptions;
import dev.lifeline.activities.s3.PutOptions;
import dev.lifeline.activities.s3.S3ObjectStore;
import dev.lifeline.activities.secrets.Secret;
import dev.lifeline.sandbox.FaultInjector;
import dev.lifeline.sandbox.MonoTaskAccount;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The API token and the S3 secret key must never appear in anything a person or a log pipeline
 * sees. Everything logback outputs during this class (from before the sandbox starts until it
 * stops) is captured while the sandbox makes the client fail every way it can, and checked together
 * with every exception's message, {@code toString()}, stack trace and Temporal failure, and the
 * {@code toString()}s of clients, stores and options. Refused credentials count as secrets too.
 */
class SandboxSecretsNotLeakedTest {
  private static final String WRONG_TOKEN = "sandbox-wrong-token-0123456789abcdef";
  private static final String WRONG_S3_SECRET = "wrong-s3-secret-0123456789abcdef";
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
  private static final Logger ROOT = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private static ContractCheckedSandbox cf;
  private final List<String> seen = new ArrayList<>();

  @BeforeAll
  static void start() {
    LOGS.start();
    ROOT.addAppender(LOGS);
    cf = ContractCheckedSandbox.start().withMonoTask();
  }

  @AfterAll
  static void stop() {
    try {
      cf.close();
    } finally {
      ROOT.detachAppender(LOGS);
      LOGS.stop();
    }
  }

  private void expectFailure(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      seen.add(e.getMessage());
      seen.add(e.toString());
      seen.add(trace.toString());
      seen.add(CloudflareFailures.toApplicationFailure(e).getMessage());
      seen.add(ObjectStoreFailures.toApplicationFailure(e).getMessage());
      return;
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void neitherTheApiTokenNorTheS3SecretAppearsInLogsOrErrors(@TempDir Path dir) throws Exception {
    String db = cf.monoTask().database().uuid();
    FakeClock budgetClock = new FakeClock(Instant.now());
    CloudflareClient client = cf.newClient(b -> b
        .readTimeout(Duration.ofMillis(300))
        // A small budget, so that waiting for it is logged too.
        .requestBudget(RequestBudget.create(1000, Duration.ofSeconds(10), 3, budgetClock, budgetClock.sleeper())));
    CloudflareClient refused = cf.newClient(b -> b.apiToken(WRONG_TOKEN));

    // Retried failures that end in success, and ones that do not.
    cf.faults().rateLimit("GET /accounts/*/d1/database/*", 2, Duration.ofSeconds(2));
    client.d1().get(db);
    cf.faults().serverError("GET /accounts/*/d1/database", FaultInjector.UNTIL_CLEARED, 503);
    expectFailure(() -> client.d1().list(null).toList());
    cf.faults().clear();
    cf.faults().wafChallenge("GET /accounts/*/storage/kv/namespaces", 1);
    expectFailure(() -> client.kv().listNamespaces().toList());
    cf.faults().serverError("POST /accounts/*/d1/database/*/query", 1, 500);
    expectFailure(() -> client.d1().execute(db, "DELETE FROM tasks WHERE id = ?", "tsk_0000001"));
    cf.faults().latency("POST /accounts/*/d1/database/*/query", 1, Duration.ofMillis(800));
    expectFailure(() -> client.d1().execute(db, "UPDATE users SET display_name = display_name"));

    // Refusals.
    expectFailure(() -> client.d1().read(db, "SELECT secret_column FROM tasks"));
    expectFailure(() -> client.d1().get("00000000-0000-4000-8000-000000000000"));
    expectFailure(() -> refused.d1().list(null).toList());
    cf.faults().rollbackBlockedBySecrets(MonoTaskAccount.WORKER, "STRIPE_API_KEY");
    expectFailure(() -> client.workers().rollback(
        new WorkerRollbackRequest(MonoTaskAccount.WORKER, null, "INC-44", false)));
    Path badImport = Files.writeString(dir.resolve("bad.sql"), "INSERT INTO no_such_table VALUES (1);\n");
    expectFailure(() -> client.d1().importSql(db, badImport, null));

    // Transfers: a resumed download and unsuccessful KV keys are logged.
    cf.faults().dropDownloads(1, 4096);
    client.d1().exportToFile(db, D1ExportOptions.tables(List.of("tasks")), dir.resolve("tasks.sql"), null);
    cf.faults().kvBulkUnsuccessful(List.of("stuck"));
    client.kv().bulkPut(cf.monoTask().kvNamespaceIds().get("CACHE"), List.of(KvBulkEntry.text("stuck", "x")));
    cf.faults().clear();

    // The S3 side: the store the dev stack builds from the sandbox's environment, and one with a wrong key.
    Map<String, String> env = cf.sandbox.environment();
    ObjectStoreOptions options = ObjectStoreOptions.forR2(cf.sandbox.accountId(), env.get("BACKUP_R2_BUCKET"), env)
        .endpoint(URI.create(env.get("R2_ENDPOINT"))).build();
    ObjectStoreOptions wrongKey = ObjectStoreOptions.forR2(cf.sandbox.accountId(), env.get("BACKUP_R2_BUCKET"), Map.of())
        .endpoint(URI.create(env.get("R2_ENDPOINT")))
        .credentials(cf.sandbox.s3AccessKeyId(), Secret.of(WRONG_S3_SECRET)).build();
    try (S3ObjectStore store = S3ObjectStore.create(options);
        S3ObjectStore denied = S3ObjectStore.create(wrongKey)) {
      store.upload("secrets-test/one.txt", new ByteArrayInputStream("x".getBytes(StandardCharsets.UTF_8)),
          PutOptions.DEFAULT);
      expectFailure(() -> store.openStream("secrets-test/missing.txt", 0));
      expectFailure(() -> denied.head("secrets-test/one.txt"));
      seen.add(store.toString());
      seen.add(options.toString());
      seen.add(denied.toString());
    }

    seen.add(client.toString());
    seen.add(client.options().toString());
    seen.add(client.options().toBuilder().toString());
    seen.add(refused.options().toString());
    seen.add(cf.sandbox.toString());
    for (ILoggingEvent e : LOGS.list) {
      seen.add(e.getFormattedMessage());
      if (e.getThrowableProxy() != null) {
        seen.add(ThrowableProxyUtil.asString(e.getThrowableProxy()));
      }
    }

    // The capture is meaningful: the calls above were logged, retries and budget waits included.
    assertThat(LOGS.list).anyMatch(e -> e.getFormattedMessage().contains("-> HTTP 429"));
    assertThat(LOGS.list).anyMatch(e -> e.getFormattedMessage().startsWith("Retrying GET"));
    assertThat(LOGS.list).anyMatch(e -> e.getFormattedMessage().startsWith("Request budget exhausted"));
    assertThat(LOGS.list).anyMatch(e -> e.getFormattedMessage().contains("dropped at byte"));
    assertThat(LOGS.list).anyMatch(e -> e.getFormattedMessage().contains("unsuccessful"));
    assertThat(LOGS.list).anyMatch(e -> e.getFormattedMessage().startsWith("Cloudflare sandbox for account"));
    // The API did get the token, and only the API: signed URLs never see it.
    assertThat(cf.requests(r -> !r.signedUrl())).allMatch(SentRequest::authorization);
    assertThat(cf.requests(SentRequest::signedUrl)).isNotEmpty().noneMatch(SentRequest::authorization);

    List<String> secrets = List.of(cf.sandbox.apiToken(), cf.sandbox.s3SecretAccessKey(), WRONG_TOKEN, WRONG_S3_SECRET);
    assertThat(seen).hasSizeGreaterThan(50);
    for (String secret : secrets) {
      assertThat(seen).as("no log line, error or toString may contain a secret")
          .noneMatch(s -> s != null && s.contains(secret));
    }
  }
}
