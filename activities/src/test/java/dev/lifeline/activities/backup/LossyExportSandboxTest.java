package dev.lifeline.activities.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.activities.cloudflare.CloudflareClient;
import dev.lifeline.activities.cloudflare.ContractCheckedSandbox;
import dev.lifeline.activities.cloudflare.D1ExportOptions;
import dev.lifeline.activities.cloudflare.D1RawResult;
import dev.lifeline.activities.cloudflare.D1Statement;
import dev.lifeline.activities.cloudflare.Idempotency;
import dev.lifeline.sandbox.SandboxAccount;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;

/**
 * The harder lossy cases through the real client and the sandbox's D1 (its exporter reproduces
 * Cloudflare's, its {@code /raw} returns JSON): a table without a primary key (rows found by
 * position), a WITHOUT ROWID table whose primary key is itself an integer the export rounds, an
 * integral REAL in a column without affinity, and a carriage return beside a literal backslash-r.
 */
class LossyExportSandboxTest {
  @TempDir Path dir;

  @Test
  void theDetectorReadsD1ThroughItsRawApiAndRepairsEveryLossyValue() throws Exception {
    try (ContractCheckedSandbox cf = ContractCheckedSandbox.start()) {
      SandboxAccount.D1Database db = cf.sandbox().account().createD1Database("edge");
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.file())) {
        ((SQLiteConnection) c).getDatabase()._exec(String.join("\n",
            "CREATE TABLE nopk(v, note TEXT);",
            "INSERT INTO nopk VALUES('first', 'a'), (9223372036854775807, 'b'), ('gone', 'c'),"
                + " (1.0, 'x\\ny' || char(10)), (2.5, 'cr' || char(13) || 'lit\\r');",
            "DELETE FROM nopk WHERE v = 'gone';", // a rowid gap the export does not keep
            "CREATE TABLE ids(k INTEGER, label TEXT, PRIMARY KEY(k)) WITHOUT ROWID;",
            "INSERT INTO ids VALUES(1152921504606846977, 'big key'), (7, 'small'),"
                + " (-1152921504606846977, 'tab\\n' || char(10));",
            "CREATE TABLE plain(id INTEGER PRIMARY KEY, amount REAL, qty NUMERIC);",
            "INSERT INTO plain VALUES(1, 1.0, 1.0), (9007199254740993, 0.5, 3);"));
      }
      // From the one factory that checks every sandbox answer against the OpenAPI subset.
      CloudflareClient client = cf.client();
      ByteArrayOutputStream export = new ByteArrayOutputStream();
      client.d1().exportTo(db.uuid(), D1ExportOptions.full(), export, null);
      Path loaded = dir.resolve("loaded.db");
      new SqliteLoader().load(new ByteArrayInputStream(export.toByteArray()), loaded, null, null);
      DatabaseCensus source = DatabaseCensus.take(db.file());
      assertThat(source.differencesFrom(DatabaseCensus.take(loaded))).hasSize(3);

      LossyExportDetector.SourceQuery d1 = (sql, params) -> {
        List<D1RawResult> r = client.d1().raw(db.uuid(), new D1Statement(sql, new ArrayList<>(params)),
            Idempotency.IDEMPOTENT);
        return r.get(0).results().rows();
      };
      LossyExportDetector detector = new LossyExportDetector(2);
      LossyPatchSet patches = detector.detect(d1, detector.describe(d1));
      assertThat(patches.uncheckedTables()).isEmpty();
      assertThat(patches.rowsPerTable()).isEqualTo(Map.of("nopk", 3L, "ids", 2L, "plain", 1L));
      assertThat(patches.patches().stream().filter(p -> p.table().equals("nopk")))
          .extracting(p -> p.key().ordinal()).containsExactly(2L, 3L, 4L);

      LossyPatchSet.ApplyResult applied = patches.applyTo(loaded);
      assertThat(applied.unmatched()).isEmpty();
      assertThat(applied.patchedRows()).isEqualTo(6);
      assertThat(source.differencesFrom(DatabaseCensus.take(loaded))).isEmpty();
    }
  }
}
