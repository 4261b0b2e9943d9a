package dev.lifeline.workflows.playbook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of a plan's canonical JSON: object keys sorted, map entries sorted, no whitespace,
 * null fields left out, UTF-8. Deterministic and side-effect free, so workflow code may call it;
 * the CLI computes the same hash to show a person what they are approving.
 */
public final class PlanHash {
  private static final ObjectMapper CANONICAL =
      JsonMapper.builder()
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private PlanHash() {}

  /** The canonical JSON text of {@code plan}. */
  public static String canonicalJson(ApprovalPlan plan) {
    try {
      return CANONICAL.writeValueAsString(plan);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("plan cannot be serialised: " + e.getOriginalMessage(), e);
    }
  }

  /** Lowercase hex SHA-256 of {@link #canonicalJson(ApprovalPlan)}. */
  public static String of(ApprovalPlan plan) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(sha.digest(canonicalJson(plan).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The first 12 characters, for messages; the full hash is what approvals carry. */
  public static String shortForm(String hash) {
    return hash == null ? "" : hash.substring(0, Math.min(12, hash.length()));
  }
}
