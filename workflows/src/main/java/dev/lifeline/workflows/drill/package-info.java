/**
 * The recovery drill: rehearses the whole backup-and-recovery loop on a database and a KV
 * namespace — back up, verify, corrupt on purpose, assess, restore as recommended, check the data
 * equals the backup — and reports RTO and RPO per component against the runbook's targets.
 */
package dev.lifeline.workflows.drill;
