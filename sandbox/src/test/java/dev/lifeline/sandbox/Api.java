package dev.lifeline.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The tests' only HTTP client for the emulated API: sends a request with the sandbox token and
 * passes every response through {@link OpenApiContract}, so no response escapes validation.
 */
final class Api {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final CloudflareSandbox sandbox;
    private String token;

    Api(CloudflareSandbox sandbox) {
        this.sandbox = sandbox;
        this.token = sandbox.apiToken();
    }

    /** A copy that sends another token. */
    Api withToken(String other) {
        Api a = new Api(sandbox);
        a.token = other;
        return a;
    }

    /** A response: status, headers, body; {@link #json()} parses it. */
    record Response(int status, java.net.http.HttpHeaders headers, byte[] body) {
        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        JsonNode result() {
            return json().get("result");
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        int errorCode() {
            return json().get("errors").get(0).get("code").asInt();
        }

        String errorMessage() {
            return json().get("errors").get(0).get("message").asText();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Path below /accounts/{id}, e.g. "/d1/database". */
    String account(String path) {
        return "/accounts/" + sandbox.accountId() + path;
    }

    Response get(String path) {
        return send("GET", path, null, null);
    }

    Response delete(String path) {
        return send("DELETE", path, null, null);
    }

    Response delete(String path, Object json) {
        return send("DELETE", path, bytes(json), "application/json");
    }

    Response post(String path, Object json) {
        return send("POST", path, json == null ? null : bytes(json), "application/json");
    }

    Response put(String path, Object json) {
        return send("PUT", path, bytes(json), "application/json");
    }

    Response putRaw(String path, byte[] body, String contentType) {
        return send("PUT", path, body, contentType);
    }

    static byte[] bytes(Object json) {
        try {
            return json instanceof String ? ((String) json).getBytes(StandardCharsets.UTF_8) : MAPPER.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Sends to {@code path} (below /client/v4, may carry a query) and validates the answer. */
    Response send(String method, String path, byte[] body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sandbox.apiBaseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        try {
            HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            String rawPath = URI.create(sandbox.apiBaseUrl() + path).getRawPath().substring("/client/v4".length());
            OpenApiContract.check(method, rawPath, r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A plain GET of a signed URL (no auth header, no validation: the body is SQL, not an API response). */
    static HttpResponse<byte[]> download(String url, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A plain PUT to a signed upload URL. */
    static HttpResponse<byte[]> upload(String url, byte[] body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
