package dev.lifeline.distribution;

import dev.lifeline.cli.ExitCodes;
import dev.lifeline.sandbox.CloudflareSandbox;
import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.sandbox.SandboxOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lifeline sandbox}: the sandbox Cloudflare account on its own (no Temporal, no worker),
 * for trying Cloudflare tools or a separately run worker against it.
 */
@Command(
    name = "sandbox",
    mixinStandardHelpOptions = true,
    description = {
      "Run only the sandbox Cloudflare account with sample data.",
      "The REST API emulator + S3 server for R2, with the",
      "MonoTask sample data, and print the settings that point tools at it. Ctrl-C stops it."
    })
final class SandboxCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Keep the account here across runs (default: temporary).")
  Path dataDir;

  @Option(names = "--size", defaultValue = "tiny", paramLabel = "SIZE", description = "Sample data: tiny (default), small, or a number of tasks.")
  String size = "tiny";

  @Option(names = "--api-port", defaultValue = "0", description = "REST API port (default: a free one).")
  int apiPort;

  @Option(names = "--s3-port", defaultValue = "0", description = "S3 port (default: a free one).")
  int s3Port;

  @Option(names = "--env-file", paramLabel = "FILE", description = "Also write the settings as KEY=VALUE lines.")
  Path envFile;

  @Override
  public Integer call() throws InterruptedException {
    SandboxOptions.Builder b = SandboxOptions.builder().apiPort(apiPort).s3Port(s3Port);
    if (dataDir != null) {
      b.dataDirectory(dataDir);
    }
    MonoTaskAccount.Options sample = SampleSize.parse(size);
    CloudflareSandbox sandbox = CloudflareSandbox.start(b.build());
    if (sandbox.account().findD1Database(MonoTaskAccount.DATABASE).isEmpty()) {
      MonoTaskAccount.create(sandbox, sample);
    }
    if (envFile != null) {
      try {
        EnvFiles.write(envFile, sandbox.environment());
      } catch (IOException e) {
        sandbox.close();
        spec.commandLine().getErr().println("lifeline: cannot write --env-file " + envFile + ": " + e.getMessage());
        return ExitCodes.FAILED;
      }
    }
    var out = spec.commandLine().getOut();
    out.println("Sandbox Cloudflare account is running (data in " + sandbox.dataDirectory() + ").\n");
    for (Map.Entry<String, String> e : sandbox.environment().entrySet()) {
      out.println("export " + e.getKey() + "='" + e.getValue() + "'");
    }
    out.println("\nPress Ctrl-C to stop.");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> {
          sandbox.close();
          stopped.countDown();
        }, "lifeline-sandbox-shutdown"));
    stopped.await();
    return ExitCodes.OK;
  }
}
