/** Local SQLite: schema inspection and safe identifiers for the staging copies checks run on. */
package dev.lifeline.activities.sqlite;
