package dev.lifeline.sandbox;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The REST emulator: the JDK's HTTP server on 127.0.0.1, a small router for the 31 operations of
 * the OpenAPI subset below {@code /client/v4}, Cloudflare's envelope and error shapes, Bearer
 * authentication, fault injection, and the presigned-style export/import URLs under
 * {@code /__sandbox/r2/}. Request and download bodies are streamed.
 */
final class ApiServer implements AutoCloseable {
    static final String BASE = "/client/v4";

    private final SandboxRuntime runtime;
    private final CloudflareSandbox sandbox;
    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final List<Route> routes = new ArrayList<>();

    /** A routed request. */
    static final class Req {
        final HttpExchange exchange;
        final String method;
        final String path; // below /client/v4, raw
        final List<String> params = new ArrayList<>();
        final Map<String, String> query;

        Req(HttpExchange exchange, String method, String path, Map<String, String> query) {
            this.exchange = exchange;
            this.method = method;
            this.path = path;
            this.query = query;
        }

        String param(int i) {
            return params.get(i);
        }

        JsonNode json() {
            return Json.parse(exchange.getRequestBody());
        }

        String header(String name) {
            return exchange.getRequestHeaders().getFirst(name);
        }

        Integer intQuery(String name, int def, int min, int max, int errorCode) {
            String v = query.get(name);
            if (v == null || v.isEmpty()) {
                return def;
            }
            try {
                int n = (int) Double.parseDouble(v);
                if (n < min || n > max) {
                    throw ApiException.badRequest(errorCode, name + " must be between " + min + " and " + max);
                }
                return n;
            } catch (NumberFormatException e) {
                throw ApiException.badRequest(errorCode, name + " must be a number");
            }
        }
    }

    /** What a handler answers: an envelope (result + result_info) or raw bytes. */
    static final class Reply {
        int status = 200;
        JsonNode result;
        JsonNode resultInfo;
        byte[] raw;
        final Map<String, String> headers = new java.util.LinkedHashMap<>();

        static Reply of(JsonNode result) {
            Reply r = new Reply();
            r.result = result;
            return r;
        }

        static Reply of(JsonNode result, JsonNode info) {
            Reply r = of(result);
            r.resultInfo = info;
            return r;
        }

        Reply status(int s) {
            this.status = s;
            return this;
        }
    }

    @FunctionalInterface
    interface Handler {
        Reply handle(Req req) throws Exception;
    }

    private record Route(String method, String[] pattern, Handler handler) {
    }

    ApiServer(SandboxRuntime runtime, CloudflareSandbox sandbox, int port) throws IOException {
        this.runtime = runtime;
        this.sandbox = sandbox;
        AtomicInteger n = new AtomicInteger();
        // Core = max: with an unbounded queue a pool never grows past its core size, and export/import
        // polls wait up to a second each, so a handful of threads would starve concurrent clients.
        this.executor = new ThreadPoolExecutor(32, 32, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "sandbox-api-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.executor.allowCoreThreadTimeOut(true);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        server.setExecutor(executor);
        server.createContext("/", this::serve);
        new ApiRoutes(runtime, sandbox).register(this);
    }

    void route(String method, String pattern, Handler handler) {
        routes.add(new Route(method, pattern.substring(1).split("/"), handler));
    }

    void start() {
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    // ---------------------------------------------------------------- dispatch

    /** Thrown to make the JDK server close the connection mid-body (it does so for handler exceptions). */
    static final class InjectedDrop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedDrop(String message) {
            super(message, null, false, false);
        }
    }

    private void serve(HttpExchange ex) throws IOException {
        boolean dropped = false;
        try {
            String rawPath = ex.getRequestURI().getRawPath();
            Map<String, String> query = HttpExchangeIo.query(ex.getRequestURI().getRawQuery());
            if (rawPath.startsWith("/__sandbox/r2/")) {
                serveSignedUrl(ex, rawPath, query);
                return;
            }
            if (!rawPath.startsWith(BASE + "/") && !rawPath.equals(BASE)) {
                sendError(ex, new ApiException(404, 7003, "No route for the URI"));
                return;
            }
            String path = rawPath.substring(BASE.length());
            String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
            runtime.faults.record(method, path);
            for (FaultInjector.Rule rule : runtime.faults.match(method, path)) {
                switch (rule.kind) {
                    case LATENCY:
                        Thread.sleep(rule.duration.toMillis());
                        break;
                    case RATE_LIMIT:
                        sendError(ex, new ApiException(429, 10429, "Rate limited. Please wait and consider throttling your request speed")
                                .header("retry-after", Long.toString(Math.max(0, rule.duration.toSeconds())))
                                .header("ratelimit", "\"default\";r=0;t=" + Math.max(0, rule.duration.toSeconds()))
                                .header("ratelimit-policy", "\"default\";q=1200;w=300"));
                        return;
                    case SERVER_ERROR:
                        sendError(ex, new ApiException(rule.status, 10000 + rule.status,
                                "Internal server error (injected " + rule.status + ")"));
                        return;
                    case WAF:
                        sendWafChallenge(ex);
                        return;
                    default:
                        break;
                }
            }
            authenticate(ex);
            Req req = new Req(ex, method, path, query);
            Handler handler = resolve(req);
            Reply reply = handler.handle(req);
            send(ex, reply);
        } catch (InjectedDrop e) {
            dropped = true;
            throw e;
        } catch (ApiException e) {
            sendError(ex, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sendError(ex, new ApiException(503, 10503, "server shutting down"));
        } catch (RuntimeException | IOException e) {
            runtime.log.warn("sandbox API request {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e);
            try {
                sendError(ex, new ApiException(500, 10500, "Internal error: " + e));
            } catch (IOException | RuntimeException ignored) {
                // the connection is gone
            }
        } catch (Exception e) {
            runtime.log.warn("sandbox API request failed", e);
            sendError(ex, new ApiException(500, 10500, "Internal error: " + e));
        } finally {
            if (!dropped) {
                ex.close();
            }
        }
    }

    private void authenticate(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String expected = "Bearer " + sandbox.apiToken();
        if (auth == null || !java.security.MessageDigest.isEqual(auth.trim().getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(403, 10000, "Authentication error");
        }
    }

    private Handler resolve(Req req) {
        String[] segs = HttpExchangeIo.segments(req.path).toArray(new String[0]);
        boolean pathMatched = false;
        for (Route r : routes) {
            if (r.pattern().length != segs.length) {
                continue;
            }
            List<String> params = new ArrayList<>();
            boolean ok = true;
            for (int i = 0; i < segs.length; i++) {
                String p = r.pattern()[i];
                if (p.startsWith("{")) {
                    params.add(segs[i]);
                } else if (!p.equals(segs[i])) {
                    ok = false;
                    break;
                }
            }
            if (!ok) {
                continue;
            }
            pathMatched = true;
            if (r.method().equals(req.method)) {
                // Every route is below /accounts/{account_id}.
                String account = params.get(0);
                if (!account.matches("[0-9a-f]{32}")) {
                    throw ApiException.badRequest(7003, "Could not route to /client/v4" + req.path
                            + ", perhaps your object identifier is invalid?");
                }
                if (!account.equals(sandbox.accountId())) {
                    throw new ApiException(403, 10000, "Authentication error");
                }
                req.params.addAll(params);
                return r.handler();
            }
        }
        if (pathMatched) {
            throw new ApiException(405, 10405, "Method " + req.method + " not allowed for " + req.path);
        }
        throw new ApiException(404, 7003, "No route for the URI");
    }

    // ---------------------------------------------------------------- responses

    private static void send(HttpExchange ex, Reply reply) throws IOException {
        reply.headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        if (reply.raw != null) {
            ex.getResponseHeaders().putIfAbsent("Content-Type", List.of("application/octet-stream"));
            ex.sendResponseHeaders(reply.status, reply.raw.length == 0 ? -1 : reply.raw.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(reply.raw);
            }
            return;
        }
        ObjectNode env = Json.object();
        env.put("success", true);
        env.putArray("errors");
        env.putArray("messages");
        env.set("result", reply.result == null ? Json.NODES.nullNode() : reply.result);
        if (reply.resultInfo != null) {
            env.set("result_info", reply.resultInfo);
        }
        writeJson(ex, reply.status, env);
    }

    static void sendError(HttpExchange ex, ApiException e) throws IOException {
        e.headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ObjectNode env = Json.object();
        env.put("success", false);
        ArrayNode errors = env.putArray("errors");
        ObjectNode err = errors.addObject();
        err.put("code", e.code);
        err.put("message", e.getMessage());
        env.putArray("messages");
        env.putNull("result");
        writeJson(ex, e.status, env);
    }

    private static void writeJson(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = Json.MAPPER.writer().without(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sendWafChallenge(HttpExchange ex) throws IOException {
        byte[] html = ("<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title></head>"
                + "<body><noscript>Enable JavaScript and cookies to continue</noscript></body></html>")
                .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=UTF-8");
        ex.getResponseHeaders().set("cf-mitigated", "challenge");
        ex.getResponseHeaders().set("Server", "cloudflare");
        ex.sendResponseHeaders(403, html.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(html);
        }
    }

    // ---------------------------------------------------------------- presigned-style URLs

    private void serveSignedUrl(HttpExchange ex, String rawPath, Map<String, String> query) throws IOException {
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        List<String> segs = HttpExchangeIo.segments(rawPath);
        // __sandbox / r2 / d1-exports|d1-imports / {db} / {file}
        if (segs.size() != 5) {
            sendS3Error(ex, 404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        String kind = segs.get(2);
        String db = segs.get(3);
        String file = segs.get(4);
        String signMethod = method.equals("HEAD") ? "GET" : method;
        String[] problem = runtime.signedUrls.verify(signMethod, rawPath, query);
        if (problem != null) {
            sendS3Error(ex, 403, problem[0], problem[1]);
            return;
        }
        if (kind.equals("d1-exports") && (method.equals("GET") || method.equals("HEAD"))) {
            Optional<Path> p = sandbox.d1().exportFile(db, file);
            if (p.isEmpty()) {
                sendS3Error(ex, 404, "NoSuchKey", "The specified key does not exist.");
                return;
            }
            streamFile(ex, p.get(), method.equals("HEAD"));
        } else if (kind.equals("d1-imports") && method.equals("PUT") && file.endsWith(".sql")) {
            String etag = file.substring(0, file.length() - 4);
            try (InputStream body = ex.getRequestBody()) {
                sandbox.d1().acceptUpload(db, etag, body);
            } catch (D1Service.BadDigest e) {
                sendS3Error(ex, 400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
                return;
            }
            ex.getResponseHeaders().set("ETag", "\"" + etag + "\"");
            ex.sendResponseHeaders(200, -1);
        } else {
            sendS3Error(ex, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
        }
    }

    private void streamFile(HttpExchange ex, Path file, boolean head) throws IOException {
        long length = Files.size(file);
        long[] range = HttpExchangeIo.range(ex.getRequestHeaders().getFirst("Range"), length);
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        ex.getResponseHeaders().set("Content-Type", "application/sql");
        ex.getResponseHeaders().set("ETag", "\"" + Long.toHexString(Files.getLastModifiedTime(file).toMillis()) + "-" + length + "\"");
        if (range != null && range[0] < 0) {
            ex.getResponseHeaders().set("Content-Range", "bytes */" + length);
            sendS3Error(ex, 416, "InvalidRange", "The requested range is not satisfiable");
            return;
        }
        long start = range == null ? 0 : range[0];
        long count = range == null ? length : range[1] - range[0] + 1;
        int status = range == null ? 200 : 206;
        if (range != null) {
            ex.getResponseHeaders().set("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + length);
        }
        if (head) {
            ex.getResponseHeaders().set("Content-Length", Long.toString(count));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        Optional<Long> dropAfter = runtime.faults.takeDownloadDrop();
        ex.sendResponseHeaders(status, count == 0 ? -1 : count);
        OutputStream out = ex.getResponseBody();
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(start);
            byte[] buf = new byte[1 << 16];
            long left = count;
            long sent = 0;
            long limit = dropAfter.orElse(Long.MAX_VALUE);
            while (left > 0) {
                int want = (int) Math.min(buf.length, Math.min(left, limit - sent));
                if (want <= 0) {
                    break;
                }
                int n = in.read(buf, 0, want);
                if (n < 0) {
                    break;
                }
                out.write(buf, 0, n);
                left -= n;
                sent += n;
            }
            out.flush();
            if (left > 0) {
                // Injected fault: the connection drops mid-body. The JDK server closes the socket
                // when a handler throws, so the client sees a truncated body.
                throw new InjectedDrop("injected connection drop after " + sent + " bytes");
            }
        }
        out.close();
    }

    static void sendS3Error(HttpExchange ex, int status, String code, String message) throws IOException {
        byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>"
                + message + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/xml");
        ex.sendResponseHeaders(status, xml.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(xml);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
