package dev.lifeline.activities.backups;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The KV backup formats. Data is NDJSON, one record per line:
 * {@code {"op":"put","key":…,"value":…|"valueBase64":…,"metadata":{…},"expiration":…}} or
 * {@code {"op":"delete","key":…}}. The index is one line per key in key order:
 * {@code <sha256 hex>\t<key as a JSON string>}, the hash covering key, value bytes, metadata and
 * expiration (each length-prefixed, so no two entries share a hash by concatenation).
 */
final class KvRecords {
  static final ObjectMapper JSON = JsonMapper.builder().build();

  private KvRecords() {}

  /** One KV entry. */
  record Entry(String key, byte[] value, JsonNode metadata, Long expiration) {}

  static String hash(Entry e) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      part(sha, e.key().getBytes(StandardCharsets.UTF_8));
      part(sha, e.value());
      part(sha, e.metadata() == null || e.metadata().isNull() ? new byte[0]
          : JSON.writeValueAsBytes(JSON.treeToValue(e.metadata(), Object.class)));
      part(sha, e.expiration() == null ? new byte[0] : Long.toString(e.expiration()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException | IOException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private static void part(MessageDigest sha, byte[] bytes) {
    sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    sha.update(bytes);
  }

  static void writePut(OutputStream out, Entry e) {
    try {
      ObjectNode o = JSON.createObjectNode();
      o.put("op", "put");
      o.put("key", e.key());
      String text = utf8(e.value());
      if (text != null) {
        o.put("value", text);
      } else {
        o.put("valueBase64", Base64.getEncoder().encodeToString(e.value()));
      }
      if (e.metadata() != null && !e.metadata().isNull()) {
        o.set("metadata", e.metadata());
      }
      if (e.expiration() != null) {
        o.put("expiration", e.expiration());
      }
      out.write(JSON.writeValueAsBytes(o));
      out.write('\n');
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  static void writeDelete(OutputStream out, String key) {
    try {
      ObjectNode o = JSON.createObjectNode();
      o.put("op", "delete");
      o.put("key", key);
      out.write(JSON.writeValueAsBytes(o));
      out.write('\n');
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  /** A parsed data line: a put (entry) or a delete (entry with null value). */
  static Entry parse(String line) {
    try {
      JsonNode o = JSON.readTree(line);
      String key = o.get("key").asText();
      if ("delete".equals(o.path("op").asText())) {
        return new Entry(key, null, null, null);
      }
      byte[] value = o.has("valueBase64")
          ? Base64.getDecoder().decode(o.get("valueBase64").asText())
          : o.get("value").asText().getBytes(StandardCharsets.UTF_8);
      JsonNode metadata = o.get("metadata");
      Long expiration = o.hasNonNull("expiration") ? o.get("expiration").asLong() : null;
      return new Entry(key, value, metadata, expiration);
    } catch (IOException ex) {
      throw new IllegalArgumentException("malformed KV backup record: " + ex.getMessage(), ex);
    }
  }

  static String indexLine(String key, String hash) {
    try {
      return hash + "\t" + JSON.writeValueAsString(key) + "\n";
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  /** [hash, key] of an index line. */
  static String[] parseIndexLine(String line) {
    int tab = line.indexOf('\t');
    try {
      return new String[] {line.substring(0, tab), JSON.readValue(line.substring(tab + 1), String.class)};
    } catch (IOException ex) {
      throw new IllegalArgumentException("malformed KV index line", ex);
    }
  }

  static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
