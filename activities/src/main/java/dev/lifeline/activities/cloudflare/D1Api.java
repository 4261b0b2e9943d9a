package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeline.activities.cloudflare.ApiTransport.Call;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * D1 over the REST API: databases, queries, export, import and Time Travel.
 *
 * <p>Idempotency, per operation: list/get/bookmark lookups, export start and polls, import init
 * (keyed by the file's MD5) and polls, and downloads are idempotent and retried by the client.
 * {@link #create}, write queries, import ingest and Time Travel restores are not: after a 5xx or a
 * timeout they fail with {@link CloudflareApiException#outcomeUnknown()} instead of being repeated.
 * Queries are non-idempotent unless the caller says otherwise.
 *
 * <p>Exports and imports stream: the dump goes from the signed URL to a file or stream in 64 KiB
 * chunks, and an import file is hashed and uploaded from disk, so memory does not grow with the
 * database.
 */
public final class D1Api {
  private static final Logger log = LoggerFactory.getLogger(D1Api.class);
  private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final int CHUNK = 64 * 1024;
  private static final long REPORT_EVERY = 1024 * 1024;
  /** D1's import limit (R2 single PUT). */
  public static final long MAX_IMPORT_BYTES = 5_000_000_000L;

  private final ApiTransport t;
  private final JavaType queryResults;
  private final JavaType rawResults;

  D1Api(ApiTransport transport) {
    this.t = transport;
    this.queryResults =
        t.json().getTypeFactory().constructCollectionType(List.class, D1QueryResult.class);
    this.rawResults =
        t.json().getTypeFactory().constructCollectionType(List.class, D1RawResult.class);
  }

  // ---------------------------------------------------------------- databases

  /**
   * All databases, fetched lazily page by page (1,000 per page).
   *
   * @param nameFilter server-side name search, or null for all
   */
  public Stream<D1Database> list(String nameFilter) {
    return list(nameFilter, 1000);
  }

  /** As {@link #list(String)} with an explicit page size (10..10,000). */
  public Stream<D1Database> list(String nameFilter, int perPage) {
    return Paginator.stream(
        token -> {
          int page = token == null ? 1 : Integer.parseInt(token);
          HttpUrl.Builder url =
              t.url("d1", "database")
                  .addQueryParameter("page", Integer.toString(page))
                  .addQueryParameter("per_page", Integer.toString(perPage));
          if (nameFilter != null && !nameFilter.isBlank()) {
            url.addQueryParameter("name", nameFilter);
          }
          ApiTransport.Envelope env = t.envelope(Call.get(url.build()));
          List<D1Database> items = listOf(env.result(), D1Database.class);
          boolean more = Paginator.hasMorePages(env.resultInfo(), page, perPage, items.size());
          return new Paginator.Page<>(items, more ? Integer.toString(page + 1) : null);
        });
  }

  /**
   * One database by id or by name (D1 accepts a name in place of the id, as wrangler relies on).
   *
   * @throws CloudflareNotFoundException if there is none
   */
  public D1Database get(String idOrName) {
    requireText(idOrName, "database id or name");
    return t.result(Call.get(t.url("d1", "database", idOrName).build()), D1Database.class);
  }

  /** Like {@link #get} but empty instead of {@link CloudflareNotFoundException}. */
  public Optional<D1Database> find(String idOrName) {
    try {
      return Optional.ofNullable(get(idOrName));
    } catch (CloudflareNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Creates a database. Not idempotent (a repeated create of the same name fails with a conflict).
   *
   * @param name the new database's name
   * @param primaryLocationHint {@code wnam, enam, weur, eeur, apac, oc}, or null
   * @param jurisdiction {@code eu, fedramp, us}, or null
   */
  public D1Database create(String name, String primaryLocationHint, String jurisdiction) {
    requireText(name, "name");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    if (primaryLocationHint != null) {
      body.put("primary_location_hint", primaryLocationHint);
    }
    if (jurisdiction != null) {
      body.put("jurisdiction", jurisdiction);
    }
    return t.result(
        Call.of("POST", t.url("d1", "database").build(), t.jsonBody(body), Idempotency.NON_IDEMPOTENT),
        D1Database.class);
  }

  /** Deletes a database and its Time Travel history. Idempotent in effect; a second call 404s. */
  public void delete(String databaseId) {
    requireText(databaseId, "databaseId");
    t.envelope(
        Call.of("DELETE", t.url("d1", "database", databaseId).build(), null, Idempotency.IDEMPOTENT));
  }

  // ---------------------------------------------------------------- queries

  /**
   * Runs one statement (or several separated by {@code ;}) through {@code /query}.
   *
   * @param idempotency {@link Idempotency#IDEMPOTENT} only for reads; writes must not be repeated
   *     blindly
   * @return one result per statement
   * @throws D1SqlException with SQLite's message when D1 rejects the SQL
   */
  public List<D1QueryResult> query(String databaseId, D1Statement statement, Idempotency idempotency) {
    return t.convert(post(databaseId, "query", statement, idempotency), queryResults);
  }

  /** Runs statements as one D1 batch ({@code {"batch":[...]}}), atomically. */
  public List<D1QueryResult> batch(
      String databaseId, List<D1Statement> statements, Idempotency idempotency) {
    return t.convert(post(databaseId, "query", Map.of("batch", statements), idempotency), queryResults);
  }

  /** A read-only statement: retried like any idempotent call. */
  public List<D1QueryResult> read(String databaseId, String sql, Object... params) {
    return query(databaseId, D1Statement.of(sql, params), Idempotency.IDEMPOTENT);
  }

  /** A statement that may write: never repeated after an ambiguous failure. */
  public List<D1QueryResult> execute(String databaseId, String sql, Object... params) {
    return query(databaseId, D1Statement.of(sql, params), Idempotency.NON_IDEMPOTENT);
  }

  /** As {@link #query} through {@code /raw}: columns once, rows as arrays. */
  public List<D1RawResult> raw(String databaseId, D1Statement statement, Idempotency idempotency) {
    return t.convert(post(databaseId, "raw", statement, idempotency), rawResults);
  }

  /** As {@link #batch} through {@code /raw}. */
  public List<D1RawResult> rawBatch(
      String databaseId, List<D1Statement> statements, Idempotency idempotency) {
    return t.convert(post(databaseId, "raw", Map.of("batch", statements), idempotency), rawResults);
  }

  private JsonNode post(String databaseId, String endpoint, Object body, Idempotency idempotency) {
    requireText(databaseId, "databaseId");
    Objects.requireNonNull(idempotency, "idempotency");
    return t.envelope(
            Call.of(
                "POST",
                t.url("d1", "database", databaseId, endpoint).build(),
                t.jsonBody(body),
                idempotency))
        .result();
  }

  // ---------------------------------------------------------------- export

  /**
   * Starts an export job. Idempotent: it changes no data, and a repeated start joins or replaces the
   * pending export (which D1 cancels unless it is polled).
   */
  public D1Job startExport(String databaseId, D1ExportOptions options) {
    return exportCall(databaseId, options, null);
  }

  /** Polls a running export; {@code atBookmark} is the job's {@link D1Job#atBookmark()}. */
  public D1Job pollExport(String databaseId, D1ExportOptions options, String atBookmark) {
    requireText(atBookmark, "atBookmark");
    return exportCall(databaseId, options, atBookmark);
  }

  private D1Job exportCall(String databaseId, D1ExportOptions options, String bookmark) {
    requireText(databaseId, "databaseId");
    Objects.requireNonNull(options, "options");
    Map<String, Object> dump = new LinkedHashMap<>();
    dump.put("no_schema", options.noSchema());
    dump.put("no_data", options.noData());
    dump.put("tables", options.tables());
    Map<String, Object> body = new LinkedHashMap<>();
    // Every poll repeats output_format and dump_options: D1 treats the poll as the same request.
    body.put("output_format", "polling");
    body.put("dump_options", dump);
    if (bookmark != null) {
      body.put("current_bookmark", bookmark);
    }
    return t.result(
        Call.of(
            "POST",
            t.url("d1", "database", databaseId, "export").build(),
            t.jsonBody(body),
            Idempotency.IDEMPOTENT),
        D1Job.class);
  }

  /**
   * Starts an export and polls it until it completes, reporting D1's messages. Polls follow each
   * other after {@link CloudflareClientOptions#jobPollInterval()}: D1 cancels exports that are not
   * polled continually, so run this inside one heartbeating activity.
   *
   * @return the completed job; its {@code result.signed_url} is valid for about an hour
   * @throws D1JobFailedException if the job ends in error or without completing
   */
  public D1Job awaitExport(String databaseId, D1ExportOptions options, D1ProgressListener listener) {
    D1ProgressListener l = listener == null ? D1ProgressListener.NONE : listener;
    D1Job job = startExport(databaseId, options);
    l.onProgress(new D1Progress(D1Progress.Phase.EXPORTING, job.messages(), 0, -1, job.atBookmark()));
    while (job.isActive()) {
      pause(t.options().jobPollInterval());
      job = pollExport(databaseId, options, job.atBookmark());
      l.onProgress(
          new D1Progress(D1Progress.Phase.EXPORTING, job.messages(), 0, -1, job.atBookmark()));
    }
    String path = t.url("d1", "database", databaseId, "export").build().encodedPath();
    if (!job.isComplete()) {
      throw new D1JobFailedException(
          "export",
          "D1 export did not complete (status " + job.status() + "): " + job.failureText()
              + lastMessages(job),
          "POST",
          path,
          false);
    }
    if (signedUrl(job) == null) {
      throw new D1JobFailedException(
          "export", "D1 export completed without result.signed_url", "POST", path, false);
    }
    return job;
  }

  private static String signedUrl(D1Job job) {
    JsonNode r = job.result();
    return r != null && r.hasNonNull("signed_url") ? r.get("signed_url").asText() : null;
  }

  /**
   * Exports to a file: runs {@link #awaitExport}, then downloads the dump, replacing the file's
   * content. A dropped connection resumes with HTTP Range from the bytes already written.
   */
  public D1ExportResult exportToFile(
      String databaseId, D1ExportOptions options, Path target, D1ProgressListener listener) {
    D1Job job = awaitExport(databaseId, options, listener);
    try {
      Files.deleteIfExists(target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot replace " + target, e);
    }
    long bytes = download(URI.create(signedUrl(job)), target, listener);
    return new D1ExportResult(job.result().path("filename").asText(null), job.atBookmark(), bytes);
  }

  /** Exports into a stream (not closed here), resuming dropped downloads. */
  public D1ExportResult exportTo(
      String databaseId, D1ExportOptions options, OutputStream out, D1ProgressListener listener) {
    D1Job job = awaitExport(databaseId, options, listener);
    long bytes = download(URI.create(signedUrl(job)), out, 0, listener);
    return new D1ExportResult(job.result().path("filename").asText(null), job.atBookmark(), bytes);
  }

  /**
   * Downloads a signed URL (no API token is sent) and appends to {@code target}, starting at the
   * file's current length: a retry with the same URL continues where the previous attempt stopped.
   *
   * @return the file's final length
   */
  public long download(URI signedUrl, Path target, D1ProgressListener listener) {
    try {
      long existing = Files.exists(target) ? Files.size(target) : 0;
      try (OutputStream out =
          Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        long total = download(signedUrl, out, existing, listener);
        out.flush();
        return total;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  /**
   * Downloads a signed URL into {@code out}, which already holds the first {@code offset} bytes.
   * Sends {@code Range: bytes=offset-}; if the server ignores it, skips what {@code out} has. After
   * a dropped connection it resumes from the bytes written so far, up to
   * {@link CloudflareClientOptions#transferAttempts()} attempts.
   *
   * @return bytes in {@code out} when done (offset included)
   * @throws CloudflareAuthException if the URL is refused (it expires after an hour: export again)
   */
  public long download(URI signedUrl, OutputStream out, long offset, D1ProgressListener listener) {
    Objects.requireNonNull(signedUrl, "signedUrl");
    D1ProgressListener l = listener == null ? D1ProgressListener.NONE : listener;
    HttpUrl url = HttpUrl.get(signedUrl);
    String where = url.host() + url.encodedPath(); // never the query: it holds the signature
    int maxAttempts = t.options().transferAttempts();
    long position = offset;
    for (int attempt = 1; ; attempt++) {
      Request.Builder rb =
          new Request.Builder()
              .url(url)
              .get()
              .header("User-Agent", t.options().userAgent())
              // Byte offsets must refer to the stored bytes, not a compressed representation.
              .header("Accept-Encoding", "identity");
      if (position > 0) {
        rb.header("Range", "bytes=" + position + "-");
      }
      try (Response r = t.transferClient().newCall(rb.build()).execute()) {
        int code = r.code();
        if (code == 416 && position > 0) {
          long size = totalFromContentRange(r.header("Content-Range"));
          if (size == position) {
            return position;
          }
          throw new CloudflareValidationException(
              "Download range not satisfiable at byte " + position, code, List.of(), "GET", where,
              false);
        }
        if (code != 200 && code != 206) {
          throw downloadFailure(code, where);
        }
        long skip = 0;
        long expectedEnd;
        if (code == 206) {
          long start = startFromContentRange(r.header("Content-Range"));
          if (start != position) {
            throw new CloudflareValidationException(
                "Server resumed at byte " + start + " instead of " + position, code, List.of(),
                "GET", where, false);
          }
          expectedEnd = totalFromContentRange(r.header("Content-Range"));
        } else {
          skip = position; // Range ignored: the body starts at byte 0 again.
          long len = r.body() == null ? -1 : r.body().contentLength();
          expectedEnd = len;
        }
        try (InputStream in = r.body().byteStream()) {
          skipFully(in, skip);
          byte[] buf = new byte[CHUNK];
          long lastReport = position;
          int n;
          while ((n = in.read(buf)) != -1) {
            writeLocal(out, buf, n);
            position += n;
            if (position - lastReport >= REPORT_EVERY) {
              lastReport = position;
              l.onProgress(
                  new D1Progress(D1Progress.Phase.DOWNLOADING, List.of(), position, expectedEnd, null));
            }
          }
        }
        if (expectedEnd >= 0 && position < expectedEnd) {
          throw new EOFException("body ended at byte " + position + " of " + expectedEnd);
        }
        l.onProgress(
            new D1Progress(D1Progress.Phase.DOWNLOADING, List.of(), position, position, null));
        return position;
      } catch (IOException e) {
        if (attempt >= maxAttempts) {
          throw new CloudflareTransportException(
              "Download failed after " + attempt + " attempts at byte " + position
                  + " (" + e.getClass().getSimpleName() + ")",
              "GET", where, true, false, e);
        }
        log.debug(
            "Download of {} dropped at byte {} (attempt {}): {}; resuming", where, position,
            attempt, e.toString());
        pause(t.options().retryPolicy().backoff(attempt, t.options().random().getAsDouble()));
      } catch (CloudflareServerException e) {
        if (attempt >= maxAttempts) {
          throw e;
        }
        pause(t.options().retryPolicy().backoff(attempt, t.options().random().getAsDouble()));
      }
    }
  }

  private static CloudflareApiException downloadFailure(int code, String where) {
    if (code == 401 || code == 403) {
      return new CloudflareAuthException(
          "Signed URL refused (it is valid for about an hour); start a new export", code, List.of(),
          "GET", where);
    }
    if (code == 404) {
      return new CloudflareNotFoundException("Export file not found", code, List.of(), "GET", where);
    }
    if (code >= 500 || code == 429) {
      return new CloudflareServerException(
          code, List.of(), "GET", where, Idempotency.IDEMPOTENT, null);
    }
    return new CloudflareValidationException(
        "Unexpected answer to download", code, List.of(), "GET", where, false);
  }

  private static void writeLocal(OutputStream out, byte[] buf, int n) {
    try {
      out.write(buf, 0, n);
    } catch (IOException e) {
      // A local write failure (disk full) is not a dropped connection: do not resume.
      throw new UncheckedIOException("writing the download failed", e);
    }
  }

  private static void skipFully(InputStream in, long n) throws IOException {
    long left = n;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() == -1) {
          throw new EOFException("body shorter than the bytes already written");
        }
        skipped = 1;
      }
      left -= skipped;
    }
  }

  /** {@code bytes 100-199/1000} → 100. */
  static long startFromContentRange(String header) {
    if (header == null) {
      return -1;
    }
    String h = header.trim();
    int sp = h.indexOf(' ');
    int dash = h.indexOf('-');
    if (sp < 0 || dash < 0) {
      return -1;
    }
    try {
      return Long.parseLong(h.substring(sp + 1, dash).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** {@code bytes 100-199/1000} or {@code bytes *}{@code /1000} → 1000; -1 when unknown. */
  static long totalFromContentRange(String header) {
    if (header == null) {
      return -1;
    }
    int slash = header.lastIndexOf('/');
    if (slash < 0) {
      return -1;
    }
    String total = header.substring(slash + 1).trim();
    try {
      return "*".equals(total) ? -1 : Long.parseLong(total);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // ---------------------------------------------------------------- import

  /**
   * Imports a SQL file the way {@code wrangler d1 execute --remote --file} does: MD5 of the file,
   * init, upload to the presigned URL (skipped when D1 already has the file), ingest, poll to
   * completion. D1 applies the file atomically: on failure the database is back where it was.
   *
   * <p>Idempotency: the upload is keyed by the MD5 etag, so repeating the whole call after a
   * failure re-uses an upload D1 already has and, when D1 reports the running import for that
   * etag, follows it instead of starting another. The ingest call itself is never repeated by the
   * client.
   *
   * @param sqlFile SQL text without {@code BEGIN TRANSACTION}/{@code COMMIT}, at most 5 GB; a binary
   *     SQLite database file is refused
   * @throws D1JobFailedException if the upload is not accepted or the import ends in error
   */
  public D1ImportResult importSql(String databaseId, Path sqlFile, D1ProgressListener listener) {
    requireText(databaseId, "databaseId");
    D1ProgressListener l = listener == null ? D1ProgressListener.NONE : listener;
    long size = checkImportFile(sqlFile);
    String etag = md5Hex(sqlFile);
    HttpUrl importUrl = t.url("d1", "database", databaseId, "import").build();
    String path = importUrl.encodedPath();

    D1Job job =
        importCall(importUrl, Map.of("action", "init", "etag", etag), Idempotency.IDEMPOTENT);
    boolean uploaded = false;
    if (needsUpload(job)) {
      upload(job.uploadUrl(), sqlFile, size, etag, l);
      uploaded = true;
      Map<String, Object> ingest = new LinkedHashMap<>();
      ingest.put("action", "ingest");
      ingest.put("etag", etag);
      ingest.put("filename", job.filename());
      job = importCall(importUrl, ingest, Idempotency.NON_IDEMPOTENT);
    }
    l.onProgress(new D1Progress(D1Progress.Phase.IMPORTING, job.messages(), 0, -1, job.atBookmark()));
    while (job.isActive()) {
      pause(t.options().jobPollInterval());
      Map<String, Object> poll = new LinkedHashMap<>();
      poll.put("action", "poll");
      poll.put("current_bookmark", job.atBookmark());
      job = importCall(importUrl, poll, Idempotency.IDEMPOTENT);
      l.onProgress(
          new D1Progress(D1Progress.Phase.IMPORTING, job.messages(), 0, -1, job.atBookmark()));
    }
    if (!job.isComplete()) {
      throw new D1JobFailedException(
          "import",
          "D1 import of " + sqlFile.getFileName() + " failed (status " + job.status() + "): "
              + job.failureText() + lastMessages(job) + ". D1 rolled the database back.",
          "POST",
          path,
          false);
    }
    JsonNode r = job.result() == null ? t.json().createObjectNode() : job.result();
    D1QueryMeta meta = r.hasNonNull("meta") ? t.convert(r.get("meta"), D1QueryMeta.class) : null;
    return new D1ImportResult(
        r.path("final_bookmark").asText(null), r.path("num_queries").asLong(0), meta, etag, uploaded);
  }

  private static boolean needsUpload(D1Job job) {
    return job.uploadUrl() != null
        && !job.uploadUrl().isBlank()
        && !job.isActive()
        && !"complete".equalsIgnoreCase(job.status())
        && !"error".equalsIgnoreCase(job.status());
  }

  private D1Job importCall(HttpUrl url, Map<String, Object> body, Idempotency idempotency) {
    return t.result(Call.of("POST", url, t.jsonBody(body), idempotency), D1Job.class);
  }

  private static long checkImportFile(Path file) {
    Objects.requireNonNull(file, "sqlFile");
    try {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("not a file: " + file);
      }
      long size = Files.size(file);
      if (size == 0) {
        throw new IllegalArgumentException("empty SQL file: " + file);
      }
      if (size > MAX_IMPORT_BYTES) {
        throw new IllegalArgumentException(
            "SQL file is " + size + " bytes; D1 imports at most 5 GB, split it: " + file);
      }
      byte[] head = new byte[15];
      int n;
      try (InputStream in = Files.newInputStream(file)) {
        n = in.readNBytes(head, 0, head.length);
      }
      if (n == 15 && "SQLite format 3".equals(new String(head, StandardCharsets.US_ASCII))) {
        throw new IllegalArgumentException(
            "this is a binary SQLite database; D1 imports SQL text (dump it first): " + file);
      }
      return size;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Lowercase hex MD5 of a file, streamed. */
  static String md5Hex(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      byte[] buf = new byte[CHUNK];
      int n;
      while ((n = in.read(buf)) != -1) {
        md5.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md5.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void upload(String uploadUrl, Path file, long size, String etag, D1ProgressListener l) {
    HttpUrl url = HttpUrl.get(uploadUrl);
    String where = url.host() + url.encodedPath();
    int maxAttempts = t.options().transferAttempts();
    String last = "";
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      // No Authorization header: the presigned URL is the credential, and the API token must
      // never travel to storage hosts.
      Request request =
          new Request.Builder()
              .url(url)
              .header("User-Agent", t.options().userAgent())
              .put(new FileBody(file, size, l))
              .build();
      try (Response r = t.transferClient().newCall(request).execute()) {
        String returned = stripQuotes(r.header("ETag"));
        if (r.code() == 200 && etag.equalsIgnoreCase(returned)) {
          return;
        }
        last = "HTTP " + r.code() + ", ETag " + (returned == null ? "missing" : returned);
        if (r.code() == 401 || r.code() == 403) {
          throw new CloudflareAuthException(
              "Upload URL refused; start the import again", r.code(), List.of(), "PUT", where);
        }
      } catch (IOException e) {
        last = e.getClass().getSimpleName();
      }
      log.debug("Import upload to {} not accepted (attempt {}): {}", where, attempt, last);
      if (attempt < maxAttempts) {
        pause(t.options().retryPolicy().backoff(attempt, t.options().random().getAsDouble()));
      }
    }
    throw new D1JobFailedException(
        "import",
        "Upload of " + file.getFileName() + " was not accepted after " + maxAttempts
            + " attempts (expected 200 with ETag " + etag + "; last: " + last + ")",
        "PUT",
        where,
        true);
  }

  private static String stripQuotes(String s) {
    if (s == null) {
      return null;
    }
    String v = s.trim();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    return v;
  }

  /** Streams a file as a request body with an explicit length, reporting progress. */
  private static final class FileBody extends RequestBody {
    private final Path file;
    private final long size;
    private final D1ProgressListener listener;

    FileBody(Path file, long size, D1ProgressListener listener) {
      this.file = file;
      this.size = size;
      this.listener = listener;
    }

    @Override
    public MediaType contentType() {
      return OCTET_STREAM;
    }

    @Override
    public long contentLength() {
      return size;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      byte[] buf = new byte[CHUNK];
      long sent = 0;
      long lastReport = 0;
      try (InputStream in = Files.newInputStream(file)) {
        int n;
        while (sent < size && (n = in.read(buf, 0, (int) Math.min(buf.length, size - sent))) != -1) {
          sink.write(buf, 0, n);
          sent += n;
          if (sent - lastReport >= REPORT_EVERY) {
            lastReport = sent;
            listener.onProgress(
                new D1Progress(D1Progress.Phase.UPLOADING, List.of(), sent, size, null));
          }
        }
      }
      if (sent != size) {
        throw new IOException("file changed during upload: sent " + sent + " of " + size);
      }
      listener.onProgress(new D1Progress(D1Progress.Phase.UPLOADING, List.of(), sent, size, null));
    }
  }

  // ---------------------------------------------------------------- Time Travel

  /** The bookmark of the database's current state. */
  public String currentBookmark(String databaseId) {
    return bookmark(databaseId, null);
  }

  /**
   * The nearest bookmark at or before {@code timestamp}. Deterministic for a given timestamp.
   *
   * @throws IllegalArgumentException if the timestamp is in the future
   */
  public String bookmarkAt(String databaseId, Instant timestamp) {
    return bookmark(databaseId, checkPast(timestamp));
  }

  private String bookmark(String databaseId, Instant timestamp) {
    requireText(databaseId, "databaseId");
    HttpUrl.Builder url = t.url("d1", "database", databaseId, "time_travel", "bookmark");
    if (timestamp != null) {
      url.addQueryParameter("timestamp", ISO_MILLIS.format(timestamp));
    }
    JsonNode r = t.envelope(Call.get(url.build())).result();
    String b = r == null ? null : r.path("bookmark").asText(null);
    if (b == null || b.isBlank()) {
      throw new IllegalStateException("D1 returned no bookmark for " + databaseId);
    }
    return b;
  }

  /**
   * Restores the database in place to {@code bookmark}, cancelling in-flight queries. Not
   * idempotent: repeating it would replace the undo handle with the already-restored state, so it
   * is never retried after an ambiguous failure. Keep {@link TimeTravelRestoreResult#previousBookmark()}:
   * restoring to it undoes this restore.
   */
  public TimeTravelRestoreResult restoreToBookmark(String databaseId, String bookmark) {
    requireText(bookmark, "bookmark");
    return restore(databaseId, "bookmark", bookmark);
  }

  /** As {@link #restoreToBookmark}, to the state at {@code timestamp}. */
  public TimeTravelRestoreResult restoreToTimestamp(String databaseId, Instant timestamp) {
    return restore(databaseId, "timestamp", ISO_MILLIS.format(checkPast(timestamp)));
  }

  private TimeTravelRestoreResult restore(String databaseId, String param, String value) {
    requireText(databaseId, "databaseId");
    HttpUrl url =
        t.url("d1", "database", databaseId, "time_travel", "restore")
            .addQueryParameter(param, value)
            .build();
    TimeTravelRestoreResult r =
        t.result(Call.of("POST", url, null, Idempotency.NON_IDEMPOTENT), TimeTravelRestoreResult.class);
    if (r == null || r.bookmark() == null) {
      throw new IllegalStateException("D1 restore answered without a bookmark");
    }
    return r;
  }

  private Instant checkPast(Instant timestamp) {
    Objects.requireNonNull(timestamp, "timestamp");
    if (timestamp.isAfter(t.options().clock().instant())) {
      throw new IllegalArgumentException("timestamp " + timestamp + " is in the future");
    }
    return timestamp;
  }

  // ---------------------------------------------------------------- helpers

  private <T> List<T> listOf(JsonNode node, Class<T> type) {
    List<T> out = new ArrayList<>();
    if (node != null && node.isArray()) {
      for (JsonNode n : node) {
        out.add(t.convert(n, type));
      }
    }
    return out;
  }

  private static String lastMessages(D1Job job) {
    List<String> m = job.messages();
    if (m.isEmpty()) {
      return "";
    }
    return " (last messages: " + String.join(" | ", m.subList(Math.max(0, m.size() - 3), m.size()))
        + ")";
  }

  private void pause(Duration d) {
    try {
      t.options().sleeper().sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudflareTransportException("Interrupted", "-", "-", true, false, e);
    }
  }

  static void requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " is required");
    }
  }
}
