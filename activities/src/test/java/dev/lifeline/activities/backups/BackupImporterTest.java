package dev.lifeline.activities.backups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.env.SandboxBackends;
import dev.lifeline.sandbox.CloudflareSandbox;
import dev.lifeline.sandbox.SandboxOptions;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.Verification;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Importing existing dumps as verified backups. */
class BackupImporterTest {
  @TempDir Path dir;
  private CloudflareSandbox sandbox;
  private Backends backends;

  @BeforeEach
  void start() {
    sandbox = CloudflareSandbox.start(SandboxOptions.builder().build());
    sandbox.account().createR2Bucket("monotask-backups");
    backends = new Backends(SandboxBackends.settings(sandbox, dir.resolve("work")));
  }

  @AfterEach
  void stop() {
    backends.close();
    sandbox.close();
  }

  private Path fixture(String name) throws Exception {
    Path p = dir.resolve(name);
    Files.copy(Path.of(getClass().getResource("/fixtures/" + name).toURI()), p);
    return p;
  }

  @Test
  void aWranglerExportBecomesAVerifiedBackupWithItsLossesFlagged() throws Exception {
    Path dump = fixture("d1-export-wrangler-4.164.sql");
    Instant taken = Instant.parse("2026-11-20T02:00:00Z");
    BackupManifest m = new BackupImporter(backends).importFile(dump, "monotask-fixture", taken);

    assertThat(m.usable()).isTrue();
    assertThat(m.tier()).isEqualTo("imported");
    assertThat(m.createdAt()).isEqualTo(taken);
    assertThat(m.tables()).extracting(BackupManifest.TableManifest::name, BackupManifest.TableManifest::rows)
        .contains(org.assertj.core.groups.Tuple.tuple("tasks", 4L), org.assertj.core.groups.Tuple.tuple("counters", 4L));
    assertThat(m.lossy()).allSatisfy(l -> assertThat(l.captured()).isFalse());
    assertThat(m.lossy()).anySatisfy(l -> {
      assertThat(l.table() + "." + l.column()).isEqualTo("counters.value");
      assertThat(l.problem()).contains("beyond 64 bits");
      assertThat(l.rows()).isEqualTo(2);
    });
    assertThat(m.lossy()).anySatisfy(l -> {
      assertThat(l.table() + "." + l.column()).isEqualTo("tasks.title");
      assertThat(l.rows()).isEqualTo(2);
    });
    assertThat(m.verification().reasons()).anySatisfy(r -> assertThat(r).startsWith("warning:").contains("counters.value"));
    assertThat(new BackupActivitiesImpl(backends).manifests().get(m.backupId())).isEqualTo(m);
  }

  @Test
  void theOldWranglerFormatWithoutColumnListsImportsToo() throws Exception {
    String modern = Files.readString(fixture("d1-export-wrangler-4.164.sql"), StandardCharsets.UTF_8);
    // wrangler 4.86 and before: INSERT INTO "t" VALUES(...) without the column list.
    Matcher mm = Pattern.compile("INSERT INTO (\"[^\"]+\") \\([^)]*\\) VALUES").matcher(modern);
    String old = mm.replaceAll("INSERT INTO $1 VALUES");
    Path dump = dir.resolve("old.sql");
    Files.writeString(dump, old, StandardCharsets.UTF_8);
    BackupManifest m = new BackupImporter(backends).importFile(dump, "monotask-fixture", null);
    assertThat(m.usable()).isTrue();
    assertThat(m.totalRows()).isEqualTo(2 + 4 + 4 + 2);
    assertThat(m.lossy()).anySatisfy(l -> assertThat(l.table() + "." + l.column()).isEqualTo("counters.value"));
  }

  @Test
  void aSqlite3DumpAndASqliteFileImportLosslessly() throws Exception {
    Path db = dir.resolve("source.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.executeUpdate(Files.readString(fixture("d1-export-source.sql"), StandardCharsets.UTF_8));
    }
    BackupManifest fromFile = new BackupImporter(backends).importFile(db, "fixture-file", null);
    assertThat(fromFile.plaintextFormat()).isEqualTo("sqlite-file");
    assertThat(fromFile.usable()).isTrue();
    assertThat(fromFile.lossy()).isEmpty();

    assumeThat(Path.of("/usr/bin/sqlite3")).as("sqlite3 CLI present").exists();
    Path dump = dir.resolve("sqlite3.sql");
    Process p = new ProcessBuilder("/usr/bin/sqlite3", db.toString(), ".dump").redirectOutput(dump.toFile()).start();
    assertThat(p.waitFor()).isZero();
    BackupManifest fromDump = new BackupImporter(backends).importFile(dump, "fixture-dump", null);
    assertThat(fromDump.usable()).isTrue();
    // sqlite3 writes exact integers and unambiguous text: nothing to flag.
    assertThat(fromDump.lossy()).isEmpty();
    assertThat(fromDump.tables()).extracting(BackupManifest.TableManifest::checksum)
        .containsExactlyInAnyOrderElementsOf(fromFile.tables().stream().map(BackupManifest.TableManifest::checksum).toList());
  }
}
