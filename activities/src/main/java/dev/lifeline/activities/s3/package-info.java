/**
 * Object storage for backups: the {@link dev.lifeline.activities.s3.ObjectStore} interface and its
 * S3 implementation {@link dev.lifeline.activities.s3.S3ObjectStore} for R2, AWS S3 and
 * S3-compatible servers (aws-sdk-java-v2, synchronous, Apache HttpClient 5).
 *
 * <p>Streams in both directions with bounded memory, returns the SHA-256 of every upload for the
 * caller's manifest, and maps failures to {@link dev.lifeline.activities.s3.ObjectStoreException}
 * (see {@link dev.lifeline.activities.s3.ObjectStoreFailures} for Temporal).
 */
package dev.lifeline.activities.s3;
