package dev.lifeline.distribution;

import dev.lifeline.cli.ExitCodes;
import dev.lifeline.worker.LifelineWorker;
import dev.lifeline.worker.config.ConfigException;
import dev.lifeline.worker.config.ConfigSource;
import dev.lifeline.worker.config.LifelineConfig;
import dev.lifeline.worker.logging.LoggingSetup;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code lifeline worker}: the production worker. Reads its settings from the environment, then
 * {@code --config FILE} (or {@code LIFELINE_CONFIG}); every bad setting is one line on standard
 * error and exit code 2. Runs until SIGTERM/SIGINT, then stops polling and lets running
 * activities finish for {@code LIFELINE_SHUTDOWN_GRACE} (default 30s). {@code --dev} runs the
 * embedded dev stack instead (same as {@code lifeline dev}).
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = {
      "Run a Lifeline worker against a Temporal server.",
      "Connects with TEMPORAL_ADDRESS etc.",
      "Requires CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID, BACKUP_R2_BUCKET, BACKUP_ENCRYPTION_KEY.",
      "Optional: SECONDARY_R2_BUCKET, D1_DATABASE_NAME, D1_DATABASE_ID, R2_ENDPOINT,",
      "R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, LIFELINE_NOTIFY_WEBHOOK, LIFELINE_SHUTDOWN_GRACE,",
      "LIFELINE_LOG_FORMAT (text|json), LIFELINE_LOG_LEVEL, TEMPORAL_TLS_*, TEMPORAL_API_KEY.",
      "Stops gracefully on SIGTERM."
    })
final class WorkerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Settings file (.properties or .yaml) read after the environment.")
  Path config;

  @Option(names = "--dev", description = "Run the embedded dev stack (Temporal test server + worker) instead.")
  boolean dev;

  @Option(names = "--check", description = "Check the settings, print them (secrets masked) and exit.")
  boolean check;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws InterruptedException {
    if (dev) {
      DevCommand d = new DevCommand();
      d.spec = spec;
      return d.call();
    }
    LifelineConfig cfg;
    try {
      cfg = LifelineConfig.load(ConfigSource.load(env, config), LifelineConfig.Requirement.PRODUCTION);
    } catch (ConfigException e) {
      for (String problem : e.problems()) {
        spec.commandLine().getErr().println("lifeline: configuration: " + problem);
      }
      spec.commandLine().getErr().flush();
      return ExitCodes.USAGE;
    }
    LoggingSetup.useFormat(cfg.logFormat());
    if (check) {
      cfg.describe().forEach((k, v) -> spec.commandLine().getOut().printf("%-26s %s%n", k, v));
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
    LifelineWorker worker = LifelineWorker.start(cfg);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  worker.shutdown(cfg.shutdownGrace());
                  stopped.countDown();
                },
                "lifeline-shutdown"));
    stopped.await();
    return ExitCodes.OK;
  }
}
