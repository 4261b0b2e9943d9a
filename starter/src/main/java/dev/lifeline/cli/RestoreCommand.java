package dev.lifeline.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lifeline restore}: the runbooks' recovery commands ({@code recovery:d1 <backup-id>
 * [--validate-only]}, {@code recovery:kv <backup-id> [--namespace NS] [--clear|--skip]}) as the
 * point-in-time restore playbook, started and followed through its approval.
 */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Restore a D1 database, KV namespace or SQLite file with the point-in-time restore playbook",
      "(pitr): it validates the recovery point, takes a safety backup, stops for approval (someone",
      "else approves with `lifeline approve`), restores, checks the result and prints the report.",
      "  lifeline restore d1 monotask-production --backup <backup-id> --validate-only",
      "  lifeline restore d1 monotask-production --to 2026-11-22T08:00:00Z --incident INC-42",
      "  lifeline restore kv SESSIONS --backup <backup-id> --clear",
      "Follows the playbook until it finishes unless --detach; exit 0 restored (or validated),",
      "4 aborted or failed."
    })
final class RestoreCommand implements Callable<Integer> {
  @ParentCommand LifelineCommand root;

  @Parameters(index = "0", paramLabel = "KIND", description = "d1, kv or sqlite.")
  String kind;

  @Parameters(index = "1", paramLabel = "TARGET",
      description = "D1 database name or id, KV namespace title or id, or a SQLite file path on the worker.")
  String target;

  @Option(names = "--backup", paramLabel = "ID", description = "Restore this verified backup (see `lifeline backups list`).")
  String backupId;

  @Option(names = "--to", paramLabel = "TIME",
      description = "Restore the state at this ISO-8601 time: D1 Time Travel inside its window, else the newest verified backup before it.")
  String targetTime;

  @Option(names = "--method", paramLabel = "METHOD", description = "auto (default), time-travel or backup.")
  String method;

  @Option(names = "--validate-only", description = "Validate the recovery point (checksum, decrypt, restore to a local file, integrity, row counts) and change nothing.")
  boolean validateOnly;

  @Option(names = "--clear", description = "KV: delete keys that are not in the backup (mode clear).")
  boolean clear;

  @Option(names = {"--skip-existing", "--skip"}, description = "KV: leave keys that exist now alone (mode skip-existing).")
  boolean skipExisting;

  @Option(names = "--keys", paramLabel = "KEY", split = ",", description = "KV: restore only these keys.")
  List<String> keys;

  @Option(names = "--no-safety-backup", description = "Skip the pre-restore backup (D1 still records its Time Travel bookmark as the undo handle).")
  boolean noSafetyBackup;

  @Option(names = "--detected-at", paramLabel = "TIME", description = "When the problem was detected (ISO-8601), for the RTO; default: when the playbook starts.")
  String detectedAt;

  @Option(names = "--as", paramLabel = "NAME", description = "Who starts it (initiatedBy; default: $LIFELINE_USER or $USER).")
  String as;

  @Option(names = "--incident", paramLabel = "ID", description = "Incident id.")
  String incident;

  @Option(names = "--id", paramLabel = "ID", description = "Workflow id (default: pitr-<incident or time>-<random>).")
  String id;

  @Option(names = "--detach", description = "Start it and return; follow later with `lifeline watch`.")
  boolean detach;

  @Option(names = "--dry-run", description = "Check and print the playbook input; start nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    String k = kind.toLowerCase(Locale.ROOT);
    if (!List.of("d1", "kv", "sqlite").contains(k)) {
      throw CliException.usage("KIND must be d1, kv or sqlite (got \"" + kind + "\")");
    }
    if (backupId == null && targetTime == null) {
      throw CliException.usage("say what to restore to: --backup ID or --to TIME");
    }
    if (!k.equals("kv") && (clear || skipExisting || keys != null)) {
      throw CliException.usage("--clear, --skip-existing and --keys are for kv restores");
    }
    if (clear && skipExisting) {
      throw CliException.usage("--clear and --skip-existing contradict each other; pick one");
    }
    List<String> sets = new ArrayList<>();
    sets.add("target." + k + "=" + string(target));
    if (backupId != null) {
      sets.add("backupId=" + string(backupId));
    }
    if (targetTime != null) {
      sets.add("targetTime=" + string(targetTime));
    }
    if (method != null) {
      sets.add("method=" + string(method));
    }
    if (validateOnly) {
      sets.add("validateOnly=true");
    }
    if (clear || skipExisting) {
      sets.add("kvMode=" + string(clear ? "clear" : "skip-existing"));
    }
    if (keys != null) {
      try {
        sets.add("keys=" + Json.MAPPER.writeValueAsString(keys));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    if (noSafetyBackup) {
      sets.add("safetyBackup=false");
    }
    if (detectedAt != null) {
      sets.add("detectedAt=" + string(detectedAt));
    }
    StartCommand start = new StartCommand();
    start.root = root;
    start.playbook = "pitr";
    start.sets = sets;
    start.as = as;
    start.incident = incident;
    start.id = id;
    start.await = !detach;
    start.dryRun = dryRun;
    start.json = json;
    return start.call();
  }

  /** A JSON string, so a name that looks like a number or JSON stays a string. */
  private static String string(String value) {
    try {
      return Json.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
