/** Credentials that must never be printed: API tokens, access keys, encryption keys. */
package dev.lifeline.activities.secrets;
