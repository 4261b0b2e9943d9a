package dev.lifeline.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.lifeline.activities.notify.WebhookNotifier;
import dev.lifeline.worker.config.ConfigSource;
import dev.lifeline.worker.config.LifelineConfig;
import dev.lifeline.worker.dev.LocalTemporalServer;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import dev.lifeline.workflows.testing.GateRehearsal;
import dev.lifeline.workflows.testing.GateRehearsalImpl;
import dev.lifeline.workflows.testing.RehearsalInput;
import dev.lifeline.workflows.testing.RehearsalStore;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The worker against a real (local) Temporal server over gRPC on an ephemeral port. */
class WorkerProcessTest {
  private LocalTemporalServer server;
  private final RehearsalStore store = new RehearsalStore();

  @BeforeEach
  void startServer() {
    server = LocalTemporalServer.start("127.0.0.1", 0);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private LifelineWorker worker(String grace) {
    LifelineConfig config =
        LifelineConfig.load(
            ConfigSource.of(Map.of("TEMPORAL_ADDRESS", server.address(), "LIFELINE_SHUTDOWN_GRACE", grace)),
            LifelineConfig.Requirement.DEV);
    return LifelineWorker.start(
        config,
        config.temporal().connect(),
        true,
        new LifelineWorker.Extras(List.of(GateRehearsalImpl.class), List.of(store)));
  }

  private static GateRehearsal start(WorkflowClient client, String id, RehearsalInput input) {
    GateRehearsal wf =
        client.newWorkflowStub(
            GateRehearsal.class,
            WorkflowOptions.newBuilder().setTaskQueue("lifeline").setWorkflowId(id).build());
    WorkflowClient.start(wf::run, input, null);
    return wf;
  }

  private static PlaybookStatus waitFor(GateRehearsal wf, java.util.function.Predicate<PlaybookStatus> p)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    PlaybookStatus s = wf.status();
    while (!p.test(s) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      s = wf.status();
    }
    assertThat(p.test(s)).as("status %s", s).isTrue();
    return s;
  }

  @Test
  void registersSearchAttributesAndTagsActivityLogsWithThePlaybook() throws Exception {
    Logger notifierLog = (Logger) LoggerFactory.getLogger(WebhookNotifier.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    notifierLog.addAppender(events);
    try (LifelineWorker worker = worker("5s")) {
      assertThat(worker.searchAttributes()).isTrue();
      assertThat(SearchAttributeRegistrar.ensureRegistered(
              worker.client().getWorkflowServiceStubs(), "default"))
          .as("registering twice is fine").isTrue();
      store.seed("mdc", 2);
      GateRehearsal wf = start(worker.client(), "mdc-run", RehearsalInput.of("mdc", "alice"));
      waitFor(wf, s -> s.pendingApproval() != null);
      long deadline = System.currentTimeMillis() + 5_000;
      while (events.list.isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      ILoggingEvent e = events.list.get(0);
      assertThat(e.getFormattedMessage()).startsWith("[approval needed] Approval needed: apply");
      assertThat(e.getMDCPropertyMap())
          .containsEntry("playbook", GateRehearsal.TYPE)
          .containsEntry("WorkflowId", "mdc-run")
          .containsKey("RunId")
          .containsEntry("ActivityType", "Notify");
      wf.abort(new dev.lifeline.workflows.playbook.AbortSignal("done", "bob"));
    } finally {
      notifierLog.detachAppender(events);
    }
  }

  @Test
  void shutdownTellsHeartbeatingActivitiesToStopAtTheirNextHeartbeat() throws Exception {
    LifelineWorker worker = worker("20s");
    store.seed("slow", 2);
    GateRehearsal wf =
        start(worker.client(), "slow-run", new RehearsalInput("slow", "alice", null, null, null, 2_000L));
    waitFor(wf, s -> s.phase().equals("Inspect slow"));
    long t0 = System.nanoTime();
    // The running activity learns of the shutdown at its next heartbeat (ActivityWorkerShutdown)
    // and stops there; nothing is left half done and the worker stops well within its grace.
    assertThat(worker.shutdown(Duration.ofSeconds(20))).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(store.calls("slow", "inspect-finished")).isZero();

    // The retry runs on the next worker and resumes from the heartbeat checkpoint; that is
    // covered per activity with their checkpoint tests, because the test server keeps handing
    // tasks to the stopped worker's sticky queue and in-flight polls for a while.
  }

  @Test
  void shutdownPastTheGracePeriodInterruptsAndSaysSo() throws Exception {
    LifelineWorker worker = worker("1s");
    store.seed("slower", 2);
    GateRehearsal wf =
        start(worker.client(), "slower-run", new RehearsalInput("slower", "alice", null, null, null, 30_000L));
    waitFor(wf, s -> s.phase().equals("Inspect slower"));
    boolean clean = worker.shutdown(Duration.ofMillis(500));
    assertThat(clean).isFalse();
    assertThat(store.calls("slower", "inspect-finished")).isZero();
  }
}
