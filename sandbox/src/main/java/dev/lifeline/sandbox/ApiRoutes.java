package dev.lifeline.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The handlers of the 31 operations of the OpenAPI subset, registered on the {@link ApiServer}. */
final class ApiRoutes {
    private static final String ACC = "/accounts/{account_id}";
    private static final int KV_VALUE_MAX = 25 * 1024 * 1024;

    private final SandboxRuntime runtime;
    private final CloudflareSandbox sandbox;

    ApiRoutes(SandboxRuntime runtime, CloudflareSandbox sandbox) {
        this.runtime = runtime;
        this.sandbox = sandbox;
    }

    void register(ApiServer s) {
        // D1
        s.route("GET", ACC + "/d1/database", this::d1List);
        s.route("POST", ACC + "/d1/database", this::d1Create);
        s.route("GET", ACC + "/d1/database/{db}", this::d1Get);
        s.route("DELETE", ACC + "/d1/database/{db}", this::d1Delete);
        s.route("POST", ACC + "/d1/database/{db}/query", r -> d1Query(r, false));
        s.route("POST", ACC + "/d1/database/{db}/raw", r -> d1Query(r, true));
        s.route("POST", ACC + "/d1/database/{db}/export", this::d1Export);
        s.route("POST", ACC + "/d1/database/{db}/import", this::d1Import);
        s.route("GET", ACC + "/d1/database/{db}/time_travel/bookmark", this::d1Bookmark);
        s.route("POST", ACC + "/d1/database/{db}/time_travel/restore", this::d1Restore);
        // R2 buckets
        s.route("GET", ACC + "/r2/buckets", this::r2List);
        s.route("POST", ACC + "/r2/buckets", this::r2Create);
        s.route("GET", ACC + "/r2/buckets/{bucket}", this::r2Get);
        // KV
        s.route("GET", ACC + "/storage/kv/namespaces", this::kvNamespaces);
        s.route("POST", ACC + "/storage/kv/namespaces", this::kvCreateNamespace);
        s.route("GET", ACC + "/storage/kv/namespaces/{ns}", this::kvNamespace);
        s.route("PUT", ACC + "/storage/kv/namespaces/{ns}/bulk", this::kvBulkWrite);
        s.route("DELETE", ACC + "/storage/kv/namespaces/{ns}/bulk", this::kvBulkDelete);
        s.route("POST", ACC + "/storage/kv/namespaces/{ns}/bulk/delete", this::kvBulkDelete);
        s.route("POST", ACC + "/storage/kv/namespaces/{ns}/bulk/get", this::kvBulkGet);
        s.route("GET", ACC + "/storage/kv/namespaces/{ns}/keys", this::kvKeys);
        s.route("GET", ACC + "/storage/kv/namespaces/{ns}/metadata/{key}", this::kvMetadata);
        s.route("GET", ACC + "/storage/kv/namespaces/{ns}/values/{key}", this::kvGet);
        s.route("PUT", ACC + "/storage/kv/namespaces/{ns}/values/{key}", this::kvPut);
        s.route("DELETE", ACC + "/storage/kv/namespaces/{ns}/values/{key}", this::kvDelete);
        // Workers
        s.route("GET", ACC + "/workers/scripts/{script}/deployments", this::deployments);
        s.route("POST", ACC + "/workers/scripts/{script}/deployments", this::deploy);
        s.route("GET", ACC + "/workers/scripts/{script}/deployments/{id}", this::deployment);
        s.route("DELETE", ACC + "/workers/scripts/{script}/deployments/{id}", this::deleteDeployment);
        s.route("GET", ACC + "/workers/scripts/{script}/versions", this::versions);
        s.route("GET", ACC + "/workers/scripts/{script}/versions/{id}", this::version);
    }

    // ---------------------------------------------------------------- helpers

    /** Page-based pagination: {page, per_page, count, total_count}. */
    private static <T> ApiServer.Reply paged(List<T> all, int page, int perPage, java.util.function.Function<T, JsonNode> json,
            boolean itemsWrapper) {
        int from = Math.min(all.size(), (page - 1) * perPage);
        int to = Math.min(all.size(), from + perPage);
        ArrayNode items = Json.array();
        for (T t : all.subList(from, to)) {
            items.add(json.apply(t));
        }
        ObjectNode info = Json.object();
        info.put("page", page);
        info.put("per_page", perPage);
        info.put("count", to - from);
        info.put("total_count", all.size());
        if (itemsWrapper) {
            ObjectNode result = Json.object();
            result.set("items", items);
            return ApiServer.Reply.of(result, info);
        }
        return ApiServer.Reply.of(items, info);
    }

    private static ApiServer.Reply ok() {
        return ApiServer.Reply.of(Json.NODES.nullNode());
    }

    // ---------------------------------------------------------------- D1

    private ApiServer.Reply d1List(ApiServer.Req r) {
        int page = r.intQuery("page", 1, 1, Integer.MAX_VALUE, 7400);
        int perPage = r.intQuery("per_page", 1000, 10, 10000, 7400);
        String name = r.query.get("name");
        List<D1Instance> all = new ArrayList<>(sandbox.d1().list());
        if (name != null && !name.isEmpty()) {
            all.removeIf(d -> !d.name.contains(name));
        }
        return paged(all, page, perPage, d -> sandbox.d1().describe(d, false), false);
    }

    private ApiServer.Reply d1Create(ApiServer.Req r) {
        JsonNode body = r.json();
        String hint = body.path("primary_location_hint").asText(null);
        if (hint != null && !List.of("wnam", "enam", "weur", "eeur", "apac", "oc").contains(hint)) {
            throw ApiException.badRequest(7400, "Invalid primary_location_hint: " + hint);
        }
        D1Instance db = sandbox.d1().create(body.path("name").asText(null), "production", hint);
        ObjectNode o = sandbox.d1().describe(db, false);
        return ApiServer.Reply.of(o);
    }

    private ApiServer.Reply d1Get(ApiServer.Req r) {
        D1Instance db = sandbox.d1().requireByIdOrName(r.param(1));
        ObjectNode all = sandbox.d1().describe(db, true);
        String fields = r.query.get("fields");
        if (fields == null || fields.isBlank()) {
            return ApiServer.Reply.of(all);
        }
        ObjectNode picked = Json.object();
        for (String f : fields.split(",")) {
            String name = f.trim();
            if (all.has(name)) {
                picked.set(name, all.get(name));
            }
        }
        return ApiServer.Reply.of(picked);
    }

    private ApiServer.Reply d1Delete(ApiServer.Req r) {
        sandbox.d1().delete(sandbox.d1().require(r.param(1)));
        return ok();
    }

    private ApiServer.Reply d1Query(ApiServer.Req r, boolean raw) {
        D1Instance db = sandbox.d1().require(r.param(1));
        return ApiServer.Reply.of(sandbox.d1().query(db, r.json(), raw));
    }

    private ApiServer.Reply d1Export(ApiServer.Req r) {
        D1Instance db = sandbox.d1().require(r.param(1));
        D1Service.Job job = sandbox.d1().export(db, r.json());
        return jobReply(job);
    }

    private ApiServer.Reply d1Import(ApiServer.Req r) {
        D1Instance db = sandbox.d1().require(r.param(1));
        Object answer = sandbox.d1().importAction(db, r.json());
        if (answer instanceof D1Service.Job) {
            return jobReply((D1Service.Job) answer);
        }
        return ApiServer.Reply.of((JsonNode) answer);
    }

    private static ApiServer.Reply jobReply(D1Service.Job job) {
        ObjectNode polling = job.polling();
        return ApiServer.Reply.of(polling).status("active".equals(polling.path("status").asText()) ? 202 : 200);
    }

    private ApiServer.Reply d1Bookmark(ApiServer.Req r) {
        D1Instance db = sandbox.d1().require(r.param(1));
        return ApiServer.Reply.of(sandbox.d1().bookmark(db, emptyToNull(r.query.get("timestamp"))));
    }

    private ApiServer.Reply d1Restore(ApiServer.Req r) {
        D1Instance db = sandbox.d1().require(r.param(1));
        return ApiServer.Reply.of(sandbox.d1().restore(db, emptyToNull(r.query.get("bookmark")),
                emptyToNull(r.query.get("timestamp"))));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    // ---------------------------------------------------------------- R2

    private ApiServer.Reply r2List(ApiServer.Req r) {
        int perPage = r.intQuery("per_page", 20, 1, 1000, 10001);
        String contains = r.query.get("name_contains");
        String startAfter = r.query.get("start_after");
        boolean desc = "desc".equalsIgnoreCase(r.query.get("direction"));
        String jurisdiction = Optional.ofNullable(r.header("cf-r2-jurisdiction")).orElse("default");
        List<R2Service.BucketInfo> all = new ArrayList<>(sandbox.r2().buckets());
        all.removeIf(b -> !b.jurisdiction().equals(jurisdiction));
        if (contains != null && !contains.isEmpty()) {
            all.removeIf(b -> !b.name().contains(contains));
        }
        all.sort(Comparator.comparing(R2Service.BucketInfo::name));
        if (desc) {
            java.util.Collections.reverse(all);
        }
        String after = startAfter;
        String cursor = r.query.get("cursor");
        if (cursor != null && !cursor.isEmpty()) {
            try {
                after = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(10001, "Invalid cursor");
            }
        }
        if (after != null) {
            String a = after;
            all.removeIf(b -> desc ? b.name().compareTo(a) >= 0 : b.name().compareTo(a) <= 0);
        }
        boolean more = all.size() > perPage;
        List<R2Service.BucketInfo> page = all.subList(0, Math.min(perPage, all.size()));
        ObjectNode result = Json.object();
        ArrayNode buckets = result.putArray("buckets");
        page.forEach(b -> buckets.add(b.json()));
        ObjectNode info = Json.object();
        info.put("cursor", more ? Base64.getUrlEncoder().withoutPadding()
                .encodeToString(page.get(page.size() - 1).name().getBytes(StandardCharsets.UTF_8)) : "");
        info.put("per_page", perPage);
        return ApiServer.Reply.of(result, info);
    }

    private ApiServer.Reply r2Create(ApiServer.Req r) {
        JsonNode body = r.json();
        String jurisdiction = Optional.ofNullable(r.header("cf-r2-jurisdiction")).orElse("default");
        R2Service.BucketInfo b = sandbox.r2().create(body.path("name").asText(null),
                body.path("locationHint").asText(null), body.path("storageClass").asText(null), jurisdiction);
        return ApiServer.Reply.of(b.json());
    }

    private ApiServer.Reply r2Get(ApiServer.Req r) {
        return ApiServer.Reply.of(sandbox.r2().bucket(r.param(1))
                .orElseThrow(() -> ApiException.notFound(10006, "The specified bucket does not exist."))
                .json());
    }

    // ---------------------------------------------------------------- KV

    private ApiServer.Reply kvNamespaces(ApiServer.Req r) {
        int page = r.intQuery("page", 1, 1, Integer.MAX_VALUE, 10001);
        int perPage = r.intQuery("per_page", 20, 5, 100, 10001);
        String order = r.query.get("order");
        if (order != null && !order.equals("id") && !order.equals("title")) {
            throw ApiException.badRequest(10001, "order must be id or title");
        }
        boolean desc = "desc".equalsIgnoreCase(r.query.get("direction"));
        return paged(sandbox.kv().namespaces(order, desc), page, perPage, KvService.Namespace::json, false);
    }

    private ApiServer.Reply kvCreateNamespace(ApiServer.Req r) {
        JsonNode body = r.json();
        return ApiServer.Reply.of(sandbox.kv().createNamespace(body.path("title").asText(null)).json());
    }

    private ApiServer.Reply kvNamespace(ApiServer.Req r) {
        return ApiServer.Reply.of(sandbox.kv().require(r.param(1), "get namespace").json());
    }

    private ApiServer.Reply kvBulkWrite(ApiServer.Req r) {
        KvService.Namespace ns = sandbox.kv().require(r.param(1), "bulk write");
        return ApiServer.Reply.of(sandbox.kv().bulkWrite(ns.id(), r.json()));
    }

    private ApiServer.Reply kvBulkDelete(ApiServer.Req r) {
        KvService.Namespace ns = sandbox.kv().require(r.param(1), "bulk delete");
        return ApiServer.Reply.of(sandbox.kv().bulkDelete(ns.id(), r.json()));
    }

    private ApiServer.Reply kvBulkGet(ApiServer.Req r) {
        KvService.Namespace ns = sandbox.kv().require(r.param(1), "bulk get");
        return ApiServer.Reply.of(sandbox.kv().bulkGet(ns.id(), r.json()));
    }

    private ApiServer.Reply kvKeys(ApiServer.Req r) {
        KvService.Namespace ns = sandbox.kv().require(r.param(1), "list keys");
        int limit = r.intQuery("limit", 1000, 10, 1000, 10001);
        ObjectNode[] page = sandbox.kv().list(ns.id(), r.query.get("prefix"), limit, r.query.get("cursor"));
        return ApiServer.Reply.of(page[0].get("keys"), page[1]);
    }

    private ApiServer.Reply kvMetadata(ApiServer.Req r) {
        KvService.Namespace ns = sandbox.kv().require(r.param(1), "get metadata");
        KvService.Entry e = sandbox.kv().get(ns.id(), r.param(2))
                .orElseThrow(() -> ApiException.notFound(10009, "get: 'key not found'"));
        // Observed API behaviour for keys without metadata is not documented; an empty object keeps
        // the result an object as the schema requires.
        return ApiServer.Reply.of(e.metadata() == null ? Json.object() : Json.parse(e.metadata()));
    }

    private ApiServer.Reply kvGet(ApiServer.Req r) {
        KvService.Namespace ns = sandbox.kv().require(r.param(1), "get");
        KvService.Entry e = sandbox.kv().get(ns.id(), r.param(2))
                .orElseThrow(() -> ApiException.notFound(10009, "get: 'key not found'"));
        ApiServer.Reply reply = new ApiServer.Reply();
        reply.raw = e.value();
        if (e.expiration() != null) {
            reply.headers.put("expiration", Long.toString(e.expiration()));
        }
        return reply;
    }

    private ApiServer.Reply kvPut(ApiServer.Req r) throws java.io.IOException {
        KvService.Namespace ns = sandbox.kv().require(r.param(1), "put");
        String key = r.param(2);
        Long expiration = longQuery(r, "expiration");
        Long ttl = longQuery(r, "expiration_ttl");
        String contentType = Optional.ofNullable(r.header("Content-Type")).orElse("");
        byte[] value;
        String metadata = null;
        if (contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            byte[] v = null;
            for (HttpExchangeIo.Part p : HttpExchangeIo.multipart(contentType, r.exchange.getRequestBody(), KV_VALUE_MAX + 4096)) {
                if ("value".equals(p.name())) {
                    v = p.body();
                } else if ("metadata".equals(p.name())) {
                    metadata = new String(p.body(), StandardCharsets.UTF_8);
                }
            }
            if (v == null) {
                throw ApiException.badRequest(10001, "multipart body needs a value part");
            }
            value = v;
        } else {
            value = r.exchange.getRequestBody().readNBytes(KV_VALUE_MAX + 1);
        }
        if (value.length > KV_VALUE_MAX) {
            throw new ApiException(413, 10011, "Value length of " + value.length + " exceeds limit of " + KV_VALUE_MAX);
        }
        sandbox.kv().put(ns.id(), key, value, metadata, expiration, ttl);
        return ok();
    }

    private static Long longQuery(ApiServer.Req r, String name) {
        String v = r.query.get(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return (long) Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(10001, name + " must be a number");
        }
    }

    private ApiServer.Reply kvDelete(ApiServer.Req r) {
        KvService.Namespace ns = sandbox.kv().require(r.param(1), "delete");
        KvService.validateKey(r.param(2));
        sandbox.kv().delete(ns.id(), r.param(2));
        return ok();
    }

    // ---------------------------------------------------------------- Workers

    private ApiServer.Reply deployments(ApiServer.Req r) {
        sandbox.workers().requireScript(r.param(1));
        ObjectNode result = Json.object();
        ArrayNode list = result.putArray("deployments");
        sandbox.workers().deployments(r.param(1)).forEach(list::add);
        return ApiServer.Reply.of(result);
    }

    private ApiServer.Reply deploy(ApiServer.Req r) {
        boolean force = "true".equalsIgnoreCase(r.query.get("force"));
        return ApiServer.Reply.of(sandbox.workers().deploy(r.param(1), r.json(), force));
    }

    private ApiServer.Reply deployment(ApiServer.Req r) {
        sandbox.workers().requireScript(r.param(1));
        return ApiServer.Reply.of(sandbox.workers().deployment(r.param(1), r.param(2))
                .orElseThrow(() -> ApiException.notFound(10007, "Deployment " + r.param(2) + " not found")));
    }

    private ApiServer.Reply deleteDeployment(ApiServer.Req r) {
        sandbox.workers().deleteDeployment(r.param(1), r.param(2));
        return ok();
    }

    private ApiServer.Reply versions(ApiServer.Req r) {
        sandbox.workers().requireScript(r.param(1));
        List<ObjectNode> all = sandbox.workers().versions(r.param(1));
        if ("true".equalsIgnoreCase(r.query.get("deployable"))) {
            ObjectNode result = Json.object();
            ArrayNode items = result.putArray("items");
            all.forEach(v -> items.add(WorkersService.shortVersion(v)));
            return ApiServer.Reply.of(result);
        }
        int page = r.intQuery("page", 1, 1, Integer.MAX_VALUE, 10001);
        int perPage = r.intQuery("per_page", 10, 1, 100, 10001);
        return paged(all, page, perPage, WorkersService::shortVersion, true);
    }

    private ApiServer.Reply version(ApiServer.Req r) {
        sandbox.workers().requireScript(r.param(1));
        return ApiServer.Reply.of(sandbox.workers().version(r.param(1), r.param(2))
                .orElseThrow(() -> ApiException.notFound(10007, "Version " + r.param(2) + " not found")));
    }
}
