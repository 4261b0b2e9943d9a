package dev.lifeline.distribution;

import dev.lifeline.activities.backups.BackupImporter;
import dev.lifeline.activities.env.Backends;
import dev.lifeline.cli.CliException;
import dev.lifeline.cli.ExitCodes;
import dev.lifeline.worker.Playbooks;
import dev.lifeline.worker.config.ConfigException;
import dev.lifeline.worker.config.ConfigSource;
import dev.lifeline.worker.config.LifelineConfig;
import dev.lifeline.workflows.backup.BackupManifest;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lifeline backups import}: an existing dump (wrangler d1 export, either INSERT style;
 * sqlite3 .dump) or SQLite file becomes a verified Lifeline backup. Runs here, because the file is
 * here: it needs the backup bucket settings ({@code BACKUP_R2_BUCKET}, {@code BACKUP_ENCRYPTION_KEY},
 * the R2 endpoint and keys) in the environment or {@code --config}.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Turn an existing dump or SQLite file into a verified backup of a D1 database.",
      "Accepts `wrangler d1 export` output (with or without column lists), `sqlite3 .dump` output and",
      "SQLite files. Values D1's exporter may already have lost are flagged in the manifest.",
      "Needs BACKUP_R2_BUCKET, BACKUP_ENCRYPTION_KEY and the R2 endpoint and keys here."
    })
final class ImportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE")
  Path file;

  @Option(names = "--database", required = true, paramLabel = "NAME", description = "The D1 database the dump is of.")
  String database;

  @Option(names = "--taken-at", paramLabel = "TIME", description = "When the dump was taken (ISO-8601; default: the file's modification time).")
  String takenAt;

  @Option(names = "--config", paramLabel = "FILE", description = "Settings file read after the environment.")
  Path config;

  @Option(names = "--json", description = "Print the manifest as JSON.")
  boolean json;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(file)) {
      throw CliException.usage(file + " is not a file");
    }
    Instant at = null;
    if (takenAt != null) {
      try {
        at = Instant.parse(takenAt);
      } catch (DateTimeParseException e) {
        throw CliException.usage("--taken-at must be an ISO-8601 instant like 2026-11-21T02:00:00Z");
      }
    }
    LifelineConfig cfg;
    try {
      cfg = LifelineConfig.load(ConfigSource.load(env, config), LifelineConfig.Requirement.DEV);
    } catch (ConfigException e) {
      throw CliException.usage(String.join("\n", e.problems()));
    }
    if (cfg.backupBucket().isEmpty() || cfg.backupEncryptionKey().isEmpty() || cfg.r2Endpoint().isEmpty()) {
      throw CliException.usage("importing needs BACKUP_R2_BUCKET, BACKUP_ENCRYPTION_KEY and R2_ENDPOINT"
          + " (or CLOUDFLARE_ACCOUNT_ID) with R2_ACCESS_KEY_ID/R2_SECRET_ACCESS_KEY");
    }
    var out = spec.commandLine().getOut();
    try (Backends backends = Playbooks.backends(cfg)) {
      BackupManifest m = new BackupImporter(backends).importFile(file, database, at);
      if (json) {
        out.println(new com.fasterxml.jackson.databind.ObjectMapper()
            .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .writerWithDefaultPrettyPrinter().writeValueAsString(m));
      } else {
        out.println("Imported " + file + " as backup " + m.backupId() + " (" + m.verification().status() + "): "
            + m.tables().size() + " tables, " + m.totalRows() + " rows, taken at " + m.createdAt());
        m.verification().reasons().forEach(r -> out.println("  - " + r));
      }
      return m.usable() ? ExitCodes.OK : ExitCodes.PLAYBOOK_STOPPED;
    } catch (ApplicationFailure e) {
      throw new CliException(ExitCodes.FAILED, "import failed: " + e.getOriginalMessage());
    }
  }
}
