package dev.lifeline.worker.dev;

import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.worker.LifelineWorker;
import java.nio.file.Path;
import java.util.Map;

/**
 * How to start the embedded dev stack.
 *
 * @param host the loopback address to bind (default 127.0.0.1)
 * @param temporalPort the Temporal port (default 7233; 0 picks a free port, as tests do)
 * @param environment settings (normally the process environment) layered under the stack's own
 * @param extras extra workflow and activity implementations to register (tests)
 * @param dataDirectory where the sandbox keeps its account; null for a temporary one
 * @param sample how much sample data to seed into a new sandbox account
 */
public record DevStackOptions(
    String host,
    int temporalPort,
    Map<String, String> environment,
    LifelineWorker.Extras extras,
    Path dataDirectory,
    MonoTaskAccount.Options sample) {

  /** The default port of a Temporal frontend. */
  public static final int DEFAULT_TEMPORAL_PORT = 7233;

  /** The seed of the sample account, so every dev stack starts from the same data. */
  public static final long SAMPLE_SEED = 42;

  /** Defaults: 127.0.0.1:7233, the process environment, a temporary tiny sample account. */
  public static DevStackOptions defaults() {
    return new DevStackOptions(
        "127.0.0.1",
        DEFAULT_TEMPORAL_PORT,
        System.getenv(),
        LifelineWorker.Extras.none(),
        null,
        MonoTaskAccount.Options.tiny(SAMPLE_SEED));
  }

  /** Ephemeral ports, an empty environment and a tiny temporary account: what tests use. */
  public static DevStackOptions forTests(LifelineWorker.Extras extras) {
    return new DevStackOptions(
        "127.0.0.1", 0, Map.of(), extras, null, MonoTaskAccount.Options.tiny(SAMPLE_SEED));
  }

  /** This with another Temporal port. */
  public DevStackOptions withTemporalPort(int port) {
    return new DevStackOptions(host, port, environment, extras, dataDirectory, sample);
  }

  /** This with a persistent data directory. */
  public DevStackOptions withDataDirectory(Path dir) {
    return new DevStackOptions(host, temporalPort, environment, extras, dir, sample);
  }

  /** This with another amount of sample data. */
  public DevStackOptions withSample(MonoTaskAccount.Options sample) {
    return new DevStackOptions(host, temporalPort, environment, extras, dataDirectory, sample);
  }
}
