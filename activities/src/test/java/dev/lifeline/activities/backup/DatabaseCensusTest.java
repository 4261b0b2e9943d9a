package dev.lifeline.activities.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;

class DatabaseCensusTest {
  @TempDir Path dir;

  @Test
  void anIntegerThatBecameARealIsADifferenceEvenThoughSqlCallsThemEqual() throws Exception {
    // A column without affinity keeps what it is given: INTEGER 1 in the source, REAL 1.0 after a
    // lossy round trip (JSON numbers, a dump written with "1.0"). SQL, and so sqldiff (which
    // compares with IS NOT), sees the same value.
    Path a = db("a.db", "CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
        + "INSERT INTO counters VALUES('one', 1), ('big', 9007199254740992);"
        + "CREATE TABLE raw(v);INSERT INTO raw VALUES(1),(2.5);");
    Path b = db("b.db", "CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
        + "INSERT INTO counters VALUES('one', 1), ('big', CAST(9007199254740992 AS REAL));"
        + "CREATE TABLE raw(v);INSERT INTO raw VALUES(1.0),(2.5);");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + a)) {
      c.createStatement().execute("ATTACH '" + b + "' AS b");
      try (ResultSet rs = c.createStatement().executeQuery(
          "SELECT (SELECT count(*) FROM raw x JOIN b.raw y ON x.rowid = y.rowid WHERE x.v IS NOT y.v),"
              + " (SELECT typeof(v) FROM raw WHERE rowid = 1), (SELECT typeof(v) FROM b.raw WHERE rowid = 1)")) {
        rs.next();
        assertThat(rs.getInt(1)).as("rows SQL finds different").isZero();
        assertThat(rs.getString(2)).isEqualTo("integer");
        assertThat(rs.getString(3)).isEqualTo("real");
      }
    }
    DatabaseCensus ca = DatabaseCensus.take(a);
    DatabaseCensus cb = DatabaseCensus.take(b);
    assertThat(ca.rowCounts()).isEqualTo(cb.rowCounts()).isEqualTo(Map.of("counters", 2L, "raw", 2L));
    // INTEGER affinity turned the REAL back into the same INTEGER: no difference there.
    assertThat(ca.table("counters")).isEqualTo(cb.table("counters"));
    assertThat(ca.differencesFrom(cb)).containsExactly(
        "table raw: same row count but different values or types (checksum "
            + cb.table("raw").checksum() + ", expected " + ca.table("raw").checksum() + ")");
    assertThat(ca.table("raw").checksum()).startsWith("sha256:").hasSize(7 + 64);
  }

  @Test
  void censusIsStableAndIgnoresImplicitRowidsButNotRowOrder() throws Exception {
    Path a = db("a.db", "CREATE TABLE t(x);INSERT INTO t VALUES('a'),('gap'),('b');DELETE FROM t WHERE x='gap';");
    Path b = db("b.db", "CREATE TABLE t(x);INSERT INTO t VALUES('a'),('b');");
    Path c = db("c.db", "CREATE TABLE t(x);INSERT INTO t VALUES('b'),('a');");
    assertThat(DatabaseCensus.take(a)).isEqualTo(DatabaseCensus.take(b));
    assertThat(DatabaseCensus.take(a)).isNotEqualTo(DatabaseCensus.take(c));
    Path w1 = db("w1.db", "CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID;INSERT INTO w VALUES('b',2),('a',1);");
    Path w2 = db("w2.db", "CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID;INSERT INTO w VALUES('a',1),('b',2);");
    assertThat(DatabaseCensus.take(w1)).isEqualTo(DatabaseCensus.take(w2));
    assertThat(DatabaseCensus.take(w1).table("w").withoutRowid()).isTrue();
  }

  @Test
  void reportsForeignKeyViolationsPerTableAndIntegrity() throws Exception {
    Path a = db("fk.db", "CREATE TABLE projects(id TEXT PRIMARY KEY);"
        + "CREATE TABLE tasks(id TEXT PRIMARY KEY, project_id TEXT REFERENCES projects(id));"
        + "INSERT INTO projects VALUES('p1');"
        + "INSERT INTO tasks VALUES('t1','p1'),('t2','gone'),('t3','gone');");
    DatabaseCensus c = DatabaseCensus.take(a);
    assertThat(c.integrityCheck()).isEqualTo("integrity_check");
    assertThat(c.integrityMessages()).containsExactly("ok");
    assertThat(c.foreignKeyViolations()).isEqualTo(Map.of("tasks", 2L));
    assertThat(c.healthy()).isFalse();
    DatabaseCensus quick = DatabaseCensus.take(a,
        DatabaseCensus.Options.defaults().withIntegrity(DatabaseCensus.IntegrityCheck.QUICK));
    assertThat(quick.integrityCheck()).isEqualTo("quick_check");
    assertThat(quick.tables()).isEqualTo(c.tables());
  }

  private Path db(String name, String sql) throws Exception {
    Path p = dir.resolve(name);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + p)) {
      ((SQLiteConnection) c).getDatabase()._exec(sql);
    }
    return p;
  }
}
