package dev.lifeline.worker.dev;

import dev.lifeline.worker.LifelineWorker;
import java.util.List;
import java.util.Map;

/**
 * How to start the embedded dev stack.
 *
 * @param host the loopback address to bind (default 127.0.0.1)
 * @param temporalPort the Temporal port (default 7233; 0 picks a free port, as tests do)
 * @param environment settings (normally the process environment) layered under the stack's own
 * @param extras extra workflow and activity implementations to register (tests)
 */
public record DevStackOptions(
    String host, int temporalPort, Map<String, String> environment, LifelineWorker.Extras extras) {

  /** The default port of a Temporal frontend. */
  public static final int DEFAULT_TEMPORAL_PORT = 7233;

  /** Defaults: 127.0.0.1:7233, the process environment, nothing extra. */
  public static DevStackOptions defaults() {
    return new DevStackOptions("127.0.0.1", DEFAULT_TEMPORAL_PORT, System.getenv(), LifelineWorker.Extras.none());
  }

  /** Ephemeral ports and an empty environment: what tests use. */
  public static DevStackOptions forTests(LifelineWorker.Extras extras) {
    return new DevStackOptions("127.0.0.1", 0, Map.of(), extras);
  }

  /** This with another port. */
  public DevStackOptions withTemporalPort(int port) {
    return new DevStackOptions(host, port, environment, extras);
  }

  /** Extra registrations as a list, never null. */
  public List<Class<?>> extraWorkflows() {
    return extras == null ? List.of() : extras.workflowImplementations();
  }
}
