package dev.lifeline.activities.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The aggregate fingerprint changes with what D1's export loses and with missing rows. */
class SourceFingerprintTest {
  @TempDir Path dir;
  private Connection c;
  private String clean;

  @BeforeEach
  void table() throws Exception {
    c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.sqlite"));
    try (Statement st = c.createStatement()) {
      st.executeUpdate("CREATE TABLE \"odd name\" (id INTEGER PRIMARY KEY, n INTEGER, r REAL, t TEXT, b BLOB)");
      st.executeUpdate("INSERT INTO \"odd name\" VALUES (1, 9223372036854775807, 1.5, 'C:\\new' || char(10) || 'x', X'00ff'),"
          + " (2, -7, NULL, 'plain', NULL), (3, NULL, 2.25, NULL, X'')");
    }
    clean = SourceFingerprint.take(c, "odd name");
  }

  private String after(String sql) throws Exception {
    try (Statement st = c.createStatement()) {
      st.executeUpdate(sql);
    }
    return SourceFingerprint.take(c, "odd name");
  }

  @Test
  void isStableAndSchemeTagged() throws Exception {
    assertThat(clean).startsWith("fp1:").hasSize(4 + 64);
    assertThat(SourceFingerprint.take(c, "odd name")).isEqualTo(clean);
    assertThat(SourceFingerprint.isFingerprint(clean)).isTrue();
    assertThat(SourceFingerprint.isFingerprint("sha256:00")).isFalse();
  }

  @Test
  void anIntegerReadBackAsARealChangesIt() throws Exception {
    assertThat(after("UPDATE \"odd name\" SET n = 9223372036854775807.0 WHERE id = 1")).isNotEqualTo(clean);
  }

  @Test
  void aMangledNewlineChangesIt() throws Exception {
    assertThat(after("UPDATE \"odd name\" SET t = replace(t, '\\n', char(10)) WHERE id = 1")).isNotEqualTo(clean);
  }

  @Test
  void aMissingRowOrAChangedNumberChangesIt() throws Exception {
    assertThat(after("UPDATE \"odd name\" SET r = 2.5 WHERE id = 3")).isNotEqualTo(clean);
    assertThat(after("UPDATE \"odd name\" SET r = 2.25 WHERE id = 3")).isEqualTo(clean);
    assertThat(after("UPDATE \"odd name\" SET n = -8 WHERE id = 2")).isNotEqualTo(clean);
    assertThat(after("DELETE FROM \"odd name\" WHERE id = 3")).isNotEqualTo(clean);
  }

  @Test
  void readsD1sJsonNumbersLikeJdbcLongs() {
    assertThat(SourceFingerprint.of(List.of(3, 2.0, 7L))).isEqualTo(SourceFingerprint.of(List.of(3L, 2L, "7")));
    assertThat(SourceFingerprint.rows(List.of(3.0, 1))).isEqualTo(3);
  }
}
