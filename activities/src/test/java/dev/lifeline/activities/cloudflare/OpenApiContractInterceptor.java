package dev.lifeline.activities.cloudflare;

import dev.lifeline.sandbox.OpenApiContract;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * An okhttp application interceptor that checks every answer of the sandbox's REST emulator
 * against the OpenAPI subset (the sandbox's own {@link OpenApiContract}, from its test-jar) and
 * records every request the client sends, for assertions about retries, ranges and headers.
 *
 * <p>What is validated: every answer to a request below the API base path ({@code /client/v4}),
 * success or failure. Skipped, because they are not JSON envelopes by design: signed-URL downloads
 * and uploads (below {@code /__sandbox/}), raw KV values (a 2xx answer to {@code GET .../values/{key}};
 * its error answers are envelopes and are validated), and WAF challenge pages
 * ({@code cf-mitigated: challenge}). Any other API answer that is not JSON is itself a violation.
 *
 * <p>A violation throws {@link AssertionError} on the calling thread (okhttp runs application
 * interceptors there for {@code execute()}), which fails the test; violations are also kept so that
 * {@link ContractCheckedSandbox#close()} fails the class if client code ever swallowed one.
 */
final class OpenApiContractInterceptor implements Interceptor {
  private static final String KV_VALUE =
      "/accounts/{account_id}/storage/kv/namespaces/{namespace_id}/values/{key_name}";

  /** One request as the client sent it, and the status it got (0 when no answer arrived). */
  record SentRequest(String method, String path, String range, boolean authorization, int status) {
    /** A download or upload through a signed URL rather than an API call. */
    boolean signedUrl() {
      return path.startsWith("/__sandbox/");
    }
  }

  private final String apiBasePath;
  private final AtomicInteger validated = new AtomicInteger();
  private final AtomicInteger skipped = new AtomicInteger();
  private final List<AssertionError> violations = new CopyOnWriteArrayList<>();
  private final List<SentRequest> sent = new CopyOnWriteArrayList<>();

  OpenApiContractInterceptor(String apiBasePath) {
    this.apiBasePath = apiBasePath.endsWith("/") ? apiBasePath.substring(0, apiBasePath.length() - 1) : apiBasePath;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    String path = request.url().encodedPath();
    Response response;
    try {
      response = chain.proceed(request);
    } catch (IOException e) {
      sent.add(record(request, path, 0));
      throw e;
    }
    sent.add(record(request, path, response.code()));
    if (!path.startsWith(apiBasePath + "/")) {
      skipped.incrementAndGet(); // a signed URL: SQL text or an S3-style XML error, not an envelope
      return response;
    }
    String operationPath = path.substring(apiBasePath.length());
    String method = request.method();
    if (response.isSuccessful()
        && "GET".equals(method)
        && KV_VALUE.equals(OpenApiContract.template(method, operationPath))) {
      skipped.incrementAndGet(); // the raw bytes of a KV value
      return response;
    }
    if ("challenge".equalsIgnoreCase(response.header("cf-mitigated"))) {
      skipped.incrementAndGet(); // a WAF challenge page is HTML on purpose
      return response;
    }
    String contentType = response.header("Content-Type");
    byte[] body = response.peekBody(Long.MAX_VALUE).bytes();
    try {
      if (contentType == null || !contentType.toLowerCase(Locale.ROOT).contains("json")) {
        throw new AssertionError(method + " " + operationPath + " -> " + response.code()
            + ": answered " + contentType + " instead of a JSON envelope");
      }
      OpenApiContract.check(method, operationPath, response.code(), contentType, body);
      validated.incrementAndGet();
      return response;
    } catch (AssertionError e) {
      violations.add(e);
      response.close();
      throw e;
    }
  }

  private static SentRequest record(Request request, String path, int status) {
    return new SentRequest(request.method(), path, request.header("Range"),
        request.header("Authorization") != null, status);
  }

  /** Answers that passed validation. */
  int validated() {
    return validated.get();
  }

  /** Answers that were not envelopes by design (signed URLs, raw KV values, WAF pages). */
  int skipped() {
    return skipped.get();
  }

  /** Every violation seen, including any a caller might have swallowed. */
  List<AssertionError> violations() {
    return List.copyOf(violations);
  }

  /** Every request sent so far, in order. */
  List<SentRequest> sent() {
    return new ArrayList<>(sent);
  }

  /** Forgets the recorded requests (not the violations). */
  void clearSent() {
    sent.clear();
  }
}
