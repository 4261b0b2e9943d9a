package dev.lifeline.distribution;

import dev.lifeline.cli.ExitCodes;
import dev.lifeline.worker.dev.DevStack;
import dev.lifeline.worker.dev.DevStackOptions;
import dev.lifeline.worker.dev.LocalTemporalServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lifeline dev}: the embedded dev stack — the Java Temporal test server on loopback, the
 * sandbox Cloudflare account with the MonoTask sample data, and a worker with every playbook — in
 * this JVM, with no account. Prints how to connect and runs until Ctrl-C.
 */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = {
      "Run Temporal, a sandbox Cloudflare account and a worker locally in this JVM.",
      "The Java Temporal test server on 127.0.0.1, the",
      "sandbox Cloudflare account (D1 on real SQLite files, KV, Workers, R2 on a real S3 server)",
      "seeded with the MonoTask sample data, and a worker. Prints the settings that point the CLI",
      "and Cloudflare tools at it. Ctrl-C stops it."
    })
final class DevCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--port", defaultValue = "7233", description = "Temporal port (default 7233; 0 picks a free port).")
  int port = DevStackOptions.DEFAULT_TEMPORAL_PORT;

  @Option(names = "--env-file", paramLabel = "FILE", description = "Also write the settings (with the dev backup key) as KEY=VALUE lines for scripts.")
  Path envFile;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Keep the sandbox account here across runs (default: a temporary directory).")
  Path dataDir;

  @Option(names = "--size", defaultValue = "tiny", paramLabel = "SIZE", description = "Sample data: tiny (default), small, or a number of tasks.")
  String size = "tiny";

  @Override
  public Integer call() throws InterruptedException {
    DevStackOptions options =
        DevStackOptions.defaults().withTemporalPort(port).withSample(SampleSize.parse(size));
    if (dataDir != null) {
      options = options.withDataDirectory(dataDir);
    }
    DevStack stack;
    try {
      stack = DevStack.start(options);
    } catch (LocalTemporalServer.PortInUseException e) {
      spec.commandLine().getErr().println("lifeline: " + e.getMessage());
      return ExitCodes.FAILED;
    }
    if (envFile != null) {
      try {
        EnvFiles.write(envFile, stack.environment());
      } catch (IOException e) {
        stack.close();
        spec.commandLine().getErr().println("lifeline: cannot write --env-file " + envFile + ": " + e.getMessage());
        return ExitCodes.FAILED;
      }
    }
    spec.commandLine().getOut().print(stack.connectionHelp());
    spec.commandLine().getOut().flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stack.close();
                  stopped.countDown();
                },
                "lifeline-dev-shutdown"));
    stopped.await();
    return ExitCodes.OK;
  }
}
