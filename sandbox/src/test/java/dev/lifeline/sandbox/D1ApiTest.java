package dev.lifeline.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class D1ApiTest {
    static CloudflareSandbox sandbox;
    static Api api;
    static String dbId;

    @BeforeAll
    static void start() {
        sandbox = CloudflareSandbox.start(SandboxOptions.builder().build());
        api = new Api(sandbox);
        Api.Response r = api.post(api.account("/d1/database"), Map.of("name", "app-db"));
        assertThat(r.status()).isEqualTo(200);
        dbId = r.result().get("uuid").asText();
        sql("CREATE TABLE projects(id TEXT PRIMARY KEY, name TEXT NOT NULL);"
                + "CREATE TABLE tasks(id INTEGER PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id), title TEXT)");
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    static Api.Response sql(String sql, Object... params) {
        Map<String, Object> body = params.length == 0 ? Map.of("sql", sql) : Map.of("sql", sql, "params", List.of(params));
        return api.post(api.account("/d1/database/" + dbId + "/query"), body);
    }

    @Test
    void envelopeAndAuthErrors() {
        Api.Response ok = api.get(api.account("/d1/database/" + dbId));
        assertThat(ok.json().get("success").asBoolean()).isTrue();
        assertThat(ok.json().get("errors")).isEmpty();
        assertThat(ok.json().get("messages")).isEmpty();
        assertThat(ok.result().get("version").asText()).isEqualTo("production");

        Api.Response badToken = api.withToken("nope").get(api.account("/d1/database"));
        assertThat(badToken.status()).isEqualTo(403);
        assertThat(badToken.errorCode()).isEqualTo(10000);
        assertThat(badToken.json().get("result").isNull()).isTrue();

        Api.Response noRoute = api.get(api.account("/d1/nothing-here"));
        assertThat(noRoute.errorCode()).isEqualTo(7003);
        Api.Response badAccount = api.get("/accounts/not-an-id/d1/database");
        assertThat(badAccount.status()).isEqualTo(400);
        assertThat(badAccount.errorCode()).isEqualTo(7003);

        Api.Response missing = api.get(api.account("/d1/database/00000000-0000-0000-0000-000000000000"));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo(7404);
        Api.Response missingQuery = api.post(api.account("/d1/database/nope/query"), Map.of("sql", "SELECT 1"));
        assertThat(missingQuery.errorCode()).isEqualTo(7404);
    }

    @Test
    void getResolvesNamesAsWranglerDoes() {
        Api.Response byName = api.get(api.account("/d1/database/app-db?fields=uuid,name"));
        assertThat(byName.result().get("uuid").asText()).isEqualTo(dbId);
        assertThat(byName.result().has("version")).isFalse();
    }

    @Test
    void listPagesThroughEveryDatabase() {
        for (int i = 0; i < 23; i++) {
            sandbox.account().createD1Database(String.format("paged-%02d", i));
        }
        Set<String> seen = new HashSet<>();
        int page = 1;
        int pages = 0;
        while (true) {
            Api.Response r = api.get(api.account("/d1/database?name=paged-&per_page=10&page=" + page));
            JsonNode info = r.json().get("result_info");
            assertThat(info.get("page").asInt()).isEqualTo(page);
            assertThat(info.get("per_page").asInt()).isEqualTo(10);
            assertThat(info.get("total_count").asInt()).isEqualTo(23);
            assertThat(info.get("count").asInt()).isEqualTo(r.result().size());
            r.result().forEach(d -> seen.add(d.get("name").asText()));
            pages++;
            if (page * 10 >= info.get("total_count").asInt()) {
                break;
            }
            page++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(23);
    }

    @Test
    void queryRawAndBatchReturnD1Shapes() {
        sql("INSERT INTO projects VALUES(?, ?)", "p1", "Apollo");
        Api.Response ins = sql("INSERT INTO tasks(project_id, title) VALUES('p1', 'a'), ('p1', 'b')");
        JsonNode meta = ins.result().get(0).get("meta");
        assertThat(meta.get("changes").asInt()).isEqualTo(2);
        assertThat(meta.get("changed_db").asBoolean()).isTrue();
        assertThat(meta.get("last_row_id").asLong()).isEqualTo(2);
        assertThat(meta.get("size_after").asLong()).isPositive();
        assertThat(meta.get("served_by_primary").asBoolean()).isTrue();

        Api.Response q = sql("SELECT id, title FROM tasks WHERE project_id = ? ORDER BY id", "p1");
        assertThat(q.result().get(0).get("results").get(1).get("title").asText()).isEqualTo("b");
        assertThat(q.result().get(0).get("meta").get("changed_db").asBoolean()).isFalse();

        Api.Response raw = api.post(api.account("/d1/database/" + dbId + "/raw"),
                Map.of("sql", "SELECT id, title, NULL AS n, 9223372036854775807 AS big, x'00ff' AS blob FROM tasks ORDER BY id"));
        JsonNode res = raw.result().get(0).get("results");
        assertThat(res.get("columns").toString()).isEqualTo("[\"id\",\"title\",\"n\",\"big\",\"blob\"]");
        assertThat(res.get("rows").get(0).toString()).isEqualTo("[1,\"a\",null,9223372036854776000,[0,255]]");
        assertThat(raw.text()).contains("9223372036854776000");

        Api.Response multi = sql("SELECT 1 AS one; SELECT 'x;y' AS two; -- trailing comment");
        assertThat(multi.result()).hasSize(2);
        assertThat(multi.result().get(1).get("results").get(0).get("two").asText()).isEqualTo("x;y");

        Api.Response batch = api.post(api.account("/d1/database/" + dbId + "/query"), Map.of("batch", List.of(
                Map.of("sql", "SELECT count(*) AS n FROM tasks"),
                Map.of("sql", "SELECT name FROM projects WHERE id = ?", "params", List.of("p1")))));
        assertThat(batch.result().get(0).get("results").get(0).get("n").asInt()).isEqualTo(2);
        assertThat(batch.result().get(1).get("results").get(0).get("name").asText()).isEqualTo("Apollo");
    }

    @Test
    void sqlErrorsAreCode7500WithSqliteMessagesAndRollBack() {
        Api.Response err = sql("SELECT asdf FROM projects");
        assertThat(err.status()).isEqualTo(400);
        assertThat(err.errorCode()).isEqualTo(7500);
        assertThat(err.errorMessage()).isEqualTo("no such column: asdf at offset 7: SQLITE_ERROR");

        // A failing statement rolls back the whole request.
        Api.Response failing = sql("INSERT INTO projects VALUES('rollback-me', 'x'); INSERT INTO projects VALUES('rollback-me', 'y')");
        assertThat(failing.errorCode()).isEqualTo(7500);
        assertThat(failing.errorMessage()).contains("UNIQUE constraint failed: projects.id").endsWith("SQLITE_CONSTRAINT");
        assertThat(sql("SELECT count(*) AS n FROM projects WHERE id = 'rollback-me'").result().get(0)
                .get("results").get(0).get("n").asInt()).isZero();

        // Foreign keys are enforced, as on D1.
        Api.Response fk = sql("INSERT INTO tasks(project_id, title) VALUES('missing', 'orphan')");
        assertThat(fk.errorMessage()).contains("FOREIGN KEY constraint failed");
    }

    @Test
    void boundParameterAndStatementLimitsAreEnforced() {
        StringBuilder in = new StringBuilder("SELECT 1 WHERE 1 IN (");
        List<Object> params = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            in.append(i == 0 ? "?" : ",?");
            params.add(Integer.toString(i));
        }
        in.append(")");
        Api.Response tooMany = sql(in.toString(), params.toArray());
        assertThat(tooMany.errorCode()).isEqualTo(7500);
        assertThat(tooMany.errorMessage()).contains("too many SQL variables");

        String huge = "SELECT '" + "x".repeat(100_001) + "'";
        Api.Response tooLong = sql(huge);
        assertThat(tooLong.errorCode()).isEqualTo(7500);
        assertThat(tooLong.errorMessage()).isEqualTo("statement too long: SQLITE_TOOBIG");

        Api.Response wrongCount = sql("SELECT ?, ?", "only-one");
        assertThat(wrongCount.errorMessage()).isEqualTo("Wrong number of parameter bindings for SQL query.");
    }

    @Test
    void createRejectsBadAndDuplicateNamesAndDeleteRemoves() {
        assertThat(api.post(api.account("/d1/database"), Map.of("name", "Bad Name")).errorCode()).isEqualTo(7400);
        assertThat(api.post(api.account("/d1/database"), Map.of("name", "app-db")).status()).isEqualTo(400);
        String id = api.post(api.account("/d1/database"), Map.of("name", "short-lived")).result().get("uuid").asText();
        Api.Response del = api.delete(api.account("/d1/database/" + id));
        assertThat(del.status()).isEqualTo(200);
        assertThat(del.result().isNull()).isTrue();
        assertThat(api.get(api.account("/d1/database/" + id)).errorCode()).isEqualTo(7404);
        assertThat(sandbox.account().findD1Database("short-lived")).isEmpty();
    }
}
