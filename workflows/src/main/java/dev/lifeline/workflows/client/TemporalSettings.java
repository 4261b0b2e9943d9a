package dev.lifeline.workflows.client;

import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How to reach Temporal, read from the settings the worker and the CLI share (the names the
 * {@code temporal} CLI uses): {@code TEMPORAL_ADDRESS} (default {@code 127.0.0.1:7233}),
 * {@code TEMPORAL_NAMESPACE} ({@code default}), {@code LIFELINE_TASK_QUEUE} ({@code lifeline}),
 * {@code TEMPORAL_TLS_CERT} + {@code TEMPORAL_TLS_KEY} (mTLS client certificate and key, PEM),
 * {@code TEMPORAL_TLS_CA} (server CA, PEM), {@code TEMPORAL_TLS_SERVER_NAME}, and
 * {@code TEMPORAL_API_KEY} (Temporal Cloud; implies TLS).
 *
 * @param address host:port of the frontend
 * @param namespace the namespace
 * @param taskQueue the task queue the worker polls and playbooks are started on
 * @param tlsCert client certificate (PEM), with {@code tlsKey}
 * @param tlsKey client private key (PEM, PKCS#8), with {@code tlsCert}
 * @param tlsCa CA certificate to trust for the server, if not a public CA
 * @param tlsServerName server name to verify, if it differs from the address host
 * @param apiKey Temporal Cloud API key (never printed; see {@link #toString()})
 */
public record TemporalSettings(
    String address,
    String namespace,
    String taskQueue,
    Path tlsCert,
    Path tlsKey,
    Path tlsCa,
    String tlsServerName,
    String apiKey) {

  /** Default frontend address: the local dev server. */
  public static final String DEFAULT_ADDRESS = "127.0.0.1:7233";

  /** Default namespace. */
  public static final String DEFAULT_NAMESPACE = "default";

  /** Default task queue. */
  public static final String DEFAULT_TASK_QUEUE = "lifeline";

  private static final Pattern HOST_PORT =
      Pattern.compile("^(\\[[0-9a-fA-F:]+\\]|[A-Za-z0-9._-]+):(\\d{1,5})$");

  /** Settings for the local dev server on {@code address}. */
  public static TemporalSettings local(String address) {
    return new TemporalSettings(
        address, DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE, null, null, null, null, null);
  }

  /**
   * Reads the settings through {@code lookup} (environment first, then file, as the caller
   * arranges) and adds one line per problem to {@code problems}.
   */
  public static TemporalSettings read(
      Function<String, Optional<String>> lookup, List<String> problems) {
    String address = lookup.apply("TEMPORAL_ADDRESS").orElse(DEFAULT_ADDRESS);
    var m = HOST_PORT.matcher(address);
    if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
      problems.add(
          "TEMPORAL_ADDRESS must be host:port, for example 127.0.0.1:7233 or"
              + " my-ns.a1b2c.tmprl.cloud:7233 (got \"" + address + "\")");
    }
    String namespace = lookup.apply("TEMPORAL_NAMESPACE").orElse(DEFAULT_NAMESPACE);
    String taskQueue = lookup.apply("LIFELINE_TASK_QUEUE").orElse(DEFAULT_TASK_QUEUE);
    Path cert = readablePath(lookup, "TEMPORAL_TLS_CERT", problems);
    Path key = readablePath(lookup, "TEMPORAL_TLS_KEY", problems);
    Path ca = readablePath(lookup, "TEMPORAL_TLS_CA", problems);
    boolean certGiven = lookup.apply("TEMPORAL_TLS_CERT").isPresent();
    boolean keyGiven = lookup.apply("TEMPORAL_TLS_KEY").isPresent();
    if (certGiven != keyGiven) {
      problems.add(
          (certGiven ? "TEMPORAL_TLS_KEY" : "TEMPORAL_TLS_CERT")
              + " is missing: mTLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY");
    }
    String serverName = lookup.apply("TEMPORAL_TLS_SERVER_NAME").orElse(null);
    String apiKey = lookup.apply("TEMPORAL_API_KEY").orElse(null);
    return new TemporalSettings(address, namespace, taskQueue, cert, key, ca, serverName, apiKey);
  }

  private static Path readablePath(
      Function<String, Optional<String>> lookup, String name, List<String> problems) {
    Optional<String> v = lookup.apply(name);
    if (v.isEmpty()) {
      return null;
    }
    Path p = Path.of(v.get());
    if (!Files.isReadable(p) || !Files.isRegularFile(p)) {
      problems.add(name + " points at " + p + ", which is not a readable file");
      return null;
    }
    return p;
  }

  /** Whether the connection uses TLS (mTLS files, a CA, or an API key). */
  public boolean tls() {
    return tlsCert != null || tlsCa != null || apiKey != null;
  }

  /**
   * Opens service stubs to the frontend. Lazily connected: the first call that needs the server
   * reports an unreachable one.
   */
  public WorkflowServiceStubs connect() {
    WorkflowServiceStubsOptions.Builder b = WorkflowServiceStubsOptions.newBuilder().setTarget(address);
    if (tls()) {
      b.setSslContext(sslContext());
    }
    if (tlsServerName != null) {
      String authority = tlsServerName;
      b.setChannelInitializer(channel -> channel.overrideAuthority(authority));
    }
    if (apiKey != null) {
      String key = apiKey;
      b.addApiKey(() -> key);
    }
    return WorkflowServiceStubs.newServiceStubs(b.build());
  }

  private SslContext sslContext() {
    try {
      SimpleSslContextBuilder builder;
      if (tlsCert != null && tlsKey != null) {
        try (InputStream c = Files.newInputStream(tlsCert);
            InputStream k = Files.newInputStream(tlsKey)) {
          builder = SimpleSslContextBuilder.forPKCS8(c, k);
          return configured(builder);
        }
      }
      builder = SimpleSslContextBuilder.noKeyOrCertChain();
      return configured(builder);
    } catch (IOException e) {
      throw new IllegalStateException("cannot set up TLS to " + address + ": " + e.getMessage(), e);
    }
  }

  private SslContext configured(SimpleSslContextBuilder builder) throws IOException {
    if (tlsCa != null) {
      try (InputStream ca = Files.newInputStream(tlsCa)) {
        var tmf =
            javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        var ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (var cert :
            java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(ca)) {
          ks.setCertificateEntry("ca-" + i++, cert);
        }
        tmf.init(ks);
        builder.setTrustManager(tmf.getTrustManagers()[0]);
      } catch (java.security.GeneralSecurityException e) {
        throw new IOException("TEMPORAL_TLS_CA " + tlsCa + " is not a PEM CA certificate", e);
      }
    }
    return builder.build();
  }

  /** Never shows the API key. */
  @Override
  public String toString() {
    return "TemporalSettings[address=" + address + ", namespace=" + namespace + ", taskQueue="
        + taskQueue + ", tls=" + tls() + ", mtls=" + (tlsCert != null) + ", apiKey="
        + (apiKey == null ? "none" : "****") + "]";
  }
}
