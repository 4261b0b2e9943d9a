package dev.lifeline.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeline.workflows.backup.BackupCatalog;
import dev.lifeline.workflows.backup.BackupKeyRotation;
import dev.lifeline.workflows.backup.BackupManifest;
import dev.lifeline.workflows.backup.BackupQuery;
import dev.lifeline.workflows.backup.KeyRotationInput;
import dev.lifeline.workflows.backup.KeyRotationReport;
import dev.lifeline.workflows.backup.Verification;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lifeline backups}: list, verify and take backups. The CLI holds no storage credentials:
 * listing and verifying run as short workflows on a worker, which has them.
 */
@Command(
    name = "backups",
    mixinStandardHelpOptions = true,
    description = "List, verify and take backups (D1, SQLite, KV, R2 replication); rotate their key.",
    subcommands = {BackupsCommand.ListBackups.class, BackupsCommand.Verify.class, BackupsCommand.Run.class,
        BackupsCommand.Rekey.class})
public final class BackupsCommand implements Runnable {
  @ParentCommand LifelineCommand root;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'").withZone(ZoneOffset.UTC);

  /** {@code lifeline backups list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "List backups, newest first. Only verified (usable) ones unless --all.",
        "Runs the BackupCatalog workflow on a worker, which holds the storage credentials."
      })
  static final class ListBackups implements Callable<Integer> {
    @ParentCommand BackupsCommand parent;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Database, SQLite file name or KV namespace.")
    String name;

    @Option(names = "--kind", paramLabel = "KIND", description = "d1, sqlite or kv (default d1 when NAME is given).")
    String kind;

    @Option(names = "--all", description = "Include backups that are not (yet) verified.")
    boolean all;

    @Option(names = "--limit", paramLabel = "N", description = "At most N backups.")
    Integer limit;

    @Option(names = "--json", description = "Print the manifests as JSON.")
    boolean json;

    @Override
    public Integer call() {
      LifelineCommand root = parent.root;
      String k = kind != null ? kind.toLowerCase(Locale.ROOT) : name != null ? "d1" : null;
      if (k != null && !List.of("d1", "sqlite", "kv").contains(k)) {
        throw CliException.usage("--kind must be d1, sqlite or kv");
      }
      try (Session session = root.session()) {
        BackupCatalog catalog = session.newWorkflow(BackupCatalog.class, "lifeline-backups-list-" + UUID.randomUUID());
        BackupQuery q = new BackupQuery(k, name, !all, limit);
        List<BackupManifest> backups = session.call(null, () -> catalog.list(q));
        var out = root.spec.commandLine().getOut();
        if (json) {
          out.println(Json.pretty(backups));
          return ExitCodes.OK;
        }
        if (backups.isEmpty()) {
          out.println("No " + (all ? "" : "verified ") + "backups" + (name == null ? "" : " of " + name) + ".");
          return ExitCodes.OK;
        }
        out.printf("%-52s %-18s %-11s %-8s %12s %12s %s%n", "BACKUP ID", "CREATED", "TIER", "VERIFIED", "ROWS/KEYS",
            "STORED", "NOTES");
        for (BackupManifest m : backups) {
          long items = "kv".equals(m.kind()) && m.keyCount() != null ? m.keyCount() : m.totalRows();
          String notes = m.lossy() == null || m.lossy().isEmpty() ? ""
              : m.lossy().size() + " lossy column(s), " + (m.lossy().stream().allMatch(BackupManifest.LossyColumn::captured)
                  ? "captured" : "NOT captured");
          if (m.parentBackupId() != null) {
            notes = (notes.isEmpty() ? "" : notes + "; ") + "incremental of " + m.parentBackupId();
          }
          out.printf("%-52s %-18s %-11s %-8s %12d %12s %s%n", m.backupId(), TIME.format(m.createdAt()), m.tier(),
              m.verification() == null ? "?" : m.verification().status(), items,
              m.data() == null ? "-" : human(m.data().storedBytes()), notes);
        }
        return ExitCodes.OK;
      }
    }
  }

  /** {@code lifeline backups verify}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Verify a backup again: checksum, decryption, restore to a temporary SQLite file, integrity,",
        "row counts and checksums (KV: replay the chain). Records the verdict. Exit 4 if it fails."
      })
  static final class Verify implements Callable<Integer> {
    @ParentCommand BackupsCommand parent;

    @Parameters(index = "0", paramLabel = "BACKUP_ID")
    String backupId;

    @Option(names = "--as", paramLabel = "NAME", description = "Who asks (default $LIFELINE_USER or $USER).")
    String as;

    @Option(names = "--json", description = "Print the verdict as JSON.")
    boolean json;

    @Override
    public Integer call() {
      LifelineCommand root = parent.root;
      ObjectNode in = Json.MAPPER.createObjectNode();
      in.put("backupId", backupId);
      String who = as != null ? as : root.env().getOrDefault("LIFELINE_USER", root.env().get("USER"));
      if (who != null) {
        in.put("initiatedBy", who);
      }
      try (Session session = root.session()) {
        String id = "verify-" + backupId + "-" + UUID.randomUUID().toString().substring(0, 6);
        WorkflowStub stub = session.newWorkflow("VerifyBackup", id);
        session.call(id, () -> stub.start(in));
        var out = root.spec.commandLine().getOut();
        try {
          Verification v = session.call(id, () -> stub.getResult(Verification.class));
          if (json) {
            out.println(Json.pretty(v));
          } else {
            out.println("Backup " + backupId + ": " + v.status());
            out.println("  integrity_check: " + v.integrityCheck());
            v.tables().forEach(t -> out.printf("  %-28s %10d rows  %s%n", t.name(), t.rows(), t.checksum()));
            v.reasons().forEach(r -> out.println("  - " + r));
          }
          return v.status() == Verification.Status.PASSED ? ExitCodes.OK : ExitCodes.PLAYBOOK_STOPPED;
        } catch (WorkflowFailedException e) {
          root.spec.commandLine().getErr().println("lifeline: verification of " + backupId + " failed: "
              + Session.rootMessage(e));
          return ExitCodes.PLAYBOOK_STOPPED;
        }
      }
    }
  }

  /** {@code lifeline backups rekey}. */
  @Command(
      name = "rekey",
      mixinStandardHelpOptions = true,
      description = {
        "Rotate the backup key: re-wrap every backup's data keys from BACKUP_ENCRYPTION_KEY_PREVIOUS to",
        "BACKUP_ENCRYPTION_KEY and re-sign its manifest. The backups' data is not re-encrypted.",
        "Set both on every worker and restart them first. Idempotent: run it again until nothing fails,",
        "then drop the previous key. Runs the BackupKeyRotation workflow on a worker. Exit 4 if any fails."
      })
  static final class Rekey implements Callable<Integer> {
    @ParentCommand BackupsCommand parent;

    @Option(names = "--dry-run", description = "Check every manifest can be re-wrapped; write nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
      LifelineCommand root = parent.root;
      try (Session session = root.session()) {
        String id = "lifeline-backups-rekey-" + UUID.randomUUID();
        BackupKeyRotation rotation = session.newWorkflow(BackupKeyRotation.class, id);
        var out = root.spec.commandLine().getOut();
        KeyRotationReport r;
        try {
          r = session.call(id, () -> rotation.rotate(new KeyRotationInput(dryRun)));
        } catch (WorkflowFailedException e) {
          root.spec.commandLine().getErr().println("lifeline: key rotation failed: " + Session.rootMessage(e));
          return ExitCodes.PLAYBOOK_STOPPED;
        }
        if (json) {
          out.println(Json.pretty(r));
        } else {
          out.println((r.dryRun() ? "Dry run, nothing written. " : "") + "Backup key rotation to key id "
              + r.currentKeyId() + (r.previousKeyIds().isEmpty() ? " (no previous keys configured)"
                  : " from " + String.join(", ", r.previousKeyIds())) + ":");
          out.printf("  %d manifest(s): %d %s, %d already current, %d failed%n", r.manifests(), r.rewrapped(),
              r.dryRun() ? "to re-wrap" : "re-wrapped", r.alreadyCurrent(), r.failed());
          r.failures().forEach(f -> out.println("  - " + f.manifest() + ": " + f.reason()));
          if (r.failed() > r.failures().size()) {
            out.println("  (" + (r.failed() - r.failures().size()) + " more failures in the worker's log)");
          }
          if (r.complete() && !r.dryRun()) {
            out.println("Every backup is under key id " + r.currentKeyId()
                + "; BACKUP_ENCRYPTION_KEY_PREVIOUS can be removed once no worker writes with the old key.");
          }
        }
        return r.complete() ? ExitCodes.OK : ExitCodes.PLAYBOOK_STOPPED;
      }
    }
  }

  /** {@code lifeline backups run}. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Take a backup now and wait for its verification: d1 (--database or --sqlite), kv (--kv-namespace,",
        "--mode full|incremental|auto) or r2 (replication to the secondary bucket)."
      })
  static final class Run implements Callable<Integer> {
    @ParentCommand BackupsCommand parent;

    @Parameters(index = "0", paramLabel = "d1|kv|r2")
    String what;

    @Option(names = "--database", paramLabel = "NAME", description = "D1 database (d1; env D1_DATABASE_NAME).")
    String database;

    @Option(names = "--sqlite", paramLabel = "PATH", description = "SQLite file on the worker (d1).")
    String sqlite;

    @Option(names = "--tier", paramLabel = "TIER", description = "daily, weekly, monthly or manual (default manual).")
    String tier;

    @Option(names = "--kv-namespace", paramLabel = "NS", description = "KV namespace (kv; repeatable).")
    List<String> namespaces;

    @Option(names = "--mode", paramLabel = "MODE", description = "full (default), incremental or auto (kv).")
    String mode;

    @Option(names = "--bucket", paramLabel = "BUCKET", description = "Bucket to replicate (r2; repeatable; default all).")
    List<String> buckets;

    @Option(names = "--verify", paramLabel = "MODE", description = "none, sample (default) or all (r2).")
    String verify;

    @Option(names = "--as", paramLabel = "NAME", description = "Who asks.")
    String as;

    @Option(names = "--no-wait", description = "Start and return.")
    boolean noWait;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      LifelineCommand root = parent.root;
      List<String> args = new java.util.ArrayList<>();
      switch (what.toLowerCase(Locale.ROOT)) {
        case "d1" -> {
          args.add("backup-d1");
          if (sqlite != null) {
            args.add("--set");
            args.add("target.sqlite=" + sqlite);
          } else {
            String db = database != null ? database : root.env().get("D1_DATABASE_NAME");
            if (db == null) {
              throw CliException.usage("give --database NAME (or --sqlite PATH), or set D1_DATABASE_NAME");
            }
            args.add("--set");
            args.add("database=" + db);
          }
          if (tier != null) {
            args.add("--set");
            args.add("tier=" + tier);
          }
        }
        case "kv" -> {
          if (namespaces == null || namespaces.isEmpty()) {
            throw CliException.usage("give --kv-namespace NS (repeatable)");
          }
          args.add("backup-kv");
          args.add("--set");
          args.add("namespaces=" + Json.MAPPER.valueToTree(namespaces));
          if (mode != null) {
            args.add("--set");
            args.add("mode=" + mode);
          }
          if (tier != null) {
            args.add("--set");
            args.add("tier=" + tier);
          }
        }
        case "r2" -> {
          args.add("replicate-r2");
          if (buckets != null && !buckets.isEmpty()) {
            args.add("--set");
            args.add("buckets=" + Json.MAPPER.valueToTree(buckets));
          }
          if (verify != null) {
            args.add("--set");
            args.add("verify=" + verify);
          }
        }
        default -> throw CliException.usage("what to back up must be d1, kv or r2 (got \"" + what + "\")");
      }
      if (as != null) {
        args.add("--as");
        args.add(as);
      }
      if (!noWait) {
        args.add("--wait");
      }
      if (json) {
        args.add("--json");
      }
      CommandLine start = root.spec.commandLine().getSubcommands().get("start");
      return start.execute(args.toArray(new String[0]));
    }
  }

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
