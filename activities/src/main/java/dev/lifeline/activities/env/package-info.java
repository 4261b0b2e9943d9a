/**
 * The connections activity implementations share: the Cloudflare client, the object stores of the
 * backup and data buckets, the backup keys and the local work directory, built once per worker.
 */
package dev.lifeline.activities.env;
