package dev.lifeline.activities.backup;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A value literal from a SQL dump, typed the way SQLite types it when the dump is executed: the
 * storage class a plain {@code INSERT} of this literal would store (before column affinity), and
 * the exact value. Binding it with the matching JDBC setter reproduces what {@code sqlite3 db <
 * dump.sql} stores, type for type.
 */
public sealed interface SqlValue
    permits SqlValue.Null, SqlValue.Int, SqlValue.Real, SqlValue.Text, SqlValue.Blob {

  /** SQLite's storage classes, as {@code typeof()} names them. */
  enum StorageClass {
    NULL,
    INTEGER,
    REAL,
    TEXT,
    BLOB
  }

  /** The storage class SQLite gives this literal. */
  StorageClass storageClass();

  /** The one NULL. */
  Null NULL = new Null();

  /** {@code NULL}. */
  record Null() implements SqlValue {
    @Override
    public StorageClass storageClass() {
      return StorageClass.NULL;
    }
  }

  /**
   * An integer literal that fits in a signed 64-bit integer (SQLite INTEGER); the long is exact, so
   * its digits are too.
   */
  record Int(long value) implements SqlValue {
    /** 2<sup>53</sup>: beyond it, not every integer survives a trip through a JavaScript number. */
    public static final long MAX_SAFE_MAGNITUDE = 1L << 53;

    private static final Int[] SMALL = new Int[1025];

    static {
      for (int i = 0; i < SMALL.length; i++) {
        SMALL[i] = new Int(i - 1);
      }
    }

    /** A possibly shared instance (small values are cached: dumps are full of them). */
    public static Int of(long value) {
      return value >= -1 && value < SMALL.length - 1 ? SMALL[(int) value + 1] : new Int(value);
    }

    @Override
    public StorageClass storageClass() {
      return StorageClass.INTEGER;
    }

    /**
     * Whether the magnitude exceeds 2<sup>53</sup>: D1's exporter and its JSON API pass integers
     * through JavaScript doubles, so such a value may already have been rounded.
     */
    public boolean exceedsSafeInteger() {
      return value > MAX_SAFE_MAGNITUDE || value < -MAX_SAFE_MAGNITUDE;
    }

    /** The exact decimal digits. */
    public String digits() {
      return Long.toString(value);
    }
  }

  /**
   * A REAL. SQLite also stores an integer literal beyond the signed 64-bit range as REAL: then
   * {@link #integerLiteral()} keeps the digits exactly as the dump wrote them (for example {@code
   * 9223372036854776000}, which is how D1's exporter renders 2<sup>63</sup>-1).
   *
   * @param value the double SQLite stores (correctly rounded from the literal)
   * @param integerLiteral the digits of an out-of-range integer literal, or null for a decimal or
   *     exponent literal
   */
  record Real(double value, String integerLiteral) implements SqlValue {
    public Real(double value) {
      this(value, null);
    }

    @Override
    public StorageClass storageClass() {
      return StorageClass.REAL;
    }

    /** Whether the dump wrote an integer too large for INTEGER (so SQLite made it REAL). */
    public boolean fromOversizedIntegerLiteral() {
      return integerLiteral != null;
    }

    /** The literal as an exact integer, or null if it was not an integer literal. */
    public BigInteger exactInteger() {
      return integerLiteral == null ? null : new BigInteger(integerLiteral);
    }

    @Override
    public boolean equals(Object o) {
      // Bitwise, so -0.0 differs from 0.0 and NaN equals itself, like a checksum would see them.
      return o instanceof Real r
          && Double.doubleToRawLongBits(r.value) == Double.doubleToRawLongBits(value)
          && Objects.equals(r.integerLiteral, integerLiteral);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(Double.doubleToRawLongBits(value));
    }
  }

  /**
   * TEXT.
   *
   * @param value the text
   * @param exporterNewlineEscape true when the dump wrote it in D1's exporter form {@code
   *     replace('...\n...','\n',char(10))} (or {@code '\r'}/{@code char(13)}): the exporter uses
   *     the same two characters for a real newline and for a literal backslash-n, so a value that
   *     held both was altered by the export and cannot be recovered from the dump (see {@link
   *     LossyExportDetector})
   * @param utf8 the exact bytes when the dump's bytes are not valid UTF-8 (SQLite stores them as
   *     they are; {@code value} then holds replacement characters), else null
   */
  record Text(String value, boolean exporterNewlineEscape, byte[] utf8) implements SqlValue {
    public Text(String value) {
      this(value, false, null);
    }

    @Override
    public StorageClass storageClass() {
      return StorageClass.TEXT;
    }

    /** Whether the dump holds bytes that are not valid UTF-8 (see {@link #utf8()}). */
    public boolean malformedUtf8() {
      return utf8 != null;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Text t
          && t.value.equals(value)
          && t.exporterNewlineEscape == exporterNewlineEscape
          && Arrays.equals(t.utf8, utf8);
    }

    @Override
    public int hashCode() {
      return value.hashCode();
    }

    @Override
    public String toString() {
      return "Text[" + value + (exporterNewlineEscape ? ", exporterNewlineEscape" : "")
          + (utf8 != null ? ", malformed UTF-8" : "") + "]";
    }
  }

  /** A BLOB ({@code X'...'}). */
  record Blob(byte[] bytes) implements SqlValue {
    @Override
    public StorageClass storageClass() {
      return StorageClass.BLOB;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Blob b && Arrays.equals(b.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return bytes.length <= 32
          ? "Blob[X'" + HexFormat.of().formatHex(bytes) + "']"
          : "Blob[" + bytes.length + " bytes]";
    }
  }
}
