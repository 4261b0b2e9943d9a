package dev.lifeline.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Starts a sandbox with the sample MonoTask account and prints its environment, for manual use:
 * {@code java -cp ... dev.lifeline.sandbox.SandboxMain [data-dir] [tasks] [seed]}. Ports are
 * ephemeral unless {@code SANDBOX_API_PORT} / {@code SANDBOX_S3_PORT} are set. Runs until killed.
 * A data directory that already holds the account is reused as it is. The environment is also
 * written to {@code sandbox.env} in the data directory (owner-readable only), so scripts can
 * source it even when logging shares standard output.
 */
public final class SandboxMain {
    private SandboxMain() {
    }

    /** Entry point. */
    public static void main(String[] args) throws InterruptedException, IOException {
        SandboxOptions.Builder options = SandboxOptions.builder();
        if (args.length > 0) {
            options.dataDirectory(Path.of(args[0]));
        }
        String apiPort = System.getenv("SANDBOX_API_PORT");
        String s3Port = System.getenv("SANDBOX_S3_PORT");
        if (apiPort != null) {
            options.apiPort(Integer.parseInt(apiPort));
        }
        if (s3Port != null) {
            options.s3Port(Integer.parseInt(s3Port));
        }
        int tasks = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;
        CloudflareSandbox sandbox = CloudflareSandbox.start(options.build());
        Runtime.getRuntime().addShutdownHook(new Thread(sandbox::close, "sandbox-shutdown"));
        if (sandbox.account().findD1Database(MonoTaskAccount.DATABASE).isEmpty()) {
            MonoTaskAccount.create(sandbox, MonoTaskAccount.Options.tasks(tasks, seed));
        }
        // Printing the environment is the point of this command: it is for a developer's shell.
        StringBuilder env = new StringBuilder();
        for (Map.Entry<String, String> e : sandbox.environment().entrySet()) {
            env.append("export ").append(e.getKey()).append("='").append(e.getValue()).append("'\n");
        }
        Path file = sandbox.dataDirectory().resolve("sandbox.env");
        Files.writeString(file, env);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX filesystem: the file keeps the directory's default permissions.
        }
        System.out.print(env);
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
