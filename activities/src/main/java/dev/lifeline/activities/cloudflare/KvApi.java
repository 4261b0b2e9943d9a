package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeline.activities.cloudflare.ApiTransport.Call;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workers KV over the REST API: namespaces, keys, values, bulk operations.
 *
 * <p>Idempotency: everything here is idempotent except {@link #createNamespace}: single and bulk
 * writes put the same value again, deletes delete again. So bulk writes are retried on 5xx, and
 * keys the server reports in {@code unsuccessful_keys} are re-sent a bounded number of times.
 *
 * <p>Memory: key listings and bulk operations are streamed page by page and batch by batch; a
 * namespace of any size is walked with one page (≤1,000 keys) or one batch in memory.
 */
public final class KvApi {
  private static final Logger log = LoggerFactory.getLogger(KvApi.class);

  /** API maximum of pairs per bulk write/delete request. */
  public static final int MAX_BULK_ITEMS = 10_000;
  /** API maximum body size per bulk write/delete request (100 MB). */
  public static final long MAX_BULK_BYTES = 100_000_000L;
  /** API maximum keys per bulk get. */
  public static final int MAX_BULK_GET = 100;
  /** Key length limit in UTF-8 bytes. */
  public static final int MAX_KEY_BYTES = 512;

  private final ApiTransport t;

  KvApi(ApiTransport transport) {
    this.t = transport;
  }

  // ---------------------------------------------------------------- namespaces

  /** All namespaces, fetched lazily (100 per page, ordered by title). */
  public Stream<KvNamespace> listNamespaces() {
    return listNamespaces(100);
  }

  /** As {@link #listNamespaces()} with an explicit page size (5..100). */
  public Stream<KvNamespace> listNamespaces(int perPage) {
    return Paginator.stream(
        token -> {
          int page = token == null ? 1 : Integer.parseInt(token);
          HttpUrl url =
              t.url("storage", "kv", "namespaces")
                  .addQueryParameter("page", Integer.toString(page))
                  .addQueryParameter("per_page", Integer.toString(perPage))
                  .addQueryParameter("order", "title")
                  .addQueryParameter("direction", "asc")
                  .build();
          ApiTransport.Envelope env = t.envelope(Call.get(url));
          List<KvNamespace> items = new ArrayList<>();
          if (env.result() != null && env.result().isArray()) {
            for (JsonNode n : env.result()) {
              items.add(t.convert(n, KvNamespace.class));
            }
          }
          boolean more = Paginator.hasMorePages(env.resultInfo(), page, perPage, items.size());
          return new Paginator.Page<>(items, more ? Integer.toString(page + 1) : null);
        });
  }

  /** The namespace with this exact title, if any (pages through the list as wrangler does). */
  public Optional<KvNamespace> findNamespaceByTitle(String title) {
    D1Api.requireText(title, "title");
    try (Stream<KvNamespace> all = listNamespaces()) {
      return all.filter(n -> title.equals(n.title())).findFirst();
    }
  }

  /** One namespace by id; {@link CloudflareNotFoundException} (10013) if unknown. */
  public KvNamespace getNamespace(String namespaceId) {
    D1Api.requireText(namespaceId, "namespaceId");
    return t.result(Call.get(t.url("storage", "kv", "namespaces", namespaceId).build()), KvNamespace.class);
  }

  /** Creates a namespace. Not idempotent: a second call with the same title fails. */
  public KvNamespace createNamespace(String title) {
    D1Api.requireText(title, "title");
    return t.result(
        Call.of(
            "POST",
            t.url("storage", "kv", "namespaces").build(),
            t.jsonBody(Map.of("title", title)),
            Idempotency.NON_IDEMPOTENT),
        KvNamespace.class);
  }

  // ---------------------------------------------------------------- keys

  /**
   * One page of keys.
   *
   * @param prefix only keys starting with this, or null
   * @param cursor the previous page's cursor, or null for the first page
   * @param limit keys per page (10..1000), or null for the server default (1000)
   */
  public KvKeyPage listKeysPage(String namespaceId, String prefix, String cursor, Integer limit) {
    D1Api.requireText(namespaceId, "namespaceId");
    HttpUrl.Builder url = t.url("storage", "kv", "namespaces", namespaceId, "keys");
    if (prefix != null && !prefix.isEmpty()) {
      url.addQueryParameter("prefix", prefix);
    }
    if (cursor != null && !cursor.isEmpty()) {
      url.addQueryParameter("cursor", cursor);
    }
    if (limit != null) {
      url.addQueryParameter("limit", Integer.toString(limit));
    }
    ApiTransport.Envelope env = t.envelope(Call.get(url.build()));
    List<KvKey> keys = new ArrayList<>();
    if (env.result() != null && env.result().isArray()) {
      for (JsonNode n : env.result()) {
        keys.add(t.convert(n, KvKey.class));
      }
    }
    ResultInfo info = env.resultInfo();
    return new KvKeyPage(keys, info != null && info.hasNextCursor() ? info.cursor() : null);
  }

  /** All keys with {@code prefix}, fetched lazily page by page; memory holds one page. */
  public Stream<KvKey> listKeys(String namespaceId, String prefix) {
    return listKeys(namespaceId, prefix, null);
  }

  /** As {@link #listKeys(String, String)} with an explicit page size. */
  public Stream<KvKey> listKeys(String namespaceId, String prefix, Integer limit) {
    return Paginator.stream(
        cursor -> {
          KvKeyPage page = listKeysPage(namespaceId, prefix, cursor, limit);
          return new Paginator.Page<>(page.keys(), page.cursor());
        });
  }

  // ---------------------------------------------------------------- single values

  /** The value of {@code key} as exact bytes with its expiry, or empty when the key does not exist. */
  public Optional<KvValue> getValue(String namespaceId, String key) {
    try {
      ApiTransport.Reply reply =
          t.send(Call.raw("GET", keyUrl(namespaceId, "values", key), null, Idempotency.IDEMPOTENT));
      String exp = reply.headers().get("expiration");
      Long expiration = null;
      if (exp != null && !exp.isBlank()) {
        try {
          expiration = Long.parseLong(exp.trim());
        } catch (NumberFormatException ignored) {
          // A malformed header is not worth failing a read for.
        }
      }
      return Optional.of(new KvValue(reply.body(), expiration));
    } catch (CloudflareNotFoundException e) {
      return Optional.empty();
    }
  }

  /** The metadata of {@code key}, or empty when the key does not exist or has none. */
  public Optional<JsonNode> getMetadata(String namespaceId, String key) {
    try {
      JsonNode r =
          t.envelope(Call.get(keyUrl(namespaceId, "metadata", key))).result();
      return r == null || r.isNull() ? Optional.empty() : Optional.of(r);
    } catch (CloudflareNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Writes one value (raw body, or multipart with a {@code metadata} part when metadata is given).
   * Replaces value, expiry and metadata together. Idempotent.
   */
  public void put(String namespaceId, String key, byte[] value, KvWriteOptions options) {
    Objects.requireNonNull(value, "value");
    KvWriteOptions o = options == null ? KvWriteOptions.NONE : options;
    HttpUrl.Builder url = keyUrl(namespaceId, "values", key).newBuilder();
    if (o.expiration() != null) {
      url.addQueryParameter("expiration", Long.toString(o.expiration()));
    }
    if (o.expirationTtl() != null) {
      url.addQueryParameter("expiration_ttl", Long.toString(o.expirationTtl()));
    }
    RequestBody body;
    if (o.metadata() != null) {
      body =
          new MultipartBody.Builder()
              .setType(MultipartBody.FORM)
              .addFormDataPart(
                  "value", "value", RequestBody.create(value, MediaType.get("application/octet-stream")))
              .addFormDataPart("metadata", o.metadata().toString())
              .build();
    } else {
      body = RequestBody.create(value, MediaType.get("application/octet-stream"));
    }
    t.envelope(Call.of("PUT", url.build(), body, Idempotency.IDEMPOTENT));
  }

  /** Deletes one key. Idempotent (deleting a missing key succeeds). */
  public void delete(String namespaceId, String key) {
    t.envelope(Call.of("DELETE", keyUrl(namespaceId, "values", key), null, Idempotency.IDEMPOTENT));
  }

  private HttpUrl keyUrl(String namespaceId, String kind, String key) {
    D1Api.requireText(namespaceId, "namespaceId");
    checkKey(key);
    return t.url("storage", "kv", "namespaces", namespaceId, kind)
        .addEncodedPathSegment(encodeKey(key))
        .build();
  }

  /** Validates a key: non-empty, not {@code .} or {@code ..}, at most 512 UTF-8 bytes. */
  static void checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("KV key must not be empty");
    }
    if (".".equals(key) || "..".equals(key)) {
      throw new IllegalArgumentException("KV keys '.' and '..' are invalid");
    }
    if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException("KV key longer than 512 bytes");
    }
  }

  /** Percent-encodes like JavaScript's encodeURIComponent, as wrangler does for key paths. */
  static String encodeKey(String key) {
    StringBuilder sb = new StringBuilder();
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "-_.!~*'()".indexOf(c) >= 0) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- bulk

  /**
   * Writes pairs in batches of at most {@link CloudflareClientOptions#kvBulkBatchSize()} items and
   * {@link CloudflareClientOptions#kvBulkMaxBytes()} bytes (an entry larger than that goes alone, up
   * to the 100 MB API limit). Entries are read from the iterator one batch at a time, so the
   * source can be larger than memory. Keys reported unsuccessful are re-sent up to
   * {@link CloudflareClientOptions#kvBulkRetries()} times; the rest are reported, not thrown.
   */
  public KvBulkResult bulkPut(String namespaceId, Iterator<KvBulkEntry> entries) {
    HttpUrl url = t.url("storage", "kv", "namespaces", namespaceId, "bulk").build();
    return bulk(namespaceId, entries, e -> e.key(), "PUT", url);
  }

  /** As {@link #bulkPut(String, Iterator)} for a collection. */
  public KvBulkResult bulkPut(String namespaceId, Collection<KvBulkEntry> entries) {
    return bulkPut(namespaceId, entries.iterator());
  }

  /** Deletes keys in batches, with the same batching and re-send rules as {@link #bulkPut}. */
  public KvBulkResult bulkDelete(String namespaceId, Iterator<String> keys) {
    HttpUrl url = t.url("storage", "kv", "namespaces", namespaceId, "bulk", "delete").build();
    return bulk(namespaceId, keys, k -> k, "POST", url);
  }

  /** As {@link #bulkDelete(String, Iterator)} for a collection. */
  public KvBulkResult bulkDelete(String namespaceId, Collection<String> keys) {
    return bulkDelete(namespaceId, keys.iterator());
  }

  private <T> KvBulkResult bulk(
      String namespaceId,
      Iterator<T> items,
      java.util.function.Function<T, String> keyOf,
      String method,
      HttpUrl url) {
    D1Api.requireText(namespaceId, "namespaceId");
    int maxItems = t.options().kvBulkBatchSize();
    long maxBytes = t.options().kvBulkMaxBytes();
    long successful = 0;
    int requests = 0;
    List<String> failed = new ArrayList<>();
    Map<String, byte[]> batch = new LinkedHashMap<>();
    long batchBytes = 2;
    while (items.hasNext()) {
      T item = items.next();
      if (item instanceof String k) {
        checkKey(k);
      }
      String key = keyOf.apply(item);
      byte[] json = serialize(item);
      if (json.length + 2 > MAX_BULK_BYTES) {
        throw new IllegalArgumentException(
            "KV bulk item " + key + " is " + json.length + " bytes serialized; limit is 100 MB");
      }
      boolean full =
          !batch.isEmpty()
              && (batch.size() >= maxItems || batchBytes + json.length + 1 > maxBytes);
      if (full) {
        BatchOutcome o = sendBatch(method, url, batch);
        successful += o.successful;
        requests += o.requests;
        failed.addAll(o.failed);
        batch = new LinkedHashMap<>();
        batchBytes = 2;
      }
      // A later duplicate of a key replaces the earlier one, as the server would.
      byte[] previous = batch.put(key, json);
      batchBytes += json.length + 1 - (previous == null ? 0 : previous.length + 1);
    }
    if (!batch.isEmpty()) {
      BatchOutcome o = sendBatch(method, url, batch);
      successful += o.successful;
      requests += o.requests;
      failed.addAll(o.failed);
    }
    if (!failed.isEmpty()) {
      log.warn(
          "KV bulk {} left {} keys unsuccessful after {} re-sends", method, failed.size(),
          t.options().kvBulkRetries());
    }
    return new KvBulkResult(successful, failed, requests);
  }

  private record BatchOutcome(long successful, List<String> failed, int requests) {}

  private BatchOutcome sendBatch(String method, HttpUrl url, Map<String, byte[]> batch) {
    long successful = 0;
    int requests = 0;
    Map<String, byte[]> pending = batch;
    for (int round = 0; ; round++) {
      requests++;
      JsonNode r =
          t.envelope(Call.of(method, url, new JsonArrayBody(pending.values()), Idempotency.IDEMPOTENT))
              .result();
      List<String> unsuccessful = new ArrayList<>();
      if (r != null && r.has("unsuccessful_keys") && r.get("unsuccessful_keys").isArray()) {
        for (JsonNode k : r.get("unsuccessful_keys")) {
          unsuccessful.add(k.asText());
        }
      }
      long ok =
          r != null && r.has("successful_key_count")
              ? r.get("successful_key_count").asLong()
              : pending.size() - unsuccessful.size();
      successful += ok;
      if (unsuccessful.isEmpty()) {
        return new BatchOutcome(successful, List.of(), requests);
      }
      if (round >= t.options().kvBulkRetries()) {
        return new BatchOutcome(successful, unsuccessful, requests);
      }
      Map<String, byte[]> retry = new LinkedHashMap<>();
      for (String k : unsuccessful) {
        byte[] json = pending.get(k);
        if (json != null) {
          retry.put(k, json);
        }
      }
      if (retry.isEmpty()) {
        return new BatchOutcome(successful, unsuccessful, requests);
      }
      log.debug("KV bulk {}: re-sending {} unsuccessful keys", method, retry.size());
      pause(t.options().retryPolicy().backoff(round + 1, t.options().random().getAsDouble()));
      pending = retry;
    }
  }

  private byte[] serialize(Object item) {
    try {
      return t.json().writeValueAsBytes(item);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialize KV bulk item", e);
    }
  }

  /** {@code [a,b,c]} from pre-serialized elements; repeatable, known length. */
  private static final class JsonArrayBody extends RequestBody {
    private final List<byte[]> elements;
    private final long length;

    JsonArrayBody(Collection<byte[]> elements) {
      this.elements = List.copyOf(elements);
      long len = 2 + Math.max(0, this.elements.size() - 1);
      for (byte[] e : this.elements) {
        len += e.length;
      }
      this.length = len;
    }

    @Override
    public MediaType contentType() {
      return ApiTransport.JSON;
    }

    @Override
    public long contentLength() {
      return length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      sink.writeByte('[');
      for (int i = 0; i < elements.size(); i++) {
        if (i > 0) {
          sink.writeByte(',');
        }
        sink.write(elements.get(i));
      }
      sink.writeByte(']');
    }
  }

  /**
   * Reads many text values with {@code POST .../bulk/get}, 100 keys per request. Keys that do not
   * exist are absent from the map. Binary values must be read with {@link #getValue} instead.
   */
  public Map<String, KvBulkValue> bulkGet(
      String namespaceId, Collection<String> keys, boolean withMetadata) {
    D1Api.requireText(namespaceId, "namespaceId");
    HttpUrl url = t.url("storage", "kv", "namespaces", namespaceId, "bulk", "get").build();
    Map<String, KvBulkValue> out = new LinkedHashMap<>();
    List<String> batch = new ArrayList<>(MAX_BULK_GET);
    Iterator<String> it = keys.iterator();
    while (it.hasNext() || !batch.isEmpty()) {
      if (it.hasNext()) {
        String k = it.next();
        checkKey(k);
        batch.add(k);
        if (batch.size() < MAX_BULK_GET && it.hasNext()) {
          continue;
        }
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("keys", batch);
      body.put("type", "text");
      body.put("withMetadata", withMetadata);
      JsonNode r =
          t.envelope(Call.of("POST", url, t.jsonBody(body), Idempotency.IDEMPOTENT)).result();
      JsonNode values = r == null ? null : r.get("values");
      if (values != null && values.isObject()) {
        values
            .properties()
            .forEach(
                e -> {
                  JsonNode v = e.getValue();
                  if (v == null || v.isNull()) {
                    return;
                  }
                  if (withMetadata && v.isObject() && v.has("value")) {
                    JsonNode meta = v.get("metadata");
                    JsonNode exp = v.get("expiration");
                    JsonNode val = v.get("value");
                    out.put(
                        e.getKey(),
                        new KvBulkValue(
                            val.isNull() ? null : val.isTextual() ? val.asText() : val.toString(),
                            meta == null || meta.isNull() ? null : meta,
                            exp == null || exp.isNull() ? null : exp.asLong()));
                  } else {
                    out.put(
                        e.getKey(),
                        new KvBulkValue(v.isTextual() ? v.asText() : v.toString(), null, null));
                  }
                });
      }
      batch = new ArrayList<>(MAX_BULK_GET);
    }
    return out;
  }

  private void pause(Duration d) {
    try {
      t.options().sleeper().sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudflareTransportException("Interrupted", "-", "-", true, false, e);
    }
  }
}
