package dev.lifeline.activities.s3;

import java.time.Instant;

/**
 * One entry of a listing.
 *
 * @param key the object key
 * @param size bytes
 * @param etag the store's ETag, without quotes
 * @param lastModified last modification time, or null
 */
public record ObjectSummary(String key, long size, String etag, Instant lastModified) {}
