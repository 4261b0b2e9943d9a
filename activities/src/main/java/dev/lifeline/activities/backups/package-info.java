/**
 * Activity implementations of the backup ports: capture (D1 export or query dump, SQLite online
 * backup, KV listing) through the encrypting pipeline, verification by restoring locally, and the
 * manifest catalogue.
 */
package dev.lifeline.activities.backups;
