package dev.lifeline.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Worker scripts with versions and percentage deployments, enough for rollback playbooks:
 * versions (paged with an {@code items} wrapper), deployments newest first, deployment creation
 * with the 10220 "secrets changed" refusal and {@code force=true}.
 */
final class WorkersService {
    private static final Pattern SCRIPT = Pattern.compile("^[a-z0-9_][a-z0-9-_]*$");
    static final String AUTHOR = "oncall@monotask.example";

    private final SandboxRuntime runtime;

    WorkersService(SandboxRuntime runtime) {
        this.runtime = runtime;
    }

    void createScript(String name) {
        if (name == null || !SCRIPT.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid script name: " + name);
        }
        runtime.store.update("INSERT OR IGNORE INTO worker_scripts(name, created_at) VALUES(?, ?)",
                name, runtime.now().toEpochMilli());
    }

    List<String> scripts() {
        return runtime.store.query("SELECT name FROM worker_scripts ORDER BY name", rs -> rs.getString(1));
    }

    void requireScript(String name) {
        if (runtime.store.queryOne("SELECT 1 FROM worker_scripts WHERE name = ?", rs -> 1, name).isEmpty()) {
            throw ApiException.notFound(10007, "This Worker does not exist on your account.");
        }
    }

    /** Uploads a new version; returns its full JSON (the version detail). */
    ObjectNode addVersion(String script, String message, String tag, String compatibilityDate) {
        requireScript(script);
        return runtime.store.inTransaction(s -> {
            int number = s.queryOne("SELECT coalesce(max(number), 0) + 1 FROM worker_versions WHERE script = ?",
                    rs -> rs.getInt(1), script).orElse(1);
            String id = UUID.nameUUIDFromBytes((script + "/" + number + "/" + runtime.now())
                    .getBytes(StandardCharsets.UTF_8)).toString();
            Instant now = runtime.now();
            ObjectNode v = Json.object();
            v.put("id", id);
            v.put("number", number);
            ObjectNode meta = v.putObject("metadata");
            meta.put("author_email", AUTHOR);
            meta.put("author_id", "4f1a6c0e9b2d4e7a8c3b5d6e7f8a9b0c");
            meta.put("created_on", Json.iso(now));
            meta.put("modified_on", Json.iso(now));
            meta.put("source", "wrangler");
            meta.put("hasPreview", false);
            ObjectNode ann = v.putObject("annotations");
            if (message != null) {
                ann.put("workers/message", message);
            }
            if (tag != null) {
                ann.put("workers/tag", tag);
            }
            ann.put("workers/triggered_by", "upload");
            ObjectNode res = v.putObject("resources");
            res.putArray("bindings");
            ObjectNode sc = res.putObject("script");
            sc.put("etag", HexFormat.of().formatHex((id + "-etag").getBytes(StandardCharsets.UTF_8)).substring(0, 64));
            sc.putArray("handlers").add("fetch");
            sc.put("last_deployed_from", "wrangler");
            ObjectNode rt = res.putObject("script_runtime");
            rt.put("compatibility_date", compatibilityDate == null ? "2025-10-01" : compatibilityDate);
            rt.putArray("compatibility_flags").add("nodejs_compat");
            rt.put("usage_model", "standard");
            rt.putObject("limits").put("cpu_ms", 30000);
            v.put("startup_time_ms", 12);
            s.update("INSERT INTO worker_versions(id, script, number, created_at, detail) VALUES(?,?,?,?,?)",
                    id, script, number, now.toEpochMilli(), Json.write(v));
            return v;
        });
    }

    List<ObjectNode> versions(String script) {
        return runtime.store.query("SELECT detail FROM worker_versions WHERE script = ? ORDER BY number DESC",
                rs -> (ObjectNode) Json.parse(rs.getString(1)), script);
    }

    Optional<ObjectNode> version(String script, String id) {
        return runtime.store.queryOne("SELECT detail FROM worker_versions WHERE script = ? AND id = ?",
                rs -> (ObjectNode) Json.parse(rs.getString(1)), script, id);
    }

    static ObjectNode shortVersion(ObjectNode full) {
        ObjectNode v = Json.object();
        v.set("id", full.get("id"));
        v.set("number", full.get("number"));
        v.set("metadata", full.get("metadata"));
        return v;
    }

    /** Deployments newest first. */
    List<ObjectNode> deployments(String script) {
        return runtime.store.query("SELECT body FROM worker_deployments WHERE script = ? ORDER BY seq DESC",
                rs -> (ObjectNode) Json.parse(rs.getString(1)), script);
    }

    Optional<ObjectNode> deployment(String script, String id) {
        return runtime.store.queryOne("SELECT body FROM worker_deployments WHERE script = ? AND id = ?",
                rs -> (ObjectNode) Json.parse(rs.getString(1)), script, id);
    }

    /** Creates a deployment from an API body; enforces the secrets-changed rule unless forced. */
    ObjectNode deploy(String script, JsonNode body, boolean force) {
        requireScript(script);
        if (!"percentage".equals(body.path("strategy").asText())) {
            throw ApiException.badRequest(10021, "strategy must be \"percentage\"");
        }
        JsonNode versions = body.path("versions");
        if (!versions.isArray() || versions.isEmpty() || versions.size() > 2) {
            throw ApiException.badRequest(10021, "versions must list one or two versions");
        }
        double sum = 0;
        List<ObjectNode> chosen = new ArrayList<>();
        for (JsonNode v : versions) {
            String id = v.path("version_id").asText("");
            double pct = v.path("percentage").asDouble(-1);
            if (pct < 0.01 || pct > 100) {
                throw ApiException.badRequest(10021, "percentage must be between 0.01 and 100");
            }
            sum += pct;
            chosen.add(version(script, id).orElseThrow(() ->
                    ApiException.badRequest(10021, "version " + id + " does not exist for script " + script)));
        }
        if (Math.abs(sum - 100) > 1e-9) {
            throw ApiException.badRequest(10021, "percentages must add up to 100");
        }
        List<String> secrets = runtime.faults.changedSecrets(script);
        int newest = versions(script).stream().mapToInt(v -> v.path("number").asInt()).max().orElse(0);
        boolean rollback = chosen.stream().anyMatch(v -> v.path("number").asInt() < newest);
        if (rollback && !secrets.isEmpty() && !force) {
            throw ApiException.badRequest(10220, "A secret has changed since this version was active. If you are sure "
                    + "this is ok, add a ?force=true query parameter to allow the rollback. "
                    + "The following secrets have changed: " + String.join(", ", secrets));
        }
        String message = body.path("annotations").path("workers/message").asText(null);
        return record(script, versions, message, rollback ? "rollback" : "deployment");
    }

    ObjectNode record(String script, JsonNode versions, String message, String triggeredBy) {
        return runtime.store.inTransaction(s -> {
            long seq = s.queryOne("SELECT coalesce(max(seq), 0) + 1 FROM worker_deployments", rs -> rs.getLong(1)).orElse(1L);
            String id = UUID.nameUUIDFromBytes((script + "/deployment/" + seq).getBytes(StandardCharsets.UTF_8)).toString();
            ObjectNode d = Json.object();
            d.put("id", id);
            d.put("created_on", Json.iso(runtime.now()));
            d.put("source", "api");
            d.put("strategy", "percentage");
            d.put("author_email", AUTHOR);
            ObjectNode ann = d.putObject("annotations");
            if (message != null) {
                ann.put("workers/message", truncateUtf8(message, 1000));
            }
            ann.put("workers/triggered_by", triggeredBy);
            ArrayNode vs = d.putArray("versions");
            for (JsonNode v : versions) {
                ObjectNode o = vs.addObject();
                o.put("version_id", v.path("version_id").asText());
                o.put("percentage", v.path("percentage").asDouble());
            }
            s.update("INSERT INTO worker_deployments(id, script, seq, created_at, body) VALUES(?,?,?,?,?)",
                    id, script, seq, runtime.now().toEpochMilli(), Json.write(d));
            return d;
        });
    }

    void deleteDeployment(String script, String id) {
        requireScript(script);
        List<ObjectNode> all = deployments(script);
        if (all.stream().noneMatch(d -> d.path("id").asText().equals(id))) {
            throw ApiException.notFound(10007, "Deployment " + id + " not found");
        }
        if (all.get(0).path("id").asText().equals(id)) {
            throw ApiException.badRequest(10223, "Cannot delete the latest deployment: it is serving traffic");
        }
        runtime.store.update("DELETE FROM worker_deployments WHERE script = ? AND id = ?", script, id);
    }

    static String truncateUtf8(String s, int maxBytes) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= maxBytes) {
            return s;
        }
        int end = maxBytes;
        while (end > 0 && (b[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }
}
