package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeline.activities.cloudflare.OpenApiContractInterceptor.SentRequest;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real D1 client against the sandbox: listing, queries, typed errors, export with resumed
 * downloads, import, and Time Travel with its undo handle. Only the base URL differs from
 * production; every API answer is checked against the OpenAPI subset.
 */
class SandboxD1ClientTest {
  private static ContractCheckedSandbox cf;
  private static D1Api d1;
  private static String monoTaskDb;

  @BeforeAll
  static void start() {
    cf = ContractCheckedSandbox.start().withMonoTask();
    d1 = cf.client().d1();
    monoTaskDb = cf.monoTask().database().uuid();
  }

  @AfterAll
  static void stop() {
    cf.close();
  }

  @BeforeEach
  void reset() {
    cf.reset();
  }

  private static String newDatabase(String name) {
    return d1.create(name, null, null).uuid();
  }

  private static long count(String db, String sql, Object... params) {
    return ((Number) d1.read(db, sql, params).get(0).results().get(0).get("n")).longValue();
  }

  /** A file holding a classpath resource (the wrangler fixtures come with the sandbox test-jar). */
  static Path resource(String name, Path dir) {
    try (InputStream in = SandboxD1ClientTest.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      Path file = dir.resolve(Path.of(name).getFileName().toString());
      Files.copy(in, file);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- listing and queries

  @Test
  void listingPagesThroughEveryDatabaseTenAtATime() {
    List<String> names = IntStream.rangeClosed(1, 23).mapToObj(i -> String.format("paged-db-%02d", i)).toList();
    names.forEach(n -> cf.sandbox.account().createD1Database(n));

    List<D1Database> listed = d1.list("paged-db", 10).toList();

    assertThat(listed).extracting(D1Database::name).containsExactlyElementsOf(names);
    assertThat(listed).allSatisfy(db -> assertThat(db.uuid()).isNotBlank());
    assertThat(cf.requests(r -> r.path().endsWith("/d1/database")))
        .extracting(SentRequest::status).containsExactly(200, 200, 200);
    // The name resolves in place of the id, as wrangler relies on.
    assertThat(d1.get("paged-db-07").uuid()).isEqualTo(listed.get(6).uuid());
  }

  @Test
  void aWriteIsReadBackThroughQueryRawAndBatch() {
    List<D1QueryResult> insert = d1.execute(monoTaskDb,
        "INSERT INTO users(id, email, display_name, created_at) VALUES(?, ?, ?, ?)",
        "usr_900001", "oncall@monotask.example", "Zoë O'Call", "2026-11-22T06:00:00.000Z");

    assertThat(insert.get(0).meta().changes()).isEqualTo(1);
    assertThat(d1.read(monoTaskDb, "SELECT display_name FROM users WHERE id = ?", "usr_900001")
        .get(0).results()).containsExactly(Map.of("display_name", "Zoë O'Call"));

    List<D1RawResult> raw = d1.raw(monoTaskDb,
        D1Statement.of("SELECT id, email FROM users WHERE id IN (?, ?) ORDER BY id", "usr_000001", "usr_900001"),
        Idempotency.IDEMPOTENT);
    assertThat(raw.get(0).results().columns()).containsExactly("id", "email");
    assertThat(raw.get(0).results().rows()).containsExactly(
        List.of("usr_000001", "user1@monotask.example"), List.of("usr_900001", "oncall@monotask.example"));
    // Raw keeps duplicate column names, and a null parameter binds SQL NULL.
    List<D1RawResult> rawBatch = d1.rawBatch(monoTaskDb, List.of(
        D1Statement.of("SELECT 1 AS id, 2 AS id"),
        D1Statement.of("SELECT count(*) AS n FROM tasks WHERE ? IS NULL AND assignee_id IS NULL", (Object) null)),
        Idempotency.IDEMPOTENT);
    assertThat(rawBatch.get(0).results().columns()).containsExactly("id", "id");
    assertThat(rawBatch.get(0).results().rows()).containsExactly(List.of(1, 2));
    assertThat(((Number) rawBatch.get(1).results().rows().get(0).get(0)).longValue()).isPositive();

    long tasksBefore = count(monoTaskDb, "SELECT count(*) AS n FROM tasks");
    List<D1QueryResult> batch = d1.batch(monoTaskDb, List.of(
        D1Statement.of("INSERT INTO tasks VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)", "tsk_9000001", "prj_00001",
            "usr_900001", "Page the on-call", null, "PENDING", 1, "2026-11-22T06:00:00.000Z",
            "2026-11-22T06:00:00.000Z"),
        D1Statement.of("SELECT count(*) AS n FROM tasks WHERE assignee_id = ?", "usr_900001")),
        Idempotency.NON_IDEMPOTENT);
    assertThat(batch).hasSize(2);
    assertThat(batch.get(1).results().get(0)).containsEntry("n", 1);
    assertThat(count(monoTaskDb, "SELECT count(*) AS n FROM tasks")).isEqualTo(tasksBefore + 1);

    // A batch is one transaction: the failing second statement takes the first one with it.
    assertThatThrownBy(() -> d1.batch(monoTaskDb, List.of(
        D1Statement.of("DELETE FROM tasks WHERE id = ?", "tsk_9000001"),
        D1Statement.of("INSERT INTO tasks(id) VALUES(?)", "tsk_9000002")), Idempotency.NON_IDEMPOTENT))
        .isInstanceOf(D1SqlException.class)
        .hasMessageContaining("NOT NULL constraint failed");
    assertThat(count(monoTaskDb, "SELECT count(*) AS n FROM tasks WHERE id = ?", "tsk_9000001")).isEqualTo(1);
  }

  @Test
  void aSqlErrorCarriesSqlitesMessageAndIsNotRetried() {
    assertThatThrownBy(() -> d1.read(monoTaskDb, "SELECT asdf FROM tasks"))
        .isInstanceOfSatisfying(D1SqlException.class, e -> {
          assertThat(e.sqliteMessage()).startsWith("no such column: asdf at offset 7");
          assertThat(e.hasCode(D1SqlException.CODE)).isTrue();
          assertThat(e.httpStatus()).isEqualTo(400);
          assertThat(e.method()).isEqualTo("POST");
          assertThat(e.path()).endsWith("/d1/database/" + monoTaskDb + "/query");
          assertThat(e.retryable()).isFalse();
          ApplicationFailure f = CloudflareFailures.toApplicationFailure(e);
          assertThat(f.getType()).isEqualTo("D1SqlException");
          assertThat(f.isNonRetryable()).isTrue();
          assertThat(f.getOriginalMessage()).contains("no such column: asdf");
        });
    assertThat(cf.requests()).hasSize(1);
  }

  @Test
  void anUnknownDatabaseIsNotFoundAndNotRetryable() {
    String unknown = "0f0f0f0f-0000-4000-8000-000000000000";

    assertThatThrownBy(() -> d1.get(unknown))
        .isInstanceOfSatisfying(CloudflareNotFoundException.class, e -> {
          assertThat(e.hasCode(7404)).isTrue();
          assertThat(e.httpStatus()).isEqualTo(404);
          assertThat(e.retryable()).isFalse();
          ApplicationFailure f = CloudflareFailures.toApplicationFailure(e);
          assertThat(f.isNonRetryable()).isTrue();
          assertThat(f.getType()).isEqualTo("CloudflareNotFoundException");
        });
    assertThatThrownBy(() -> d1.read(unknown, "SELECT 1"))
        .isInstanceOf(CloudflareNotFoundException.class);
    assertThat(d1.find(unknown)).isEmpty();
    assertThat(cf.requests()).hasSize(3);
  }

  // ---------------------------------------------------------------- export

  @Test
  void anExportDownloadsExactlyWhatTheExporterWrote(@TempDir Path dir) throws Exception {
    String db = newDatabase("fixture-export");
    d1.importSql(db, resource("fixtures/d1-export-source.sql", dir), null);
    List<D1Progress> progress = new ArrayList<>();
    cf.reset();

    Path dump = dir.resolve("export.sql");
    D1ExportResult r = d1.exportToFile(db, D1ExportOptions.full(), dump, progress::add);

    // Byte for byte what `wrangler d1 export` wrote for the same database.
    assertThat(Files.readString(dump))
        .isEqualTo(Files.readString(resource("fixtures/d1-export-wrangler-4.164.sql", dir)));
    assertThat(r.bytes()).isEqualTo(Files.size(dump));
    assertThat(r.filename()).endsWith(".sql");
    assertThat(r.atBookmark()).isEqualTo(d1.currentBookmark(db));
    assertThat(progress).extracting(D1Progress::phase)
        .startsWith(D1Progress.Phase.EXPORTING).endsWith(D1Progress.Phase.DOWNLOADING);
    assertThat(progress).flatExtracting(D1Progress::messages).anyMatch(m -> m.startsWith("Generating "));
    // Started, polled to completion, then one plain GET of the signed URL without the API token.
    assertThat(cf.apiCalls("POST", "/export")).isGreaterThanOrEqualTo(2);
    assertThat(cf.requests(SentRequest::signedUrl)).singleElement()
        .satisfies(get -> {
          assertThat(get.method()).isEqualTo("GET");
          assertThat(get.authorization()).isFalse();
          assertThat(get.status()).isEqualTo(200);
        });
  }

  @Test
  void aDownloadCutOffMidwayResumesWithRangeAndIsByteIdentical(@TempDir Path dir) throws Exception {
    Path reference = dir.resolve("reference.sql");
    d1.exportToFile(monoTaskDb, D1ExportOptions.full(), reference, null);
    byte[] expected = Files.readAllBytes(reference);
    assertThat(expected.length).as("the dump must outlast two cut-offs").isGreaterThan(3 * 16 * 1024);
    cf.reset();
    cf.faults().dropDownloads(2, 16 * 1024);

    Path resumed = dir.resolve("resumed.sql");
    D1ExportResult r = d1.exportToFile(monoTaskDb, D1ExportOptions.full(), resumed, null);

    assertThat(Files.readAllBytes(resumed)).isEqualTo(expected);
    assertThat(r.bytes()).isEqualTo(expected.length);
    List<SentRequest> downloads = cf.requests(SentRequest::signedUrl);
    assertThat(downloads).hasSize(3).noneMatch(SentRequest::authorization);
    assertThat(downloads.get(0).range()).isNull();
    long second = rangeStart(downloads.get(1).range());
    long third = rangeStart(downloads.get(2).range());
    assertThat(second).isPositive().isLessThanOrEqualTo(16 * 1024);
    assertThat(third).isGreaterThan(second).isLessThanOrEqualTo(second + 16 * 1024);
    assertThat(downloads.get(2).status()).isEqualTo(206);
  }

  private static long rangeStart(String range) {
    assertThat(range).matches("bytes=\\d+-");
    return Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
  }

  @Test
  void aSignedUrlThatNoLongerVerifiesAsksForANewExport(@TempDir Path dir) {
    D1Job job = d1.awaitExport(monoTaskDb, D1ExportOptions.tables(List.of("users")), null);
    HttpUrl signed = HttpUrl.get(job.result().get("signed_url").asText());
    // What an expired URL looks like to the storage host: its signature no longer verifies.
    HttpUrl tampered = signed.newBuilder().setQueryParameter("X-Amz-Expires", "7200").build();

    assertThatThrownBy(() -> d1.download(URI.create(tampered.toString()), dir.resolve("x.sql"), null))
        .isInstanceOfSatisfying(CloudflareAuthException.class, e -> {
          assertThat(e.getMessage()).contains("start a new export");
          assertThat(e.getMessage()).doesNotContain(signed.query());
          assertThat(e.retryable()).isFalse();
        });
  }

  @Test
  void aDatabaseWithAVirtualTableCannotBeExportedAndSaysWhy(@TempDir Path dir) {
    String db = newDatabase("with-fts");
    d1.execute(db, "CREATE VIRTUAL TABLE notes_fts USING fts5(body)");

    assertThatThrownBy(() -> d1.exportToFile(db, D1ExportOptions.full(), dir.resolve("x.sql"), null))
        .isInstanceOfSatisfying(D1JobFailedException.class, e -> {
          assertThat(e.jobType()).isEqualTo("export");
          assertThat(e.getMessage()).contains("cannot export databases with Virtual Tables (fts5)");
          assertThat(CloudflareFailures.toApplicationFailure(e).isNonRetryable()).isTrue();
        });
    assertThat(Files.exists(dir.resolve("x.sql"))).isFalse();
  }

  @Test
  void aQueryDuringAnExportIsRefusedAsBusyAndRetryableLater() {
    String db = newDatabase("busy-db");
    d1.execute(db, "CREATE TABLE t(x INTEGER)");
    cf.faults().stallExports(1);
    D1Job export = d1.startExport(db, D1ExportOptions.full());
    assertThat(export.isActive()).isTrue();

    assertThatThrownBy(() -> d1.execute(db, "INSERT INTO t VALUES (1)"))
        .isInstanceOfSatisfying(D1BusyException.class, e -> {
          assertThat(e.retryable()).isTrue();
          assertThat(e.getMessage()).contains("long-running export");
          assertThat(CloudflareFailures.toApplicationFailure(e).isNonRetryable()).isFalse();
        });

    cf.faults().clear(); // the stalled export finishes once polled
    D1Job job = export;
    while (job.isActive()) {
      job = d1.pollExport(db, D1ExportOptions.full(), export.atBookmark());
    }
    assertThat(job.isComplete()).isTrue();
    d1.execute(db, "INSERT INTO t VALUES (1)");
    assertThat(count(db, "SELECT count(*) AS n FROM t")).isEqualTo(1);
  }

  // ---------------------------------------------------------------- import

  @Test
  void anImportUploadsIngestsAndPollsThenReusesTheUploadD1AlreadyHas(@TempDir Path dir) throws Exception {
    String db = newDatabase("import-target");
    StringBuilder sql = new StringBuilder("CREATE TABLE IF NOT EXISTS notes(id INTEGER PRIMARY KEY, body TEXT);\n");
    for (int i = 1; i <= 50; i++) {
      sql.append("INSERT OR REPLACE INTO notes VALUES(").append(i).append(", 'note ").append(i)
          .append("; it''s fine');\n");
    }
    Path file = Files.writeString(dir.resolve("notes.sql"), sql);
    List<D1Progress> progress = new ArrayList<>();

    D1ImportResult first = d1.importSql(db, file, progress::add);

    assertThat(first.uploaded()).isTrue();
    assertThat(first.numQueries()).isEqualTo(51);
    assertThat(first.etag()).isEqualTo(D1Api.md5Hex(file));
    assertThat(first.finalBookmark()).isEqualTo(d1.currentBookmark(db));
    assertThat(count(db, "SELECT count(*) AS n FROM notes")).isEqualTo(50);
    assertThat(d1.read(db, "SELECT body FROM notes WHERE id = 7").get(0).results().get(0))
        .containsEntry("body", "note 7; it's fine");
    assertThat(progress).extracting(D1Progress::phase).contains(D1Progress.Phase.UPLOADING);
    assertThat(cf.requests(SentRequest::signedUrl)).singleElement().satisfies(put -> {
      assertThat(put.method()).isEqualTo("PUT");
      assertThat(put.authorization()).isFalse();
      assertThat(put.status()).isEqualTo(200);
    });
    cf.reset();

    D1ImportResult again = d1.importSql(db, file, null);

    assertThat(again.uploaded()).isFalse();
    assertThat(again.etag()).isEqualTo(first.etag());
    assertThat(cf.requests(SentRequest::signedUrl)).isEmpty();
    assertThat(count(db, "SELECT count(*) AS n FROM notes")).isEqualTo(50);
  }

  @Test
  void aFailingImportLeavesTheDatabaseAsItWas(@TempDir Path dir) throws Exception {
    String db = newDatabase("import-atomic");
    d1.execute(db, "CREATE TABLE t(id INTEGER PRIMARY KEY)");
    d1.execute(db, "INSERT INTO t VALUES (1), (2)");
    Path bad = Files.writeString(dir.resolve("bad.sql"), "INSERT INTO t VALUES(3);\nINSERT INTO t VALUES(1);\n");

    assertThatThrownBy(() -> d1.importSql(db, bad, null))
        .isInstanceOfSatisfying(D1JobFailedException.class, e -> {
          assertThat(e.jobType()).isEqualTo("import");
          assertThat(e.getMessage()).contains("UNIQUE constraint failed: t.id").contains("rolled the database back");
          assertThat(CloudflareFailures.toApplicationFailure(e).isNonRetryable()).isTrue();
        });
    assertThat(d1.read(db, "SELECT id FROM t ORDER BY id").get(0).results())
        .containsExactly(Map.of("id", 1), Map.of("id", 2));
  }

  // ---------------------------------------------------------------- Time Travel

  @Test
  void aRestoreBringsTheDataBackAndItsPreviousBookmarkUndoesIt() throws InterruptedException {
    String db = newDatabase("time-travel");
    d1.execute(db, "CREATE TABLE tasks(id TEXT PRIMARY KEY, state TEXT NOT NULL)");
    d1.batch(db, List.of(
        D1Statement.of("INSERT INTO tasks VALUES ('t1', 'PENDING')"),
        D1Statement.of("INSERT INTO tasks VALUES ('t2', 'IN_PROGRESS')")), Idempotency.NON_IDEMPOTENT);
    String good = d1.currentBookmark(db);
    Thread.sleep(5);
    Instant beforeDamage = Instant.now();
    Thread.sleep(5);

    d1.execute(db, "UPDATE tasks SET state = 'CORRUPTED'");
    d1.execute(db, "DELETE FROM tasks WHERE id = 't2'");
    String bad = d1.currentBookmark(db);
    assertThat(bad).isGreaterThan(good);
    // What a person gives is a time; it resolves to the state just before the damage.
    assertThat(d1.bookmarkAt(db, beforeDamage)).isEqualTo(good);

    TimeTravelRestoreResult restore = d1.restoreToBookmark(db, good);

    assertThat(states(db)).containsExactly("t1=PENDING", "t2=IN_PROGRESS");
    assertThat(restore.previousBookmark()).isEqualTo(bad);

    TimeTravelRestoreResult undo = d1.restoreToBookmark(db, restore.previousBookmark());

    assertThat(states(db)).containsExactly("t1=CORRUPTED");
    assertThat(undo.previousBookmark()).isEqualTo(restore.bookmark());
  }

  private static List<String> states(String db) {
    return d1.read(db, "SELECT id, state FROM tasks ORDER BY id").get(0).results().stream()
        .map(r -> r.get("id") + "=" + r.get("state")).toList();
  }
}
