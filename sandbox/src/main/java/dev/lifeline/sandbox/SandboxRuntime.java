package dev.lifeline.sandbox;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the sandbox's parts share: options, data directory, bookkeeping store, clock, threads. */
final class SandboxRuntime {
    final SandboxOptions options;
    final Path dataDir;
    final ControlStore store;
    final Logger log = LoggerFactory.getLogger(CloudflareSandbox.class);
    final FaultInjector faults = new FaultInjector();
    final ExecutorService jobs;
    final ScheduledExecutorService ticker;
    final SignedUrls signedUrls;
    volatile String publicOrigin; // http://127.0.0.1:PORT of the REST emulator

    SandboxRuntime(SandboxOptions options, Path dataDir, ControlStore store) {
        this.options = options;
        this.dataDir = dataDir;
        this.store = store;
        AtomicInteger n = new AtomicInteger();
        this.jobs = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sandbox-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sandbox-ticker");
            t.setDaemon(true);
            return t;
        });
        this.signedUrls = new SignedUrls(this);
    }

    Instant now() {
        return options.clock().instant();
    }
}
