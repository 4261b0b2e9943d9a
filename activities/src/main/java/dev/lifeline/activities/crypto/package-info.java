/**
 * Backup encryption: {@link dev.lifeline.activities.crypto.BackupKeys} (the master key from
 * {@code BACKUP_ENCRYPTION_KEY}, key ids, wrapping of per-backup data keys, manifest MACs, and
 * streaming authenticated encryption with Tink's AES-256-GCM-HKDF streaming AEAD), and the typed
 * failures {@link dev.lifeline.activities.crypto.BackupIntegrityException} and {@link
 * dev.lifeline.activities.crypto.BackupKeyException}, whose messages never contain key material.
 *
 * <p>Plain {@code javax.crypto} AES-GCM is deliberately not used for data: its decryption holds the
 * whole ciphertext in memory until the tag is checked. Tink's streaming AEAD authenticates each
 * 64 KiB segment, so memory stays constant and no unauthenticated plaintext is released.
 */
package dev.lifeline.activities.crypto;
