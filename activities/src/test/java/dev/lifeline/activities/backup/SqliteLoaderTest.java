package dev.lifeline.activities.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;

class SqliteLoaderTest {
  private final SqliteLoader loader = new SqliteLoader();
  @TempDir Path dir;

  /** Every storage class and the edge values, into columns with and without affinity. */
  private static final String TYPES_DUMP = String.join("\n",
      "CREATE TABLE v(id INTEGER PRIMARY KEY, any_ BLOB, i INTEGER, r REAL, t TEXT, n NUMERIC);",
      "INSERT INTO v VALUES(1,1,1,1,1,1);",
      "INSERT INTO v VALUES(2,1.0,1.0,1.0,1.0,1.0);",
      "INSERT INTO v VALUES(3,'1','1','1','1','1');",
      "INSERT INTO v VALUES(4,X'31',X'31',X'31',X'31',X'31');",
      "INSERT INTO v VALUES(5,9223372036854775807,-9223372036854775808,1e300,'',NULL);",
      "INSERT INTO v VALUES(6,9223372036854775808,9223372036854776000,-1e999,'Ünïcödé 🚀',2.5);",
      "INSERT INTO v VALUES(7,X'',0.1,0.30000000000000004,'it''s'||char(0)||'nul',-0.0);",
      "INSERT INTO v VALUES(8,replace('a\\nb','\\n',char(10)),'12abc',1,unistr('tab\\0009'),'0x10');",
      "INSERT INTO v(id,t) VALUES(9,'a'),(10,'b');",
      "") ;

  @Test
  void loadsEveryValueTypeExactlyAsSqliteItselfWould() throws Exception {
    Path ours = load(TYPES_DUMP.getBytes(StandardCharsets.UTF_8));
    Path sqlite = sqliteExec(TYPES_DUMP, "native.db");
    DatabaseCensus expected = DatabaseCensus.take(sqlite);
    DatabaseCensus actual = DatabaseCensus.take(ours);
    assertThat(expected.differencesFrom(actual)).isEmpty();
    assertThat(actual).isEqualTo(expected);
    assertThat(typeofRow(ours, 1)).containsExactly("integer", "integer", "real", "text", "integer");
    assertThat(typeofRow(ours, 2)).containsExactly("real", "integer", "real", "text", "integer");
    assertThat(typeofRow(ours, 3)).containsExactly("text", "integer", "real", "text", "integer");
    assertThat(typeofRow(ours, 4)).containsExactly("blob", "blob", "blob", "blob", "blob");
    assertThat(typeofRow(ours, 6)).containsExactly("real", "real", "real", "text", "real");
    assertThat(typeofRow(ours, 7).get(0)).isEqualTo("blob"); // X'' is an empty BLOB, not NULL
  }

  @Test
  void textThatIsNotValidUtf8KeepsItsBytes() throws Exception {
    ByteArrayOutputStream dump = new ByteArrayOutputStream();
    dump.writeBytes("CREATE TABLE t(x);\nINSERT INTO t VALUES('a".getBytes(StandardCharsets.UTF_8));
    dump.write(0xff);
    dump.writeBytes("b'),(1);\n".getBytes(StandardCharsets.UTF_8));
    Path ours = load(dump.toByteArray());
    Path sqlite = sqliteExec("CREATE TABLE t(x);\nINSERT INTO t VALUES(CAST(X'61ff62' AS TEXT)),(1);", "n.db");
    assertThat(DatabaseCensus.take(ours)).isEqualTo(DatabaseCensus.take(sqlite));
  }

  @Test
  void theWranglerExportLoadsLikeSqliteExecutingIt() throws Exception {
    List<LoadProgress> progress = new ArrayList<>();
    Path db = dir.resolve("wrangler.db");
    LoadResult r = loader.load(Fixtures.stream(Fixtures.WRANGLER_4_164), db,
        LoadOptions.defaults().withProgressEvery(500), new LoadProgressListener() {
          @Override
          public void onProgress(LoadProgress p) {
            progress.add(p);
          }
        });
    assertThat(r.rowsPerTable()).isEqualTo(Map.of("projects", 2L, "tasks", 4L, "counters", 4L,
        "d1_migrations", 2L, "sqlite_sequence", 1L));
    assertThat(r.rows()).isEqualTo(13);
    assertThat(r.statements()).isEqualTo(20);
    assertThat(r.dumpBytes()).isEqualTo(Fixtures.bytes(Fixtures.WRANGLER_4_164).length);
    assertThat(progress).isNotEmpty();
    assertThat(progress.get(progress.size() - 1).rowsLoaded()).isEqualTo(13);

    Path nativeDb = sqliteExec(Fixtures.text(Fixtures.WRANGLER_4_164), "native.db");
    DatabaseCensus expected = DatabaseCensus.take(nativeDb);
    assertThat(expected.differencesFrom(DatabaseCensus.take(db))).isEmpty();
    assertThat(expected.healthy()).isTrue();
    assertThat(expected.table("counters").rowCount()).isEqualTo(4);

    // The older style without column lists builds the same database.
    Path old = dir.resolve("old.db");
    loader.load(new ByteArrayInputStream(Fixtures.wranglerWithoutColumnLists().getBytes(StandardCharsets.UTF_8)),
        old, null, null);
    assertThat(DatabaseCensus.take(old)).isEqualTo(expected);
    // Loading without parse-ahead or index deferral changes nothing either.
    Path plain = dir.resolve("plain.db");
    loader.load(Fixtures.stream(Fixtures.WRANGLER_4_164), plain,
        LoadOptions.defaults().withParseAhead(false).withDeferIndexes(false), null);
    assertThat(DatabaseCensus.take(plain)).isEqualTo(expected);
  }

  @Test
  void aSqlite3DumpRoundTripsToAnIdenticalCensus() throws Exception {
    Path source = dir.resolve("source.db");
    String extra = "CREATE TABLE odd(\"we ird\" TEXT, x REAL, b BLOB);\n"
        + "INSERT INTO odd VALUES('a'||char(13)||char(10)||'b', 1.0, x''), ('tab'||char(9), 0.1, NULL),"
        + " ('back\\nslash'||char(10), 1e300, zeroblob(3));\n"
        + "CREATE TABLE wr(a INTEGER, b TEXT, PRIMARY KEY(a,b)) WITHOUT ROWID;\n"
        + "INSERT INTO wr VALUES(2,'x'),(1,'y');\n"
        + "CREATE TRIGGER trg AFTER INSERT ON odd BEGIN UPDATE odd SET x = CASE WHEN new.x > 0"
        + " THEN 1 ELSE 2 END WHERE rowid = new.rowid; END;\n"
        + "CREATE VIEW v AS SELECT * FROM odd;\nCREATE INDEX odd_x ON odd(x);\n";
    Fixtures.runSqlite3(List.of(source.toString()),
        (Fixtures.text(Fixtures.SOURCE) + extra).getBytes(StandardCharsets.UTF_8));
    byte[] dump = Fixtures.runSqlite3(List.of(source.toString(), ".dump"), new byte[0]);
    Path loaded = load(dump);
    DatabaseCensus expected = DatabaseCensus.take(source);
    assertThat(expected.differencesFrom(DatabaseCensus.take(loaded))).isEmpty();
    assertThat(expected.table("counters").rowCount()).isEqualTo(4);
    assertThat(expected.objects()).extracting(DatabaseCensus.SchemaObject::name)
        .contains("odd_x", "trg", "v", "idx_tasks_project");
  }

  @Test
  void indexesCreatedBeforeTheDataAreStillThereAfterwards() throws Exception {
    String dump = Fixtures.text(Fixtures.SOURCE); // creates idx_tasks_project before any row
    Path ours = load(dump.getBytes(StandardCharsets.UTF_8));
    Path sqlite = sqliteExec(dump, "native.db");
    assertThat(DatabaseCensus.take(ours)).isEqualTo(DatabaseCensus.take(sqlite));
  }

  @Test
  void aDumpThatRollsBackIsRefused() {
    byte[] dump = "BEGIN TRANSACTION;\nCREATE TABLE t(x);\nINSERT INTO t VALUES(1);\nROLLBACK; -- due to errors\n"
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> load(dump))
        .isInstanceOf(DumpLoadException.class)
        .hasMessageContaining("rolls back its transaction at line 4")
        .hasMessageContaining("incomplete");
  }

  @Test
  void sqliteErrorsNameTheLineButNotTheValues() {
    byte[] dump = "CREATE TABLE t(x UNIQUE);\nINSERT INTO t VALUES('secret-value-1');\n\nINSERT INTO t VALUES('secret-value-1');\n"
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> load(dump))
        .isInstanceOf(DumpLoadException.class)
        .hasMessageContaining("inserting rows into t failed at line")
        .hasMessageContaining("UNIQUE constraint failed: t.x")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-value"));
    byte[] missing = "CREATE TABLE t(x);\nINSERT INTO nope VALUES(1);\n".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> load(missing))
        .hasMessageContaining("line 2")
        .hasMessageContaining("no such table: nope");
    assertThatThrownBy(() -> load("CREATE TABLE t(x);\nINSERT INTO t VALUES('cut".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(DumpLoadException.class)
        .hasMessageContaining("the dump is malformed")
        .hasMessageContaining("line 2");
  }

  @Test
  void refusesToOverwriteAnExistingFile() throws Exception {
    Path existing = dir.resolve("existing.db");
    Files.writeString(existing, "precious");
    assertThatThrownBy(() -> loader.load(Fixtures.stream(Fixtures.WRANGLER_4_164), existing, null, null))
        .isInstanceOf(DumpLoadException.class)
        .hasMessageContaining("already exists");
    assertThat(Files.readString(existing)).isEqualTo("precious");
  }

  @Test
  void aCheckpointedLoadResumesAfterACrashToTheSameDatabase() throws Exception {
    Path dump = dir.resolve("dump.sql");
    Files.write(dump, Fixtures.bytes(Fixtures.WRANGLER_4_164));
    Path whole = dir.resolve("whole.db");
    loader.load(dump, whole, null, null);

    Path db = dir.resolve("resumed.db");
    List<LoadCheckpoint> checkpoints = new ArrayList<>();
    LoadOptions options = LoadOptions.defaults().withCheckpointEvery(600);
    assertThatThrownBy(() -> loader.load(dump, db, options, new LoadProgressListener() {
      @Override
      public void onCheckpoint(LoadCheckpoint c) {
        checkpoints.add(c);
        if (checkpoints.size() == 3) {
          throw new IllegalStateException("worker killed");
        }
      }
    })).hasMessage("worker killed");
    LoadCheckpoint last = checkpoints.get(2);
    assertThat(last.position().statementIndex()).isBetween(3L, 19L);

    // A checkpoint that does not match the file is refused rather than silently completed.
    Map<String, Long> wrongCounts = new java.util.HashMap<>(last.rowsPerTable());
    wrongCounts.merge("projects", 1L, Long::sum);
    LoadCheckpoint wrong = new LoadCheckpoint(last.position(), wrongCounts, last.deferredIndexSql(),
        last.inTransactionBlock());
    assertThatThrownBy(() -> loader.resume(dump, db, wrong, options, null))
        .isInstanceOf(DumpLoadException.class)
        .hasMessageContaining("checkpoint recorded 3");

    LoadResult r = loader.resume(dump, db, last, options, null);
    assertThat(r.rows()).isEqualTo(13);
    assertThat(DatabaseCensus.take(db)).isEqualTo(DatabaseCensus.take(whole));
    assertThat(dir.resolve("resumed.db-wal")).doesNotExist();
  }

  private Path load(byte[] dump) {
    Path db = dir.resolve("loaded-" + System.nanoTime() + ".db");
    loader.load(new ByteArrayInputStream(dump), db, null, null);
    return db;
  }

  /** What SQLite's own parser makes of the SQL (the same engine as {@code sqlite3 db < dump}). */
  private Path sqliteExec(String sql, String name) throws Exception {
    Path db = dir.resolve(name);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      ((SQLiteConnection) c).getDatabase()._exec(sql);
    }
    return db;
  }

  private static List<String> typeofRow(Path db, int id) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT typeof(any_), typeof(i), typeof(r), typeof(t), typeof(n) FROM v WHERE id = " + id)) {
      rs.next();
      List<String> out = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        out.add(rs.getString(i));
      }
      return out;
    }
  }
}
