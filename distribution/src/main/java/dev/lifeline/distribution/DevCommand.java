package dev.lifeline.distribution;

import dev.lifeline.cli.ExitCodes;
import dev.lifeline.worker.dev.DevStack;
import dev.lifeline.worker.dev.DevStackOptions;
import dev.lifeline.worker.dev.LocalTemporalServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lifeline dev}: the embedded dev stack — the Java Temporal test server on loopback and a
 * worker with every playbook — in this JVM, with no account. Prints how to connect and runs until
 * Ctrl-C.
 */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = {
      "Run everything locally in this JVM: the Java Temporal test server on 127.0.0.1 and a",
      "worker. Prints the settings that point the CLI and other tools at it. Ctrl-C stops it."
    })
final class DevCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--port", defaultValue = "7233", description = "Temporal port (default 7233; 0 picks a free port).")
  int port = DevStackOptions.DEFAULT_TEMPORAL_PORT;

  @Option(names = "--env-file", paramLabel = "FILE", description = "Also write the settings as KEY=VALUE lines for scripts.")
  Path envFile;

  @Override
  public Integer call() throws InterruptedException {
    DevStack stack;
    try {
      stack = DevStack.start(DevStackOptions.defaults().withTemporalPort(port));
    } catch (LocalTemporalServer.PortInUseException e) {
      spec.commandLine().getErr().println("lifeline: " + e.getMessage());
      return ExitCodes.FAILED;
    }
    if (envFile != null) {
      try {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : stack.environment().entrySet()) {
          b.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        Files.writeString(envFile, b.toString(), StandardCharsets.UTF_8);
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
