package dev.lifeline.activities.backups;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * SQL literals that read back as exactly the value written, storage class included, on one line:
 * integers as digits, reals with a decimal point or exponent (so they stay REAL), text with quotes
 * doubled and CR/LF spliced in with {@code char()} (no ambiguous escapes), invalid UTF-8 text as a
 * cast blob, blobs as {@code X'…'}.
 */
final class SqlLiterals {
  private SqlLiterals() {}

  /** The literal for a value fetched as (typeof, exact text) through the D1 API. */
  static String fromExactText(Object type, Object exact) {
    String t = String.valueOf(type);
    if (exact == null || "null".equals(t)) {
      return "NULL";
    }
    String v = String.valueOf(exact);
    return switch (t) {
      case "integer" -> v;
      // A REAL travels as a JSON number, which D1 writes in the shortest form that reads back as
      // the same double (SQLite's own printf of it is not exact for every value, e.g. 1e300).
      case "real" -> exact instanceof Number n ? real(n.doubleValue()) : realText(v);
      case "blob" -> "X'" + v + "'";
      default -> textFromHex(v);
    };
  }

  /** The literal for a REAL. */
  static String real(double v) {
    if (Double.isInfinite(v)) {
      return v > 0 ? "9e999" : "-9e999";
    }
    // Double.toString round-trips exactly and always has a '.' or an 'E'.
    return Double.toString(v);
  }

  private static String realText(String v) {
    // printf('%!.17g') always has a decimal point or exponent, so SQLite reads it back as REAL;
    // infinities come out as Inf.
    if (v.equalsIgnoreCase("inf") || v.equalsIgnoreCase("+inf")) {
      return "9e999";
    }
    if (v.equalsIgnoreCase("-inf")) {
      return "-9e999";
    }
    return v;
  }

  /** The literal for a BLOB. */
  static String blob(byte[] bytes) {
    return "X'" + HexFormat.of().formatHex(bytes) + "'";
  }

  /** The literal for TEXT stored as {@code bytes} (valid UTF-8 or not). */
  static String textBytes(byte[] bytes) {
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
      return text(s);
    } catch (CharacterCodingException e) {
      // Not valid UTF-8: keep the exact bytes as TEXT.
      return "CAST(" + blob(bytes) + " AS TEXT)";
    }
  }

  private static String textFromHex(String hex) {
    return textBytes(HexFormat.of().parseHex(hex));
  }

  /** A one-line SQL text literal: quotes doubled, CR and LF spliced in with char(). */
  static String text(String s) {
    StringBuilder b = new StringBuilder("'");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r') {
        b.append("'||char(").append((int) c).append(")||'");
      } else if (c == '\'') {
        b.append("''");
      } else {
        b.append(c);
      }
    }
    return b.append('\'').toString();
  }
}
