package dev.lifeline.worker;

import dev.lifeline.worker.config.LifelineConfig;
import dev.lifeline.worker.logging.PlaybookMdcInterceptor;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Lifeline worker: connected to Temporal, polling the task queue, with every playbook
 * and activity registered. {@link #shutdown(Duration)} stops polling and lets running activities
 * finish (or, past the grace period, interrupts them; their heartbeats time out and Temporal
 * retries them on another worker from their last checkpoint).
 */
public final class LifelineWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LifelineWorker.class);

  private final WorkflowServiceStubs service;
  private final boolean ownsService;
  private final WorkflowClient client;
  private final WorkerFactory factory;
  private final Worker worker;
  private final boolean searchAttributes;
  private final Duration grace;
  private final dev.lifeline.activities.env.Backends backends;

  private LifelineWorker(
      WorkflowServiceStubs service,
      boolean ownsService,
      WorkflowClient client,
      WorkerFactory factory,
      Worker worker,
      boolean searchAttributes,
      Duration grace,
      dev.lifeline.activities.env.Backends backends) {
    this.service = service;
    this.ownsService = ownsService;
    this.client = client;
    this.factory = factory;
    this.worker = worker;
    this.searchAttributes = searchAttributes;
    this.grace = grace;
    this.backends = backends;
  }

  /** What to register besides the playbooks (tests and the dev stack add their own). */
  public record Extras(List<Class<?>> workflowImplementations, List<Object> activities) {
    /** Nothing extra. */
    public static Extras none() {
      return new Extras(List.of(), List.of());
    }
  }

  /** Connects with {@code config}'s Temporal settings and starts polling. */
  public static LifelineWorker start(LifelineConfig config) {
    return start(config, config.temporal().connect(), true, Extras.none());
  }

  /**
   * Starts a worker on {@code service}.
   *
   * @param ownsService whether {@link #close()} shuts the service stubs down
   */
  public static LifelineWorker start(
      LifelineConfig config, WorkflowServiceStubs service, boolean ownsService, Extras extras) {
    String namespace = config.temporal().namespace();
    boolean sa = SearchAttributeRegistrar.ensureRegistered(service, namespace);
    WorkflowClient client =
        WorkflowClient.newInstance(
            service, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
    WorkerFactory factory =
        WorkerFactory.newInstance(
            client,
            WorkerFactoryOptions.newBuilder()
                .setWorkerInterceptors(new PlaybookMdcInterceptor())
                .build());
    Worker worker =
        factory.newWorker(
            config.temporal().taskQueue(),
            WorkerOptions.newBuilder()
                .setMaxConcurrentActivityExecutionSize(16)
                .setDefaultHeartbeatThrottleInterval(Duration.ofSeconds(5))
                .build());
    List<Class<?>> workflows = new ArrayList<>(Playbooks.workflowImplementations());
    workflows.addAll(extras.workflowImplementations());
    if (!workflows.isEmpty()) {
      worker.registerWorkflowImplementationTypes(workflows.toArray(new Class<?>[0]));
    }
    dev.lifeline.activities.env.Backends backends = Playbooks.backends(config);
    List<Object> activities = new ArrayList<>(Playbooks.activities(config, backends));
    activities.add(new ConnectedWorkerEnvironment(sa, config.temporal().address()));
    activities.addAll(extras.activities());
    worker.registerActivitiesImplementations(activities.toArray());
    factory.start();
    log.info(
        "worker polling task queue {} in namespace {} at {} ({} playbook type(s), search attributes {})",
        config.temporal().taskQueue(),
        namespace,
        config.temporal().address(),
        workflows.size(),
        sa ? "registered" : "unavailable");
    return new LifelineWorker(service, ownsService, client, factory, worker, sa, config.shutdownGrace(), backends);
  }

  /** The client on the worker's connection. */
  public WorkflowClient client() {
    return client;
  }

  /** The task queue polled. */
  public String taskQueue() {
    return worker.getTaskQueue();
  }

  /** Whether the Lifeline search attributes are registered. */
  public boolean searchAttributes() {
    return searchAttributes;
  }

  /**
   * Stops polling, waits up to {@code grace} for running tasks, then interrupts what is left.
   *
   * @return true when everything finished within the grace period
   */
  public boolean shutdown(Duration grace) {
    log.info("worker stopping: no new tasks; waiting up to {} for running activities", grace);
    factory.shutdown();
    factory.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    boolean clean = factory.isTerminated();
    if (!clean) {
      log.warn(
          "activities still running after {}; interrupting them. Temporal retries them from their"
              + " last heartbeat checkpoint once their heartbeat times out",
          grace);
      factory.shutdownNow();
      factory.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (ownsService) {
      service.shutdown();
      service.awaitTermination(5, TimeUnit.SECONDS);
    }
    backends.close();
    log.info("worker stopped{}", clean ? "" : " (some activities were interrupted)");
    return clean;
  }

  /** Shuts down with the configured grace period. */
  @Override
  public void close() {
    shutdown(grace);
  }
}
