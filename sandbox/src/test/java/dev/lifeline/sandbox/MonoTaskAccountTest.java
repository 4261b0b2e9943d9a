package dev.lifeline.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MonoTaskAccountTest {

    /** Everything the account holds, as one comparable string (ids of resources excluded). */
    static String fingerprint(CloudflareSandbox sandbox) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sandbox.account().d1DatabaseFile(MonoTaskAccount.DATABASE))) {
            StringWriter dump = new StringWriter();
            new D1DumpWriter(c, D1DumpWriter.Options.all(), () -> false).write(dump);
            sb.append(dump);
        }
        for (String ns : MonoTaskAccount.KV_NAMESPACES) {
            for (SandboxAccount.KvEntry e : sandbox.account().kvEntries(ns)) {
                sb.append('\n').append(ns).append(' ').append(e.key()).append(' ').append(Arrays.toString(e.value()))
                        .append(' ').append(e.metadataJson()).append(' ').append(e.expiration());
            }
        }
        for (String bucket : MonoTaskAccount.DATA_BUCKETS) {
            for (String key : sandbox.account().r2ObjectKeys(bucket)) {
                SandboxAccount.R2Object o = sandbox.account().getR2Object(bucket, key).orElseThrow();
                sb.append('\n').append(bucket).append('/').append(key).append(' ').append(Arrays.toString(o.data()))
                        .append(' ').append(o.userMetadata());
            }
        }
        return sb.toString();
    }

    @Test
    void sameSeedGivesIdenticalDataAndAnotherSeedDoesNot() throws Exception {
        String a;
        String b;
        String c;
        try (CloudflareSandbox s = CloudflareSandbox.start()) {
            MonoTaskAccount.create(s, MonoTaskAccount.Options.tiny(7));
            a = fingerprint(s);
        }
        try (CloudflareSandbox s = CloudflareSandbox.start()) {
            MonoTaskAccount.create(s, MonoTaskAccount.Options.tiny(7));
            b = fingerprint(s);
        }
        try (CloudflareSandbox s = CloudflareSandbox.start()) {
            MonoTaskAccount.create(s, MonoTaskAccount.Options.tiny(8));
            c = fingerprint(s);
        }
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
        assertThat(a).contains("INSERT INTO \"tasks\"", "SESSIONS session:", "screenshots/screenshots/");
    }

    @Test
    void sampleAccountIsConsistentAndComplete() throws Exception {
        try (CloudflareSandbox s = CloudflareSandbox.start()) {
            MonoTaskAccount account = MonoTaskAccount.create(s, MonoTaskAccount.Options.tiny(1));
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + account.database().file());
                    Statement st = c.createStatement()) {
                assertThat(scalar(st, "SELECT count(*) FROM tasks")).isEqualTo("150");
                assertThat(scalar(st, "SELECT count(*) FROM task_events")).isEqualTo("300");
                assertThat(scalar(st, "SELECT count(*) FROM tasks WHERE state NOT IN ('PENDING','IN_PROGRESS','COMPLETED','FAILED')")).isEqualTo("0");
                assertThat(scalar(st, "SELECT count(DISTINCT state) FROM tasks")).isEqualTo("4");
                assertThat(scalar(st, "SELECT count(*) FROM pragma_foreign_key_check")).isEqualTo("0");
                assertThat(scalar(st, "PRAGMA integrity_check")).isEqualTo("ok");
                assertThat(scalar(st, "SELECT count(*) FROM d1_migrations")).isEqualTo("4");
                assertThat(scalar(st, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema WHERE type='index' AND name LIKE 'idx_%' ORDER BY name)"))
                        .isEqualTo("idx_task_events_task,idx_tasks_project,idx_tasks_state");
            }
            assertThat(s.account().kvNamespaces().stream().map(SandboxAccount.KvNamespace::title).toList())
                    .containsExactlyElementsOf(MonoTaskAccount.KV_NAMESPACES);
            assertThat(s.account().kvEntries("SESSIONS")).allMatch(e -> e.expiration() != null);
            assertThat(s.account().kvEntries("API_KEYS")).allMatch(e -> e.metadataJson() != null);
            assertThat(s.account().r2Buckets().stream().map(SandboxAccount.R2Bucket::name).toList())
                    .containsAll(MonoTaskAccount.DATA_BUCKETS).containsAll(MonoTaskAccount.BACKUP_BUCKETS);
            assertThat(s.account().r2ObjectKeys("monotask-backups")).isEmpty();
            assertThat(s.account().r2ObjectKeys("evidence-storage")).hasSize(4);
            assertThat(s.environment()).containsEntry("SECONDARY_R2_BUCKET", "monotask-backups-secondary");
            List<SandboxAccount.WorkerDeployment> deployments = s.account().workerDeployments(MonoTaskAccount.WORKER);
            assertThat(s.account().workerVersions(MonoTaskAccount.WORKER)).hasSize(3);
            assertThat(deployments.get(0).versions()).containsEntry(account.workerVersionIds().get(2), 100.0);
        }
    }

    static String scalar(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static List<String> column(Statement st, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void eachCorruptionClassReportsExactlyWhatItDid() throws Exception {
        try (CloudflareSandbox s = CloudflareSandbox.start()) {
            MonoTaskAccount account = MonoTaskAccount.create(s, MonoTaskAccount.Options.small(3));
            CorruptionInjector inject = new CorruptionInjector(s);
            Api api = new Api(s);
            String dbId = account.database().uuid();

            CorruptionInjector.InjectionReport states = inject.invalidTaskStates(5, 1);
            CorruptionInjector.InjectionReport orphanEvents = inject.orphanTaskEvents(3, 2);
            CorruptionInjector.InjectionReport orphanTasks = inject.orphanTasks(2, 3);
            CorruptionInjector.InjectionReport dups = inject.duplicateTaskEvents(4, 4);
            CorruptionInjector.InjectionReport truncated = inject.truncateTaskDescriptions(3, 255, 5);
            CorruptionInjector.InjectionReport mojibake = inject.mojibakeUserNames(2, 6);
            CorruptionInjector.InjectionReport badUtf8 = inject.invalidUtf8TaskTitles(2, 7);
            CorruptionInjector.InjectionReport deleted = inject.deleteTasks(2, 8);
            CorruptionInjector.InjectionReport index = inject.dropIndex("idx_tasks_state");

            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + account.database().file());
                    Statement st = c.createStatement()) {
                assertThat(column(st, "SELECT id FROM tasks WHERE state NOT IN ('PENDING','IN_PROGRESS','COMPLETED','FAILED')"))
                        .containsExactlyInAnyOrderElementsOf(states.affectedKeys());
                assertThat(column(st, "SELECT CAST(e.id AS TEXT) FROM task_events e WHERE e.task_id LIKE 'tsk_9%'"))
                        .containsExactlyInAnyOrderElementsOf(orphanEvents.affectedKeys());
                assertThat(column(st, "SELECT t.id FROM tasks t LEFT JOIN projects p ON p.id = t.project_id WHERE p.id IS NULL"))
                        .containsExactlyInAnyOrderElementsOf(orphanTasks.affectedKeys());
                List<String> dupCopies = column(st, "SELECT CAST(max(id) AS TEXT) FROM task_events "
                        + "GROUP BY task_id, event_type, payload, created_at HAVING count(*) > 1");
                assertThat(dupCopies).containsExactlyInAnyOrderElementsOf(dups.affectedKeys());
                assertThat(column(st, "SELECT id FROM tasks WHERE length(description) = 255"))
                        .containsAll(truncated.affectedKeys());
                assertThat(column(st, "SELECT id FROM users WHERE display_name LIKE '%Ã%' OR display_name LIKE '%Å%' OR display_name LIKE '%Ã%'"))
                        .containsExactlyInAnyOrderElementsOf(mojibake.affectedKeys());
                assertThat(column(st, "SELECT id FROM tasks WHERE instr(CAST(title AS BLOB), X'C328FF') > 0"))
                        .containsExactlyInAnyOrderElementsOf(badUtf8.affectedKeys());
                for (String id : deleted.affectedKeys()) {
                    assertThat(scalar(st, "SELECT count(*) FROM tasks WHERE id = '" + id + "'")).isEqualTo("0");
                }
                assertThat(scalar(st, "SELECT count(*) FROM sqlite_schema WHERE name = 'idx_tasks_state'")).isEqualTo("0");
                assertThat(index.details().get("idx_tasks_state")).startsWith("CREATE INDEX");
            }
            assertThat(states.count()).isEqualTo(5);
            assertThat(states.corruptionClass()).isEqualTo("INVALID_ENUM_STATE");

            CorruptionInjector.InjectionReport malformed = inject.malformKvJson("CACHE", 3, 9);
            for (SandboxAccount.KvEntry e : s.account().kvEntries("CACHE")) {
                boolean parses = KvService.utf8(e.value()) != null && isJson(new String(e.value(), java.nio.charset.StandardCharsets.UTF_8));
                assertThat(parses).as(e.key()).isEqualTo(!malformed.affectedKeys().contains(e.key()));
            }
            int sessionsBefore = s.account().kvEntries("SESSIONS").size();
            CorruptionInjector.InjectionReport gone = inject.deleteKvKeys("SESSIONS", 2, 10);
            assertThat(s.account().kvEntries("SESSIONS")).hasSize(sessionsBefore - 2)
                    .noneMatch(e -> gone.affectedKeys().contains(e.key()));

            CorruptionInjector.InjectionReport flipped = inject.flipR2Bytes("screenshots", 2, 11);
            List<String> mismatched = s.account().r2ObjectKeys("screenshots").stream().filter(k -> {
                SandboxAccount.R2Object o = s.account().getR2Object("screenshots", k).orElseThrow();
                return !MonoTaskAccount.sha256Hex(o.data()).equals(o.userMetadata().get("sha256"));
            }).collect(Collectors.toList());
            assertThat(mismatched).containsExactlyInAnyOrderElementsOf(flipped.affectedKeys());

            // The bookmark taken before the first injection restores the clean database.
            Api.Response restore = api.post(api.account("/d1/database/" + dbId + "/time_travel/restore?bookmark="
                    + states.bookmarkBefore()), null);
            assertThat(restore.status()).isEqualTo(200);
            Api.Response check = api.post(api.account("/d1/database/" + dbId + "/query"), java.util.Map.of("sql",
                    "SELECT count(*) AS bad FROM tasks WHERE state NOT IN ('PENDING','IN_PROGRESS','COMPLETED','FAILED')"));
            assertThat(check.result().get(0).get("results").get(0).get("bad").asInt()).isZero();
        }
    }

    static boolean isJson(String s) {
        try {
            Api.MAPPER.readTree(s);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
