package dev.lifeline.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An API failure the emulator answers with Cloudflare's error envelope: an HTTP status, one
 * error {@code code} and a message, plus optional response headers (e.g. {@code retry-after}).
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final int code;
    final Map<String, String> headers = new LinkedHashMap<>();

    ApiException(int status, int code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    ApiException header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    static ApiException badRequest(int code, String message) {
        return new ApiException(400, code, message);
    }

    static ApiException notFound(int code, String message) {
        return new ApiException(404, code, message);
    }
}
