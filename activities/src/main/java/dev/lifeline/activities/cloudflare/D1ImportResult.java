package dev.lifeline.activities.cloudflare;

/**
 * A finished D1 import.
 *
 * @param finalBookmark the Time Travel bookmark right after the import
 * @param numQueries statements executed
 * @param meta statistics of the import, when D1 sent them
 * @param etag lowercase hex MD5 of the imported file (D1's dedupe key for the upload)
 * @param uploaded false when D1 already had the file and skipped the upload
 */
public record D1ImportResult(
    String finalBookmark, long numQueries, D1QueryMeta meta, String etag, boolean uploaded) {}
