package dev.lifeline.workflows.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Which backups to list.
 *
 * @param kind {@code d1}, {@code sqlite} or {@code kv}
 * @param name the database name (or id), SQLite path or KV namespace; null for all
 * @param usableOnly only backups that passed verification
 * @param limit at most this many, newest first (null: all)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupQuery(String kind, String name, Boolean usableOnly, Integer limit) {}
