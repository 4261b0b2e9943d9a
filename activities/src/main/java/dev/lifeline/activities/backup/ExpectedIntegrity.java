package dev.lifeline.activities.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Locale;
import java.util.Objects;

/**
 * What a stored backup must match before and after decryption, from its manifest.
 *
 * @param storedSha256 hex SHA-256 of the stored object (checked before anything is decrypted)
 * @param storedBytes stored object length (checked before the download starts)
 * @param plaintextSha256 hex SHA-256 of the plaintext (checked when the plaintext ends)
 * @param plaintextBytes plaintext length (checked as the plaintext streams and at its end)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExpectedIntegrity(
    String storedSha256, long storedBytes, String plaintextSha256, long plaintextBytes) {
  public ExpectedIntegrity {
    storedSha256 = hex(storedSha256, "storedSha256");
    plaintextSha256 = hex(plaintextSha256, "plaintextSha256");
    if (storedBytes < 0 || plaintextBytes < 0) {
      throw new IllegalArgumentException("sizes must be >= 0");
    }
  }

  private static String hex(String value, String field) {
    Objects.requireNonNull(value, field);
    String v = value.toLowerCase(Locale.ROOT);
    if (!v.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(field + " must be 64 hex characters");
    }
    return v;
  }
}
