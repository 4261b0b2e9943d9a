/**
 * Point-in-time restore: to a verified backup or a D1 Time Travel bookmark, validated before use,
 * with a safety point taken first as the undo handle, and validated after; and the recovery drill
 * that rehearses it.
 */
package dev.lifeline.workflows.pitr;
