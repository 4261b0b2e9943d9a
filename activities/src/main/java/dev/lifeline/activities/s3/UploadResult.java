package dev.lifeline.activities.s3;

/**
 * What an upload stored. S3 metadata must be set before the first byte is sent, so it cannot hold
 * the whole-object hash of a streamed upload; record {@link #sha256Hex()} in the backup manifest
 * and compare it after download.
 *
 * @param key the object key
 * @param size bytes stored
 * @param sha256Hex lowercase hex SHA-256 of the bytes stored
 * @param etag the store's ETag (an MD5 for single PUTs, a composite for multipart; not a content
 *     hash to rely on)
 */
public record UploadResult(String key, long size, String sha256Hex, String etag) {}
