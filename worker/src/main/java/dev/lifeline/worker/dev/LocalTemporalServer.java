package dev.lifeline.worker.dev;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The Java Temporal test server ({@code io.temporal:temporal-test-server}) running in this JVM
 * on a loopback port, with real time (time skipping locked). It supports signals, queries,
 * updates, child workflows, timers and continue-as-new; it does not support Schedules or
 * visibility list queries, which Lifeline works around where it needs them.
 */
public final class LocalTemporalServer implements AutoCloseable {
  private final TestServicesStarter services;
  private final Server server;

  private LocalTemporalServer(TestServicesStarter services, Server server) {
    this.services = services;
    this.server = server;
  }

  /**
   * Starts the server on {@code host:port} ({@code port} 0 picks a free port).
   *
   * @throws PortInUseException when the port is taken
   */
  public static LocalTemporalServer start(String host, int port) {
    TestServicesStarter services = new TestServicesStarter(true, 0);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port));
    java.util.List<BindableService> list = services.getServices();
    GRPCServerHelper.registerServicesAndHealthChecks(list, builder);
    try {
      Server server = builder.build().start();
      return new LocalTemporalServer(services, server);
    } catch (IOException e) {
      services.close();
      if (e instanceof BindException || e.getCause() instanceof BindException) {
        throw new PortInUseException(host, port);
      }
      throw new IllegalStateException("cannot start the local Temporal server: " + e.getMessage(), e);
    }
  }

  /** The host:port clients connect to. */
  public String address() {
    InetSocketAddress a = (InetSocketAddress) server.getListenSockets().get(0);
    return a.getHostString() + ":" + a.getPort();
  }

  /** The port bound. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    services.close();
  }

  /** The port is taken, most likely by another dev stack or a Temporal server. */
  public static final class PortInUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PortInUseException(String host, int port) {
      super(
          host + ":" + port + " is already in use (another `lifeline dev` or a Temporal server?)."
              + " Stop it, or pick another port with --port (0 picks a free one).",
          null,
          false,
          false);
    }
  }
}
