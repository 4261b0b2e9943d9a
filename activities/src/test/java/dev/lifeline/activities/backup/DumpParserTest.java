package dev.lifeline.activities.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeline.activities.backup.DumpStatement.Insert;
import dev.lifeline.activities.backup.DumpStatement.Kind;
import dev.lifeline.activities.backup.DumpStatement.Sql;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DumpParserTest {

  @Test
  void parsesTheWrangler4164ExportWithColumnLists() throws IOException {
    List<DumpStatement> all = parse(Fixtures.bytes(Fixtures.WRANGLER_4_164));
    assertThat(all).hasSize(20);
    assertThat(all.get(0)).isEqualTo(new Sql(Kind.PRAGMA, "PRAGMA defer_foreign_keys=TRUE", null,
        DumpPosition.START));
    assertThat(((Sql) all.get(1)).kind()).isEqualTo(Kind.CREATE_TABLE);
    assertThat(((Sql) all.get(1)).objectName()).isEqualTo("projects");

    Insert p2 = (Insert) all.get(3);
    assertThat(p2.table()).isEqualTo("projects");
    assertThat(p2.columns()).containsExactly("id", "name", "created_at");
    assertThat(p2.rows().get(0).get(1)).isEqualTo(new SqlValue.Text("Ünïcödé 🚀 project"));
    assertThat(p2.position().line()).isEqualTo(4);

    Map<String, List<SqlValue>> tasks = rowsById(all, "tasks");
    assertThat(tasks.get("t1")).containsExactly(new SqlValue.Text("t1"), new SqlValue.Text("p1"),
        new SqlValue.Text("Write plan"), new SqlValue.Text("PENDING"), SqlValue.Int.of(1),
        new SqlValue.Real(2.5), SqlValue.NULL, new SqlValue.Text("2026-10-03T10:00:00Z"));
    assertThat(tasks.get("t2").get(2)).isEqualTo(new SqlValue.Text("O'Brien's review"));
    assertThat(tasks.get("t2").get(6))
        .isEqualTo(new SqlValue.Blob(HexFormat.of().parseHex("deadbeef00ff")));
    // The exporter's lossy newline encoding, decoded exactly as SQLite would.
    assertThat(tasks.get("t3").get(2)).isEqualTo(new SqlValue.Text("multi\nline title", true, null));
    assertThat(tasks.get("t4").get(2)).isEqualTo(new SqlValue.Text("path C:\new\nx", true, null));
    assertThat(((SqlValue.Text) tasks.get("t4").get(2)).value()).isEqualTo("path C:\n" + "ew\nx");
    assertThat(tasks.get("t4").get(5)).isEqualTo(new SqlValue.Real(1e300));

    Map<String, List<SqlValue>> counters = rowsById(all, "counters");
    SqlValue max = counters.get("max_int64").get(1);
    assertThat(max).isInstanceOf(SqlValue.Real.class);
    assertThat(((SqlValue.Real) max).integerLiteral()).isEqualTo("9223372036854776000");
    assertThat(((SqlValue.Real) counters.get("min_int64").get(1)).integerLiteral())
        .isEqualTo("-9223372036854776000");
    assertThat(counters.get("safe_int").get(1)).isEqualTo(SqlValue.Int.of(9007199254740991L));
    assertThat(((SqlValue.Int) counters.get("unsafe_int").get(1)).value()).isEqualTo(9007199254740992L);

    assertThat(all.stream().filter(s -> s instanceof Sql q && q.kind() == Kind.DELETE)
        .map(s -> ((Sql) s).sql())).containsExactly("DELETE FROM sqlite_sequence");
    Sql last = (Sql) all.get(19);
    assertThat(last.kind()).isEqualTo(Kind.CREATE_INDEX);
    assertThat(last.sql()).isEqualTo("CREATE INDEX idx_tasks_project ON tasks(project_id)");
    assertThat(last.position().line()).isEqualTo(20);
  }

  @Test
  void theOlderWranglerStyleWithoutColumnListsGivesTheSameValues() throws IOException {
    List<DumpStatement> withColumns = parse(Fixtures.bytes(Fixtures.WRANGLER_4_164));
    List<DumpStatement> without =
        parse(Fixtures.wranglerWithoutColumnLists().getBytes(StandardCharsets.UTF_8));
    assertThat(without).hasSameSizeAs(withColumns);
    for (int i = 0; i < without.size(); i++) {
      if (withColumns.get(i) instanceof Insert a) {
        Insert b = (Insert) without.get(i);
        assertThat(b.columns()).isEmpty();
        assertThat(b.table()).isEqualTo(a.table());
        assertThat(b.rows()).isEqualTo(a.rows());
      }
    }
  }

  @Test
  void evaluatesTheExpressionFormsExportersWrite() throws IOException {
    String sql = "INSERT INTO t VALUES(1,'a'||char(10)||'b'),(2,unistr('x\\u000ay\\\\z\\+01F680')),"
        + "(3,replace(replace('a\\r\\nb','\\r',char(13)),'\\n',char(10))),"
        + "(4,replace('path C:\\new\\012x','\\012',char(10))),(-5,-1.5e-3),(0x10,+7),"
        + "(-9223372036854775808,9223372036854775808),(-9223372036854775809,1e999),(.5,NULL||'x'),"
        + "(X'',''''),(TRUE,'it''s; -- not a comment');";
    Insert ins = (Insert) parse(sql.getBytes(StandardCharsets.UTF_8)).get(0);
    List<List<SqlValue>> r = ins.rows();
    assertThat(ins.columns()).isEmpty();
    assertThat(r).hasSize(11);
    assertThat(r.get(0).get(1)).isEqualTo(new SqlValue.Text("a\nb"));
    assertThat(r.get(1).get(1)).isEqualTo(new SqlValue.Text("x\ny\\z🚀"));
    assertThat(r.get(2).get(1)).isEqualTo(new SqlValue.Text("a\r\nb", true, null));
    assertThat(r.get(3).get(1)).isEqualTo(new SqlValue.Text("path C:\\new\nx"));
    assertThat(r.get(4)).containsExactly(SqlValue.Int.of(-5), new SqlValue.Real(-1.5e-3));
    assertThat(r.get(5)).containsExactly(SqlValue.Int.of(16), SqlValue.Int.of(7));
    assertThat(r.get(6).get(0)).isEqualTo(SqlValue.Int.of(Long.MIN_VALUE));
    assertThat(r.get(6).get(1)).isEqualTo(new SqlValue.Real(9.223372036854775808e18, "9223372036854775808"));
    assertThat(r.get(7).get(0))
        .isEqualTo(new SqlValue.Real(-9.223372036854775809e18, "-9223372036854775809"));
    assertThat(r.get(7).get(1)).isEqualTo(new SqlValue.Real(Double.POSITIVE_INFINITY));
    assertThat(r.get(8)).containsExactly(new SqlValue.Real(0.5), SqlValue.NULL);
    assertThat(r.get(9)).containsExactly(new SqlValue.Blob(new byte[0]), new SqlValue.Text("'"));
    assertThat(r.get(10)).containsExactly(SqlValue.Int.of(1), new SqlValue.Text("it's; -- not a comment"));
  }

  @Test
  void leavesWhatItCannotEvaluateExactlyToSqlite() throws IOException {
    List<DumpStatement> all = parse(("INSERT INTO \"t\" VALUES(datetime('now'));\n"
        + "INSERT INTO t SELECT * FROM u;\n"
        + "INSERT INTO t(a) VALUES(1) ON CONFLICT DO NOTHING;\n"
        + "INSERT INTO t VALUES(1),(2,3);\n"
        + "INSERT INTO t VALUES('a'||1);\n"
        + "INSERT OR REPLACE INTO main.t(a) VALUES(1);\n"
        + "REPLACE INTO [t] (`a`) VALUES(2);\n").getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 5; i++) {
      assertThat(all.get(i)).isInstanceOf(Sql.class);
      assertThat(((Sql) all.get(i)).kind()).isEqualTo(Kind.INSERT);
      assertThat(((Sql) all.get(i)).objectName()).isEqualTo("t");
    }
    assertThat(((Sql) all.get(0)).sql()).isEqualTo("INSERT INTO \"t\" VALUES(datetime('now'))");
    Insert orReplace = (Insert) all.get(5);
    assertThat(orReplace.schema()).isEqualTo("main");
    assertThat(orReplace.conflictAction()).isEqualTo("REPLACE");
    Insert replace = (Insert) all.get(6);
    assertThat(replace.table()).isEqualTo("t");
    assertThat(replace.columns()).containsExactly("a");
    assertThat(replace.conflictAction()).isEqualTo("REPLACE");
  }

  @Test
  void triggerBodiesCommentsAndQuotedSemicolonsStayInOneStatement() throws IOException {
    String sql = "-- header; comment\nCREATE TABLE \"a;b\"(x);\n/* block; */\n"
        + "CREATE TRIGGER trg AFTER INSERT ON \"a;b\" BEGIN\n"
        + "  UPDATE \"a;b\" SET x = CASE WHEN new.x > 0 THEN 'y;' ELSE 2 END WHERE rowid = new.rowid;\n"
        + "  DELETE FROM \"a;b\" WHERE x IS NULL;\nEND;\n"
        + "CREATE TEMP TRIGGER t2 BEFORE DELETE ON x BEGIN SELECT 1; END;\n"
        + "CREATE VIEW v AS SELECT ';' AS s;\nBEGIN TRANSACTION;\nCOMMIT;\n;;\n";
    List<DumpStatement> all = parse(sql.getBytes(StandardCharsets.UTF_8));
    assertThat(all).extracting(s -> ((Sql) s).kind()).containsExactly(Kind.CREATE_TABLE,
        Kind.CREATE_TRIGGER, Kind.CREATE_TRIGGER, Kind.CREATE_VIEW, Kind.BEGIN, Kind.COMMIT);
    assertThat(((Sql) all.get(0)).objectName()).isEqualTo("a;b");
    Sql trigger = (Sql) all.get(1);
    assertThat(trigger.objectName()).isEqualTo("trg");
    assertThat(trigger.sql()).startsWith("CREATE TRIGGER trg").endsWith("END").contains("DELETE FROM");
    assertThat(trigger.position().line()).isEqualTo(4);
    assertThat(all.get(5).position().statementIndex()).isEqualTo(5);
  }

  @Test
  void malformedInputFailsWithItsLineNumber() {
    assertThatThrownBy(() -> parse("CREATE TABLE t(x);\nINSERT INTO t VALUES('unterminated);\n"
            .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(DumpFormatException.class)
        .hasMessageContaining("unterminated string literal that starts on line 2")
        .satisfies(e -> assertThat(((DumpFormatException) e).line()).isEqualTo(2));
    assertThatThrownBy(() -> parse("CREATE TABLE t(x);\n\nINSERT INTO t VALUES(1)".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(DumpFormatException.class)
        .hasMessageContaining("no terminating ';'")
        .hasMessageContaining("line 3");
    assertThatThrownBy(() -> parse("SELECT 1;\n\0\0".getBytes(StandardCharsets.ISO_8859_1)))
        .hasMessageContaining("binary data")
        .hasMessageContaining("line 2");
    assertThatThrownBy(() -> parse(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 1, 2}))
        .hasMessageContaining("zstd-compressed");
  }

  @Test
  void refusesABinarySqliteFile(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("real.db");
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        var st = c.createStatement()) {
      st.execute("CREATE TABLE t(x)");
    }
    assertThatThrownBy(() -> parse(Files.readAllBytes(db)))
        .isInstanceOf(DumpFormatException.class)
        .hasMessageStartingWith("this is a binary SQLite database file, not a SQL dump");
  }

  @Test
  void resumesFromACheckpointWithTheSameIndexesAndLines() throws IOException {
    byte[] dump = Fixtures.bytes(Fixtures.WRANGLER_4_164);
    List<DumpStatement> all = parse(dump);
    DumpPosition checkpoint;
    try (DumpParser p = DumpParser.open(new ByteArrayInputStream(dump))) {
      for (int i = 0; i < 7; i++) {
        p.next();
      }
      checkpoint = p.position();
    }
    assertThat(checkpoint.statementIndex()).isEqualTo(7);
    InputStream rest = new ByteArrayInputStream(dump);
    rest.skipNBytes(checkpoint.byteOffset());
    List<DumpStatement> resumed = new ArrayList<>();
    try (DumpParser p = DumpParser.open(rest, checkpoint, DumpParser.DEFAULT_MAX_STATEMENT_BYTES)) {
      DumpStatement s;
      while ((s = p.next()) != null) {
        resumed.add(s);
      }
    }
    assertThat(resumed).isEqualTo(all.subList(7, all.size()));
  }

  @Test
  void statementsLargerThanTheBufferGrowItUpToTheLimit() throws IOException {
    byte[] blob = new byte[1_500_000];
    new java.util.Random(1).nextBytes(blob);
    String sql = "INSERT INTO t VALUES(X'" + HexFormat.of().formatHex(blob) + "');";
    Insert ins = (Insert) parse(sql.getBytes(StandardCharsets.US_ASCII)).get(0);
    assertThat(ins.rows().get(0).get(0)).isEqualTo(new SqlValue.Blob(blob));
    assertThatThrownBy(() -> {
      try (DumpParser p = DumpParser.open(new ByteArrayInputStream(sql.getBytes(StandardCharsets.US_ASCII)),
          DumpPosition.START, 64 * 1024)) {
        p.next();
      }
    }).isInstanceOf(DumpFormatException.class).hasMessageContaining("larger than 65536 bytes");
  }

  @Test
  void readsRealSqlite3DumpOutput(@TempDir Path dir) throws IOException {
    Path sqlite3 = Fixtures.sqlite3();
    Path db = dir.resolve("src.db");
    Fixtures.runSqlite3(List.of(db.toString()), (Fixtures.text(Fixtures.SOURCE)
        + "CREATE TABLE odd(\"we ird\" TEXT, x REAL);\n"
        + "INSERT INTO odd VALUES('a'||char(13)||char(10)||'b', 1.0), ('back\\nslash'||char(10), 0.1);\n"
        + "CREATE TRIGGER trg AFTER INSERT ON odd BEGIN UPDATE odd SET x = CASE WHEN new.x > 0"
        + " THEN 1 ELSE 2 END WHERE rowid = new.rowid; END;\n").getBytes(StandardCharsets.UTF_8));
    byte[] dump = Fixtures.runSqlite3(List.of(db.toString(), ".dump"), new byte[0]);
    List<DumpStatement> all = parse(dump);
    assertThat(sqlite3).isNotNull();
    assertThat(((Sql) all.get(0)).kind()).isEqualTo(Kind.PRAGMA);
    assertThat(((Sql) all.get(1)).kind()).isEqualTo(Kind.BEGIN);
    assertThat(((Sql) all.get(all.size() - 1)).kind()).isEqualTo(Kind.COMMIT);
    Map<String, List<SqlValue>> tasks = rowsById(all, "tasks");
    assertThat(tasks.get("t4").get(2)).extracting(v -> ((SqlValue.Text) v).value())
        .isEqualTo("path C:\\new\nx"); // sqlite3 picks a placeholder that is not in the text
    assertThat(tasks.get("t4").get(5)).isEqualTo(new SqlValue.Real(1e300));
    assertThat(tasks.get("t3").get(5)).isEqualTo(new SqlValue.Real(0.1));
    Map<String, List<SqlValue>> counters = rowsById(all, "counters");
    assertThat(counters.get("max_int64").get(1)).isEqualTo(SqlValue.Int.of(Long.MAX_VALUE));
    assertThat(counters.get("min_int64").get(1)).isEqualTo(SqlValue.Int.of(Long.MIN_VALUE));
    assertThat(counters.get("unsafe_int").get(1)).isEqualTo(SqlValue.Int.of(9007199254740993L));
    Insert odd = all.stream().filter(s -> s instanceof Insert i && i.table().equals("odd"))
        .map(Insert.class::cast).findFirst().orElseThrow();
    assertThat(odd.rows().get(0).get(0)).extracting(v -> ((SqlValue.Text) v).value()).isEqualTo("a\r\nb");
    assertThat(all.stream().filter(s -> s instanceof Sql q && q.kind() == Kind.CREATE_TRIGGER)).hasSize(1);
  }

  static List<DumpStatement> parse(byte[] dump) throws IOException {
    List<DumpStatement> out = new ArrayList<>();
    try (DumpParser p = DumpParser.open(new ByteArrayInputStream(dump))) {
      DumpStatement s;
      while ((s = p.next()) != null) {
        out.add(s);
      }
    }
    return out;
  }

  private static Map<String, List<SqlValue>> rowsById(List<DumpStatement> all, String table) {
    Map<String, List<SqlValue>> out = new java.util.LinkedHashMap<>();
    for (DumpStatement s : all) {
      if (s instanceof Insert i && i.table().equals(table)) {
        for (List<SqlValue> row : i.rows()) {
          out.put(((SqlValue.Text) row.get(0)).value(), row);
        }
      }
    }
    return out;
  }
}
