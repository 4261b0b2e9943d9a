package dev.lifeline.activities.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.activities.backup.LossyPatch.TypedValue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;

/**
 * The fixture end to end: the source database (A), the real wrangler 4.164 export of it loaded into
 * B, and the detector's patches captured from A (standing in for D1) make B equal to A.
 */
class LossyExportDetectorTest {
  @TempDir Path dir;

  @Test
  void patchesFromTheSourceMakeTheLoadedExportIdenticalToIt() throws Exception {
    Path a = dir.resolve("source.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + a)) {
      ((SQLiteConnection) c).getDatabase()._exec(Fixtures.text(Fixtures.SOURCE));
    }
    Path b = dir.resolve("from-export.db");
    new SqliteLoader().load(Fixtures.stream(Fixtures.WRANGLER_4_164), b, null, null);

    // Without patches the export differs from the source exactly where the fixture README says.
    DatabaseCensus source = DatabaseCensus.take(a);
    DatabaseCensus loaded = DatabaseCensus.take(b);
    assertThat(source.rowCounts()).isEqualTo(loaded.rowCounts());
    assertThat(source.differencesFrom(loaded))
        .hasSize(2)
        .anySatisfy(d -> assertThat(d).startsWith("table counters: same row count but different"))
        .anySatisfy(d -> assertThat(d).startsWith("table tasks: same row count but different"));
    assertThat(differingCells(a, b)).containsExactly(
        "counters/max_int64/value integer->real",
        "counters/min_int64/value integer->real",
        "counters/unsafe_int/value integer->integer",
        "tasks/t4/title text->text");

    LossyPatchSet patches;
    JdbcSource d1;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + a)) {
      d1 = new JdbcSource(c);
      LossyExportDetector detector = new LossyExportDetector();
      patches = detector.detect(d1, detector.describe(d1));
    }
    assertThat(patches.uncheckedTables()).isEmpty();
    assertThat(patches.rowsPerTable()).isEqualTo(Map.of("counters", 3L, "tasks", 1L));
    assertThat(patches.patches()).extracting(p -> p.key().values().get(0).toSqlValue())
        .containsExactly(new SqlValue.Text("max_int64"), new SqlValue.Text("min_int64"),
            new SqlValue.Text("unsafe_int"), new SqlValue.Text("t4"));
    assertThat(patches.patches().get(0).values())
        .isEqualTo(Map.of("value", new TypedValue("integer", "9223372036854775807")));
    assertThat(patches.patches().get(1).values())
        .isEqualTo(Map.of("value", new TypedValue("integer", "-9223372036854775808")));
    assertThat(patches.patches().get(2).values())
        .isEqualTo(Map.of("value", new TypedValue("integer", "9007199254740993")));
    assertThat(patches.patches().get(3).values()).isEqualTo(Map.of("title", new TypedValue("text",
        HexFormat.of().formatHex("path C:\\new\nx".getBytes(StandardCharsets.UTF_8)))));
    assertThat(patches.patches().get(3).reasons()).singleElement().asString()
        .startsWith("title: TEXT with a newline and a literal backslash-n");
    // Every statement the detector sent is read-only and far below D1's 100 KB statement limit.
    assertThat(d1.statements).allSatisfy(s -> {
      assertThat(s).doesNotContainIgnoringCase("UPDATE ").doesNotContainIgnoringCase("INSERT ");
      assertThat(s.length()).isLessThan(100_000);
    });

    // Stored next to the backup as NDJSON, read back, applied to the loaded export.
    ByteArrayOutputStream ndjson = new ByteArrayOutputStream();
    patches.writeNdjson(ndjson);
    String text = ndjson.toString(StandardCharsets.UTF_8);
    assertThat(text.lines()).hasSize(5).first().asString().contains(LossyPatchSet.FORMAT);
    assertThat(text).doesNotContain("path C:"); // text travels as hex
    LossyPatchSet stored = LossyPatchSet.readNdjson(new ByteArrayInputStream(ndjson.toByteArray()));
    assertThat(stored).isEqualTo(patches);

    LossyPatchSet.ApplyResult applied = stored.applyTo(b);
    assertThat(applied.patchedRows()).isEqualTo(4);
    assertThat(applied.unmatched()).isEmpty();
    DatabaseCensus patched = DatabaseCensus.take(b);
    assertThat(source.differencesFrom(patched)).isEmpty();
    assertThat(patched).isEqualTo(source);
    assertThat(differingCells(a, b)).isEmpty();
  }

  @Test
  void smallWindowsPageThroughTheTableWithTheSameResult() throws Exception {
    Path a = dir.resolve("source.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + a)) {
      ((SQLiteConnection) c).getDatabase()._exec(Fixtures.text(Fixtures.SOURCE));
      JdbcSource d1 = new JdbcSource(c);
      LossyExportDetector wide = new LossyExportDetector();
      LossyExportDetector narrow = new LossyExportDetector(1);
      assertThat(narrow.detect(d1, narrow.describe(d1))).isEqualTo(wide.detect(d1, wide.describe(d1)));
    }
  }

  /** table/key/column and storage classes of every cell that differs between a and b (PK join). */
  static List<String> differingCells(Path a, Path b) throws Exception {
    Set<String> out = new TreeSet<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + a)) {
      c.createStatement().execute("ATTACH '" + b + "' AS b");
      Map<String, String> keys = Map.of("projects", "id", "tasks", "id", "counters", "name",
          "d1_migrations", "id", "sqlite_sequence", "name");
      for (Map.Entry<String, String> t : keys.entrySet()) {
        List<String> columns = new ArrayList<>();
        try (ResultSet rs = c.createStatement().executeQuery("SELECT name FROM pragma_table_info('" + t.getKey() + "')")) {
          while (rs.next()) {
            columns.add(rs.getString(1));
          }
        }
        for (String col : columns) {
          String sql = "SELECT x.\"" + t.getValue() + "\", typeof(x.\"" + col + "\"), typeof(y.\"" + col + "\")"
              + " FROM main.\"" + t.getKey() + "\" x JOIN b.\"" + t.getKey() + "\" y USING(\"" + t.getValue() + "\")"
              + " WHERE typeof(x.\"" + col + "\") IS NOT typeof(y.\"" + col + "\")"
              + " OR quote(x.\"" + col + "\") IS NOT quote(y.\"" + col + "\")";
          try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
              out.add(t.getKey() + "/" + rs.getString(1) + "/" + col + " " + rs.getString(2) + "->" + rs.getString(3));
            }
          }
        }
      }
    }
    return new ArrayList<>(out);
  }
}
