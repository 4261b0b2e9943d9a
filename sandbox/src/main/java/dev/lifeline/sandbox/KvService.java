package dev.lifeline.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Workers KV as the REST API exposes it: namespaces, keys with metadata and expiration, cursor
 * listing, bulk writes/deletes/gets. Entries live in the control store; expired keys vanish
 * according to the sandbox clock.
 */
final class KvService {
    static final int BULK_MAX = 10_000;
    private static final int METADATA_MAX = 1024;
    private static final int KEY_MAX = 512;

    private final SandboxRuntime runtime;

    KvService(SandboxRuntime runtime) {
        this.runtime = runtime;
    }

    /** A namespace row. */
    record Namespace(String id, String title, long seq) {
        ObjectNode json() {
            ObjectNode o = Json.object();
            o.put("id", id);
            o.put("title", title);
            o.put("supports_url_encoding", true);
            return o;
        }
    }

    /** A stored entry. */
    record Entry(String key, byte[] value, String metadata, Long expiration) {
    }

    long nowSeconds() {
        return runtime.now().getEpochSecond();
    }

    // ---------------------------------------------------------------- namespaces

    Namespace createNamespace(String title) {
        if (title == null || title.isBlank()) {
            throw ApiException.badRequest(10019, "title is required");
        }
        return runtime.store.inTransaction(s -> {
            if (s.queryOne("SELECT 1 FROM kv_namespaces WHERE title = ?", rs -> 1, title).isPresent()) {
                throw ApiException.badRequest(10014, "a namespace with this account ID and title already exists");
            }
            long seq = s.queryOne("SELECT coalesce(max(created_seq), 0) + 1 FROM kv_namespaces", rs -> rs.getLong(1)).orElse(1L);
            String id = UUID.randomUUID().toString().replace("-", "");
            s.update("INSERT INTO kv_namespaces(id, title, created_seq) VALUES(?,?,?)", id, title, seq);
            return new Namespace(id, title, seq);
        });
    }

    List<Namespace> namespaces(String order, boolean descending) {
        String column = "title".equals(order) ? "title" : "id".equals(order) ? "id" : "created_seq";
        return runtime.store.query("SELECT id, title, created_seq FROM kv_namespaces ORDER BY " + column
                + (descending ? " DESC" : " ASC"), rs -> new Namespace(rs.getString(1), rs.getString(2), rs.getLong(3)));
    }

    Optional<Namespace> find(String idOrTitle) {
        return runtime.store.queryOne("SELECT id, title, created_seq FROM kv_namespaces WHERE id = ? OR title = ? "
                + "ORDER BY id = ? DESC", rs -> new Namespace(rs.getString(1), rs.getString(2), rs.getLong(3)),
                idOrTitle, idOrTitle, idOrTitle);
    }

    Namespace require(String id, String op) {
        return runtime.store.queryOne("SELECT id, title, created_seq FROM kv_namespaces WHERE id = ?",
                rs -> new Namespace(rs.getString(1), rs.getString(2), rs.getLong(3)), id)
                .orElseThrow(() -> ApiException.notFound(10013, op + ": 'namespace not found'"));
    }

    // ---------------------------------------------------------------- entries

    private void purgeExpired(String ns) {
        runtime.store.update("DELETE FROM kv_entries WHERE namespace_id = ? AND expiration IS NOT NULL AND expiration <= ?",
                ns, nowSeconds());
    }

    Optional<Entry> get(String ns, String key) {
        return runtime.store.queryOne("SELECT key, value, metadata, expiration FROM kv_entries "
                + "WHERE namespace_id = ? AND key = ? AND (expiration IS NULL OR expiration > ?)",
                rs -> new Entry(rs.getString(1), rs.getBytes(2), rs.getString(3), ControlStore.nullableLong(rs, 4)),
                ns, key, nowSeconds());
    }

    /** Validates and stores one value; {@code metadata} is JSON text or null. */
    void put(String ns, String key, byte[] value, String metadata, Long expiration, Long ttl) {
        validateKey(key);
        Long exp = effectiveExpiration(expiration, ttl);
        if (metadata != null) {
            if (metadata.getBytes(StandardCharsets.UTF_8).length > METADATA_MAX) {
                throw ApiException.badRequest(10028, "metadata must be at most " + METADATA_MAX + " bytes");
            }
            try {
                Json.MAPPER.readTree(metadata);
            } catch (Exception e) {
                throw ApiException.badRequest(10001, "metadata is not valid JSON");
            }
        }
        store(ns, key, value, metadata, exp);
    }

    void store(String ns, String key, byte[] value, String metadata, Long expiration) {
        runtime.store.update("INSERT INTO kv_entries(namespace_id, key, value, metadata, expiration) VALUES(?,?,?,?,?) "
                + "ON CONFLICT(namespace_id, key) DO UPDATE SET value = excluded.value, metadata = excluded.metadata, "
                + "expiration = excluded.expiration", ns, key, value, metadata, expiration);
    }

    boolean delete(String ns, String key) {
        return runtime.store.update("DELETE FROM kv_entries WHERE namespace_id = ? AND key = ?", ns, key) > 0;
    }

    private Long effectiveExpiration(Long expiration, Long ttl) {
        long now = nowSeconds();
        if (ttl != null) {
            if (ttl < 60) {
                throw ApiException.badRequest(10038, "Invalid expiration_ttl of " + ttl
                        + ". Expiration TTL must be at least 60.");
            }
            return now + ttl;
        }
        if (expiration != null) {
            if (expiration < now + 60) {
                throw ApiException.badRequest(10037, "Invalid expiration of " + expiration
                        + ". Please specify integer greater than the current number of seconds since the UNIX epoch"
                        + " plus 60 seconds.");
            }
            return expiration;
        }
        return null;
    }

    static void validateKey(String key) {
        if (key == null || key.isEmpty() || key.equals(".") || key.equals("..")) {
            throw ApiException.badRequest(10020, "Invalid key name: keys must not be empty, '.' or '..'");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > KEY_MAX) {
            throw ApiException.badRequest(10033, "Key name is too long: at most " + KEY_MAX + " bytes");
        }
    }

    /** One page of key names after {@code cursor}; the returned cursor is empty at the end. */
    ObjectNode[] list(String ns, String prefix, int limit, String cursor) {
        purgeExpired(ns);
        String after = decodeCursor(cursor);
        String p = prefix == null ? "" : prefix;
        List<Entry> rows = runtime.store.query("SELECT key, NULL, metadata, expiration FROM kv_entries "
                + "WHERE namespace_id = ? AND key > ? AND key >= ? AND substr(key, 1, length(?)) = ? "
                + "ORDER BY key LIMIT ?",
                rs -> new Entry(rs.getString(1), null, rs.getString(3), ControlStore.nullableLong(rs, 4)),
                ns, after, p, p, p, limit + 1);
        boolean more = rows.size() > limit;
        if (more) {
            rows = rows.subList(0, limit);
        }
        ArrayNode keys = Json.array();
        for (Entry e : rows) {
            ObjectNode k = keys.addObject();
            k.put("name", e.key());
            if (e.expiration() != null) {
                k.put("expiration", e.expiration());
            }
            if (e.metadata() != null) {
                k.set("metadata", Json.parse(e.metadata()));
            }
        }
        ObjectNode info = Json.object();
        info.put("count", rows.size());
        info.put("cursor", more ? encodeCursor(rows.get(rows.size() - 1).key()) : "");
        ObjectNode wrapper = Json.object();
        wrapper.set("keys", keys);
        return new ObjectNode[] {wrapper, info};
    }

    static String encodeCursor(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("k1:" + key).getBytes(StandardCharsets.UTF_8));
    }

    static String decodeCursor(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return "";
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (s.startsWith("k1:")) {
                return s.substring(3);
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw ApiException.badRequest(10032, "Invalid cursor");
    }

    /** Bulk write; returns {successful_key_count, unsuccessful_keys}. */
    ObjectNode bulkWrite(String ns, JsonNode body) {
        if (!body.isArray()) {
            throw ApiException.badRequest(10001, "request body must be a JSON array of {key, value, ...}");
        }
        if (body.size() > BULK_MAX) {
            throw new ApiException(413, 10012, "Too many bulk operations: at most " + BULK_MAX + " key-value pairs per request");
        }
        // Validate everything first: a malformed item fails the whole request, as the API does.
        List<Object[]> writes = new ArrayList<>();
        for (JsonNode item : body) {
            JsonNode key = item.get("key");
            JsonNode value = item.get("value");
            if (key == null || !key.isTextual() || value == null || !value.isTextual()) {
                throw ApiException.badRequest(10001, "each item needs string key and value");
            }
            validateKey(key.asText());
            byte[] bytes;
            if (item.path("base64").asBoolean(false)) {
                try {
                    bytes = Base64.getDecoder().decode(value.asText());
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest(10001, "value of " + key.asText() + " is not valid base64");
                }
            } else {
                bytes = value.asText().getBytes(StandardCharsets.UTF_8);
            }
            Long exp = item.hasNonNull("expiration") ? item.get("expiration").asLong() : null;
            Long ttl = item.hasNonNull("expiration_ttl") ? item.get("expiration_ttl").asLong() : null;
            Long effective = effectiveExpiration(exp, ttl);
            String metadata = null;
            if (item.hasNonNull("metadata")) {
                metadata = Json.write(item.get("metadata"));
                if (metadata.getBytes(StandardCharsets.UTF_8).length > METADATA_MAX) {
                    throw ApiException.badRequest(10028, "metadata of " + key.asText() + " is over " + METADATA_MAX + " bytes");
                }
            }
            writes.add(new Object[] {key.asText(), bytes, metadata, effective});
        }
        ArrayNode unsuccessful = Json.array();
        // One bookkeeping transaction per request: 10,000 single-row commits would be slow.
        int ok = runtime.store.inTransaction(s -> {
            int n = 0;
            for (Object[] w : writes) {
                if (runtime.faults.kvBulkFails((String) w[0])) {
                    unsuccessful.add((String) w[0]);
                    continue;
                }
                store(ns, (String) w[0], (byte[]) w[1], (String) w[2], (Long) w[3]);
                n++;
            }
            return n;
        });
        return bulkResult(ok, unsuccessful);
    }

    ObjectNode bulkDelete(String ns, JsonNode body) {
        if (!body.isArray()) {
            throw ApiException.badRequest(10001, "request body must be a JSON array of key names");
        }
        if (body.size() > BULK_MAX) {
            throw new ApiException(413, 10012, "Too many bulk operations: at most " + BULK_MAX + " keys per request");
        }
        List<String> keys = new ArrayList<>();
        for (JsonNode k : body) {
            String key = k.isTextual() ? k.asText() : k.path("name").asText(null);
            if (key == null) {
                throw ApiException.badRequest(10001, "each item must be a key name (or {name})");
            }
            keys.add(key);
        }
        ArrayNode unsuccessful = Json.array();
        int ok = runtime.store.inTransaction(s -> {
            int n = 0;
            for (String key : keys) {
                if (runtime.faults.kvBulkFails(key)) {
                    unsuccessful.add(key);
                    continue;
                }
                delete(ns, key);
                n++;
            }
            return n;
        });
        return bulkResult(ok, unsuccessful);
    }

    private static ObjectNode bulkResult(int ok, ArrayNode unsuccessful) {
        ObjectNode r = Json.object();
        r.put("successful_key_count", ok);
        r.set("unsuccessful_keys", unsuccessful);
        return r;
    }

    ObjectNode bulkGet(String ns, JsonNode body) {
        JsonNode keys = body.get("keys");
        if (keys == null || !keys.isArray()) {
            throw ApiException.badRequest(10001, "keys must be an array of key names");
        }
        if (keys.size() > 100) {
            throw ApiException.badRequest(10012, "At most 100 keys can be read in one bulk get");
        }
        String type = body.path("type").asText("text").toLowerCase(Locale.ROOT);
        if (!type.equals("text") && !type.equals("json")) {
            throw ApiException.badRequest(10001, "type must be text or json");
        }
        boolean withMetadata = body.path("withMetadata").asBoolean(false);
        ObjectNode values = Json.object();
        for (JsonNode k : keys) {
            String key = k.asText();
            Optional<Entry> e = get(ns, key);
            if (e.isEmpty()) {
                values.putNull(key);
                continue;
            }
            JsonNode value;
            String text = utf8(e.get().value());
            if (text == null) {
                throw ApiException.badRequest(10001, "value of " + key + " is not UTF-8 text; read it with a single GET");
            }
            if (type.equals("json")) {
                try {
                    value = Json.MAPPER.readTree(text);
                } catch (Exception ex) {
                    throw ApiException.badRequest(10001, "value of " + key + " is not valid JSON");
                }
            } else {
                value = Json.NODES.textNode(text);
            }
            if (withMetadata) {
                ObjectNode o = values.putObject(key);
                o.set("value", value);
                o.set("metadata", e.get().metadata() == null ? Json.NODES.nullNode() : Json.parse(e.get().metadata()));
                if (e.get().expiration() != null) {
                    o.put("expiration", e.get().expiration());
                }
            } else {
                values.set(key, value);
            }
        }
        ObjectNode r = Json.object();
        r.set("values", values);
        return r;
    }

    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    List<Entry> entries(String ns) {
        purgeExpired(ns);
        return runtime.store.query("SELECT key, value, metadata, expiration FROM kv_entries WHERE namespace_id = ? ORDER BY key",
                rs -> new Entry(rs.getString(1), rs.getBytes(2), rs.getString(3), ControlStore.nullableLong(rs, 4)), ns);
    }
}
