/**
 * Verified, encrypted, tiered backups: the manifest every backup carries, the workflows that take,
 * verify and prune backups (D1 and SQLite, KV, R2 replication, retention), and the activity ports
 * they use.
 */
package dev.lifeline.workflows.backup;
