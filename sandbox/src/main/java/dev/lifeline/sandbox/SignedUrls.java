package dev.lifeline.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Presigned-style URLs for D1 export downloads and import uploads, served by the REST emulator
 * under {@code /__sandbox/r2/}. Like R2 presigned URLs they need no auth header, carry their
 * expiry and an HMAC signature in the query string, expire after an hour and answer S3 XML errors
 * when tampered with or expired.
 */
final class SignedUrls {
    static final Duration VALIDITY = Duration.ofHours(1);
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final SandboxRuntime runtime;
    private final byte[] key = new byte[32];

    SignedUrls(SandboxRuntime runtime) {
        this.runtime = runtime;
        new SecureRandom().nextBytes(key);
    }

    /** A URL for {@code method} on {@code path} (which starts with {@code /__sandbox/r2/}). */
    String sign(String method, String path) {
        String date = AMZ_DATE.format(runtime.now());
        long expires = VALIDITY.toSeconds();
        return runtime.publicOrigin + path + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=" + date
                + "&X-Amz-Expires=" + expires + "&X-Amz-SignedHeaders=host&X-Amz-Signature="
                + signature(method, path, date, expires);
    }

    /** Null if valid, else the S3 error code and message to answer. */
    String[] verify(String method, String path, Map<String, String> query) {
        String date = query.get("X-Amz-Date");
        String expires = query.get("X-Amz-Expires");
        String sig = query.get("X-Amz-Signature");
        if (date == null || expires == null || sig == null) {
            return new String[] {"AccessDenied", "Query-string authentication requires the X-Amz-Signature, X-Amz-Date and X-Amz-Expires parameters"};
        }
        long seconds;
        Instant signedAt;
        try {
            seconds = Long.parseLong(expires);
            signedAt = Instant.from(AMZ_DATE.parse(date));
        } catch (RuntimeException e) {
            return new String[] {"AuthorizationQueryParametersError", "X-Amz-Date or X-Amz-Expires is malformed"};
        }
        String expected = signature(method, path, date, seconds);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), sig.getBytes(StandardCharsets.US_ASCII))) {
            return new String[] {"SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."};
        }
        if (runtime.now().isAfter(signedAt.plusSeconds(seconds))) {
            return new String[] {"AccessDenied", "Request has expired"};
        }
        return null;
    }

    private String signature(String method, String path, String date, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] out = mac.doFinal((method + "\n" + path + "\n" + date + "\n" + expires)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
