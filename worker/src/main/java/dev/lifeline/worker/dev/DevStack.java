package dev.lifeline.worker.dev;

import dev.lifeline.worker.LifelineWorker;
import dev.lifeline.worker.config.ConfigSource;
import dev.lifeline.worker.config.LifelineConfig;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything Lifeline needs on a laptop, in one JVM and without any account: the Java Temporal
 * test server on loopback, then a worker connected to it with every playbook registered.
 * {@link #connectionHelp()} says how to point the CLI and other tools at it.
 */
public final class DevStack implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DevStack.class);

  private final LocalTemporalServer temporal;
  private final LifelineWorker worker;
  private final LifelineConfig config;

  private DevStack(LocalTemporalServer temporal, LifelineWorker worker, LifelineConfig config) {
    this.temporal = temporal;
    this.worker = worker;
    this.config = config;
  }

  /** Starts the stack; {@link #close()} stops it. */
  public static DevStack start(DevStackOptions options) {
    LocalTemporalServer temporal = LocalTemporalServer.start(options.host(), options.temporalPort());
    try {
      Map<String, String> env = new HashMap<>(options.environment());
      env.put("TEMPORAL_ADDRESS", temporal.address());
      env.putIfAbsent("LIFELINE_SHUTDOWN_GRACE", "10s");
      // Cloudflare settings are not required here: a later step points them at the sandbox.
      LifelineConfig config = LifelineConfig.load(ConfigSource.of(env), LifelineConfig.Requirement.DEV);
      LifelineWorker worker =
          LifelineWorker.start(config, config.temporal().connect(), true, options.extras());
      log.info("dev stack up: Temporal test server at {}", temporal.address());
      return new DevStack(temporal, worker, config);
    } catch (RuntimeException e) {
      temporal.close();
      throw e;
    }
  }

  /** host:port of the embedded Temporal server. */
  public String temporalAddress() {
    return temporal.address();
  }

  /** The namespace the worker polls. */
  public String namespace() {
    return config.temporal().namespace();
  }

  /** The task queue the worker polls. */
  public String taskQueue() {
    return worker.taskQueue();
  }

  /** A client on the stack's Temporal server. */
  public WorkflowClient client() {
    return worker.client();
  }

  /** The settings that point the CLI and other tools at this stack. */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("TEMPORAL_ADDRESS", temporalAddress());
    env.put("TEMPORAL_NAMESPACE", namespace());
    env.put("LIFELINE_TASK_QUEUE", taskQueue());
    return env;
  }

  /** What to print for a person: where things are and how to use them. */
  public String connectionHelp() {
    StringBuilder b = new StringBuilder();
    b.append("Lifeline dev stack is running.\n\n");
    b.append("  Temporal (Java test server): ").append(temporalAddress())
        .append("  namespace ").append(namespace()).append("  task queue ").append(taskQueue())
        .append('\n');
    b.append("\nPoint the CLI (from another terminal) or the temporal CLI at it:\n\n");
    for (Map.Entry<String, String> e : environment().entrySet()) {
      b.append("  export ").append(e.getKey()).append('=').append(e.getValue()).append('\n');
    }
    b.append("\nThen, for example:\n\n");
    b.append("  ./lifeline list\n");
    b.append("  ./lifeline status <workflow-id>\n");
    b.append("  temporal workflow list --address ").append(temporalAddress())
        .append("   (the test server has no visibility queries: `lifeline list` falls back)\n");
    b.append("\nThe Temporal Web UI needs a real Temporal server (docker compose up); the test server"
        + " has no Schedules and no visibility queries.\n");
    b.append("Press Ctrl-C to stop.\n");
    return b.toString();
  }

  /** Stops the worker (letting running activities finish briefly), then the server. */
  @Override
  public void close() {
    try {
      worker.shutdown(Duration.ofSeconds(10));
    } finally {
      temporal.close();
    }
  }
}
