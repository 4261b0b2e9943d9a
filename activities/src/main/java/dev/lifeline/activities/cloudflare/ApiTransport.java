package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP core shared by the sub-APIs: builds account-scoped URLs, spends request budget, sends,
 * retries what is safe to retry, maps the envelope and failures to typed results and exceptions.
 *
 * <p>The API token is added as a header here and nowhere else; it is never logged (only method,
 * path, status and timing are), never part of an exception, and never sent to signed URLs, which go
 * through {@link #transferClient()} instead.
 */
final class ApiTransport {
  private static final Logger log = LoggerFactory.getLogger(CloudflareClient.class);
  static final MediaType JSON = MediaType.get("application/json");

  private final CloudflareClientOptions options;
  private final OkHttpClient api;
  private final OkHttpClient transfer;
  private final ObjectMapper json;
  private final HttpUrl accountUrl;

  ApiTransport(CloudflareClientOptions options) {
    this.options = options;
    OkHttpClient base = options.httpClient() != null ? options.httpClient() : new OkHttpClient();
    // okhttp's own silent retry would re-send a POST after a connection failure mid-request; the
    // decision to repeat a request belongs to the idempotency-aware loop below.
    this.api =
        base.newBuilder()
            .retryOnConnectionFailure(false)
            .connectTimeout(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .readTimeout(options.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .writeTimeout(options.writeTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .build();
    this.transfer = api.newBuilder().followRedirects(true).build();
    this.json =
        new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    this.accountUrl =
        options.baseUrl().newBuilder().addPathSegment("accounts").addPathSegment(options.accountId())
            .build();
  }

  CloudflareClientOptions options() {
    return options;
  }

  ObjectMapper json() {
    return json;
  }

  /** The okhttp client for signed URLs: no auth header, no budget, same pool. */
  OkHttpClient transferClient() {
    return transfer;
  }

  /** A URL builder positioned at {@code {base}/accounts/{account_id}}, plus the given segments. */
  HttpUrl.Builder url(String... segments) {
    HttpUrl.Builder b = accountUrl.newBuilder();
    for (String s : segments) {
      b.addPathSegment(s);
    }
    return b;
  }

  /** A request body holding {@code value} serialized as JSON (repeatable, so retries can resend). */
  RequestBody jsonBody(Object value) {
    try {
      return RequestBody.create(json.writeValueAsBytes(value), JSON);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialize request body: " + e.getMessage(), e);
    }
  }

  /** One API request. */
  record Call(
      String method,
      HttpUrl url,
      RequestBody body,
      Idempotency idempotency,
      Map<String, String> headers,
      boolean expectJson) {

    static Call get(HttpUrl url) {
      return new Call("GET", url, null, Idempotency.IDEMPOTENT, Map.of(), true);
    }

    static Call of(String method, HttpUrl url, RequestBody body, Idempotency idempotency) {
      return new Call(method, url, body, idempotency, Map.of(), true);
    }

    /** A call whose successful answer is raw bytes (a KV value), not an envelope. */
    static Call raw(String method, HttpUrl url, RequestBody body, Idempotency idempotency) {
      return new Call(method, url, body, idempotency, Map.of(), false);
    }

    String path() {
      return url.encodedPath();
    }
  }

  /** A successful (2xx) answer, body fully read. */
  record Reply(int status, Headers headers, byte[] body) {}

  /** The parsed envelope of a successful answer. */
  record Envelope(
      boolean success,
      List<ApiError> errors,
      List<ApiError> messages,
      JsonNode result,
      ResultInfo resultInfo,
      int status) {}

  /** Sends {@code call} and returns the parsed envelope; failures become exceptions. */
  Envelope envelope(Call call) {
    Reply reply = send(call);
    if (reply.body().length == 0) {
      // 204/205 or an empty 200: success with no result, as wrangler treats it.
      return new Envelope(true, List.of(), List.of(), NullNode.getInstance(), null, reply.status());
    }
    Envelope env = parseEnvelope(call, reply.status(), reply.headers(), reply.body());
    if (!env.success()) {
      throw mapFailure(call, reply.status(), reply.headers(), reply.body());
    }
    return env;
  }

  /** Sends {@code call} and converts {@code result} to {@code type}. */
  <T> T result(Call call, Class<T> type) {
    return convert(envelope(call).result(), type);
  }

  <T> T convert(JsonNode node, Class<T> type) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    try {
      return json.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unexpected result shape for " + type.getSimpleName(), e);
    }
  }

  <T> T convert(JsonNode node, JavaType type) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    try {
      return json.readerFor(type).readValue(node);
    } catch (IOException e) {
      throw new IllegalStateException("unexpected result shape for " + type, e);
    }
  }

  /**
   * Sends {@code call} with budget and retries, returning the first 2xx answer. Every other outcome
   * becomes a {@link CloudflareApiException}: immediately when it is not worth or not safe to retry,
   * otherwise after the retry policy is exhausted.
   */
  Reply send(Call call) {
    RetryPolicy policy = options.retryPolicy();
    long start = options.clock().millis();
    int attempt = 0;
    while (true) {
      attempt++;
      CloudflareApiException failure;
      boolean safeToRepeat;
      try {
        options.requestBudget().acquire();
        long t0 = System.nanoTime();
        try (Response response = api.newCall(toRequest(call)).execute()) {
          ResponseBody body = response.body();
          byte[] bytes = body == null ? new byte[0] : body.bytes();
          log.debug(
              "{} {} -> HTTP {} in {} ms (attempt {})",
              call.method(),
              call.path(),
              response.code(),
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
              attempt);
          boolean blocked =
              call.expectJson() ? isHtml(response.headers()) : isChallenge(response.headers());
          if (response.isSuccessful() && !blocked) {
            return new Reply(response.code(), response.headers(), bytes);
          }
          failure = mapFailure(call, response.code(), response.headers(), bytes);
          // 429 means "not executed"; a 5xx may have been executed, so only idempotent calls go again.
          safeToRepeat =
              failure instanceof CloudflareRateLimitedException
                  || (failure instanceof CloudflareServerException
                      && call.idempotency() == Idempotency.IDEMPOTENT);
        }
      } catch (IOException e) {
        boolean notSent = certainlyNotSent(e);
        boolean repeatable = notSent || call.idempotency() == Idempotency.IDEMPOTENT;
        log.debug(
            "{} {} failed without an answer (attempt {}): {}",
            call.method(),
            call.path(),
            attempt,
            e.toString());
        failure =
            new CloudflareTransportException(
                (notSent ? "Could not connect to the Cloudflare API" : "No answer from the Cloudflare API")
                    + " ("
                    + e.getClass().getSimpleName()
                    + ")"
                    + (repeatable ? "" : "; the request may have been executed, check before repeating it"),
                call.method(),
                call.path(),
                repeatable,
                !notSent && call.idempotency() != Idempotency.IDEMPOTENT,
                e);
        safeToRepeat = repeatable;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CloudflareTransportException(
            "Interrupted before sending", call.method(), call.path(), true, false, e);
      }

      if (!safeToRepeat || attempt >= policy.maxAttempts()) {
        throw failure;
      }
      Duration wait =
          failure.retryAfter().isPresent()
              ? policy.serverWait(failure.retryAfter().get(), options.random().getAsDouble())
              : policy.backoff(attempt, options.random().getAsDouble());
      long elapsedAfterWait = options.clock().millis() - start + wait.toMillis();
      if (elapsedAfterWait > policy.maxElapsed().toMillis()) {
        throw failure;
      }
      log.debug(
          "Retrying {} {} in {} ms after: {}",
          call.method(),
          call.path(),
          wait.toMillis(),
          failure.getMessage());
      try {
        options.sleeper().sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure.addSuppressed(e);
        throw failure;
      }
    }
  }

  private Request toRequest(Call call) {
    Request.Builder b =
        new Request.Builder()
            .url(call.url())
            .header("Authorization", "Bearer " + options.apiToken().reveal())
            .header("User-Agent", options.userAgent())
            .header("Accept", "application/json");
    call.headers().forEach(b::header);
    RequestBody body = call.body();
    if (body == null && ("POST".equals(call.method()) || "PUT".equals(call.method()))) {
      body = RequestBody.create(new byte[0], null);
    }
    return b.method(call.method(), body).build();
  }

  /** Connection refused, no route or DNS failure: nothing reached the server. */
  static boolean certainlyNotSent(IOException e) {
    if (e instanceof ConnectException
        || e instanceof NoRouteToHostException
        || e instanceof UnknownHostException) {
      return true;
    }
    return e instanceof SocketTimeoutException
        && e.getMessage() != null
        && e.getMessage().toLowerCase(Locale.ROOT).contains("connect");
  }

  static boolean isChallenge(Headers headers) {
    String mitigated = headers.get("cf-mitigated");
    return mitigated != null && mitigated.equalsIgnoreCase("challenge");
  }

  static boolean isHtml(Headers headers) {
    if (isChallenge(headers)) {
      return true;
    }
    String type = headers.get("Content-Type");
    return type != null && type.toLowerCase(Locale.ROOT).startsWith("text/html");
  }

  private Envelope parseEnvelope(Call call, int status, Headers headers, byte[] body) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (IOException e) {
      throw new CloudflareApiException(
          "Answer is not JSON: " + snippet(body), status, List.of(), call.method(), call.path(),
          false, false, e);
    }
    if (root == null || !root.isObject()) {
      throw new CloudflareApiException(
          "Answer is not a Cloudflare envelope: " + snippet(body), status, List.of(),
          call.method(), call.path(), false, false, null);
    }
    JsonNode successNode = root.get("success");
    boolean success = successNode == null ? status < 400 : successNode.asBoolean(false);
    ResultInfo info = null;
    JsonNode infoNode = root.get("result_info");
    if (infoNode != null && infoNode.isObject()) {
      info = convert(infoNode, ResultInfo.class);
    }
    return new Envelope(
        success,
        errors(root.get("errors")),
        errors(root.get("messages")),
        root.has("result") ? root.get("result") : NullNode.getInstance(),
        info,
        status);
  }

  private List<ApiError> errors(JsonNode node) {
    List<ApiError> out = new ArrayList<>();
    if (node == null || !node.isArray()) {
      return out;
    }
    for (JsonNode e : node) {
      if (e.isTextual()) {
        out.add(ApiError.of(0, e.asText()));
      } else if (e.isObject()) {
        try {
          out.add(json.treeToValue(e, ApiError.class));
        } catch (JsonProcessingException ex) {
          out.add(ApiError.of(e.path("code").asInt(0), e.path("message").asText("")));
        }
      }
    }
    return out;
  }

  /** Turns a non-successful answer into the matching exception. Never reads headers into text. */
  CloudflareApiException mapFailure(Call call, int status, Headers headers, byte[] body) {
    String method = call.method();
    String path = call.path();
    if (isHtml(headers)) {
      boolean challenge = isChallenge(headers);
      return new CloudflareBlockedException(
          challenge
              ? "Blocked by a Cloudflare WAF challenge (cf-mitigated: challenge); allow-list this"
                  + " worker's address or relax the rule"
              : "Got an HTML page instead of JSON (a WAF block, proxy or error page)",
          status,
          method,
          path);
    }
    Duration retryAfter = retryAfter(headers);
    List<ApiError> errs = List.of();
    if (body.length > 0) {
      try {
        JsonNode root = json.readTree(body);
        if (root != null && root.isObject()) {
          errs = errors(root.get("errors"));
        }
      } catch (IOException ignored) {
        errs = List.of(ApiError.of(0, snippet(body)));
      }
    }
    if (status == 429) {
      return new CloudflareRateLimitedException(errs, method, path, retryAfter);
    }
    if (status >= 500) {
      return new CloudflareServerException(
          status, errs, method, path, call.idempotency(), retryAfter);
    }
    // Before the SQL-error check: D1 refuses queries during an export or import with its generic
    // code 7500 too, and that refusal is transient (retry once the job ends), not bad SQL. The
    // whole phrase, so that an SQL error merely naming something "long-running" stays an SQL error.
    if (errs.stream().anyMatch(e -> e.message().contains("Currently processing a long-running"))) {
      return new D1BusyException(
          "D1 database is busy with a long-running export or import; retry after it ends",
          status, errs, method, path);
    }
    for (ApiError e : errs) {
      if (e.code() == D1SqlException.CODE) {
        return new D1SqlException(e.message(), status, errs, method, path);
      }
    }
    if (status == 404
        || errs.stream().anyMatch(e -> e.code() == 7404 || e.code() == 10013 || e.code() == 10009)) {
      return new CloudflareNotFoundException("Not found", status, errs, method, path);
    }
    if (status == 401 || status == 403 || errs.stream().anyMatch(e -> e.code() == 10000)) {
      return new CloudflareAuthException(
          status == 403
              ? "Not allowed: the API token lacks a permission for this call"
              : "Authentication failed: check the API token",
          status, errs, method, path);
    }
    return new CloudflareValidationException("Request refused", status, errs, method, path, false);
  }

  /** Parses {@code Retry-After}: delta seconds or an HTTP-date, relative to the options' clock. */
  Duration retryAfter(Headers headers) {
    String value = headers.get("Retry-After");
    if (value == null || value.isBlank()) {
      return null;
    }
    value = value.trim();
    try {
      double seconds = Double.parseDouble(value);
      return seconds <= 0 ? Duration.ZERO : Duration.ofMillis((long) (seconds * 1000));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(options.clock().instant(), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException e) {
        return null;
      }
    }
  }

  static String snippet(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
    return s.replaceAll("\\s+", " ").trim();
  }
}
