/**
 * Evaluates data rules ({@link dev.lifeline.workflows.assess.Rule}) against a local SQLite copy:
 * one bounded query per rule returning a count, sample keys and the time range affected; and
 * derives a default rule set from a schema.
 */
package dev.lifeline.activities.rules;
