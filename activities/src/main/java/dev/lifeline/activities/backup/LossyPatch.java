package dev.lifeline.activities.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The exact values of one row that a D1 export renders lossily, captured from the source database
 * by {@link LossyExportDetector}, to be written over the row after the dump is loaded.
 *
 * @param table the table
 * @param key how to find the row in a database loaded from the export
 * @param values exact values per column (only the affected columns), in column order
 * @param reasons one human-readable reason per affected column, e.g. {@code "value: INTEGER
 *     beyond 2^53"} (column names and classes only, never data)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LossyPatch(
    String table, RowKey key, Map<String, TypedValue> values, List<String> reasons) {
  public LossyPatch {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(key, "key");
    values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    reasons = List.copyOf(reasons);
  }

  /**
   * A value with its storage class, as text that survives JSON exactly.
   *
   * @param type {@code null}, {@code integer}, {@code real}, {@code text} or {@code blob}
   * @param value integer: decimal digits; real: 17 significant digits ({@code %!.17g}, round
   *     trips); text: hex of its UTF-8 bytes; blob: hex; null: null
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TypedValue(String type, String value) {
    public TypedValue {
      Objects.requireNonNull(type, "type");
      if (!List.of("null", "integer", "real", "text", "blob").contains(type)) {
        throw new IllegalArgumentException("unknown storage class " + type);
      }
      if ((type.equals("text") || type.equals("blob")) && value != null) {
        value = value.toLowerCase(java.util.Locale.ROOT); // SQLite's hex() is upper case
      }
    }

    /** The SQL literal-free value, typed. */
    public SqlValue toSqlValue() {
      return switch (type) {
        case "null" -> SqlValue.NULL;
        case "integer" -> SqlValue.Int.of(Long.parseLong(value));
        case "real" -> new SqlValue.Real(Double.parseDouble(value));
        case "text" -> {
          byte[] bytes = HexFormat.of().parseHex(value);
          String text = new String(bytes, StandardCharsets.UTF_8);
          // Keep the bytes only when they are not valid UTF-8 (SqlValue.Text's convention).
          boolean exact = java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes);
          yield new SqlValue.Text(text, false, exact ? null : bytes);
        }
        default -> new SqlValue.Blob(HexFormat.of().parseHex(value));
      };
    }

    /** From a SQLite value. */
    public static TypedValue of(SqlValue v) {
      if (v instanceof SqlValue.Null) {
        return new TypedValue("null", null);
      }
      if (v instanceof SqlValue.Int i) {
        return new TypedValue("integer", Long.toString(i.value()));
      }
      if (v instanceof SqlValue.Real r) {
        return new TypedValue("real", Double.toString(r.value()));
      }
      if (v instanceof SqlValue.Text t) {
        byte[] b = t.utf8() != null ? t.utf8() : t.value().getBytes(StandardCharsets.UTF_8);
        return new TypedValue("text", HexFormat.of().formatHex(b));
      }
      return new TypedValue("blob", HexFormat.of().formatHex(((SqlValue.Blob) v).bytes()));
    }

    /** Hides text and blob contents (they may be personal data); keeps class and size. */
    @Override
    public String toString() {
      return switch (type) {
        case "text", "blob" -> type + "(" + (value.length() / 2) + " bytes)";
        case "null" -> "null";
        default -> type + "(" + value + ")";
      };
    }
  }

  /**
   * Identifies a row both in the source and in a database loaded from its export.
   *
   * @param kind {@code primaryKey}: {@code columns}/{@code values} are the primary key, exact as
   *     in the source; {@code ordinal}: the table has no primary key, and the row is the {@code
   *     ordinal}-th (1-based) in rowid order, which the export preserves (row order), though not the
   *     rowid itself
   * @param columns primary key columns (for {@code primaryKey})
   * @param values their exact values (for {@code primaryKey})
   * @param ordinal 1-based position in rowid order (for {@code ordinal})
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RowKey(String kind, List<String> columns, List<TypedValue> values, Long ordinal) {
    public static final String PRIMARY_KEY = "primaryKey";
    public static final String ORDINAL = "ordinal";

    public RowKey {
      Objects.requireNonNull(kind, "kind");
      columns = columns == null ? null : List.copyOf(columns);
      values = values == null ? null : List.copyOf(values);
      if (PRIMARY_KEY.equals(kind)) {
        if (columns == null || values == null || columns.isEmpty() || columns.size() != values.size()) {
          throw new IllegalArgumentException("a primaryKey row key needs columns and values");
        }
      } else if (ORDINAL.equals(kind)) {
        if (ordinal == null || ordinal < 1) {
          throw new IllegalArgumentException("an ordinal row key needs an ordinal >= 1");
        }
      } else {
        throw new IllegalArgumentException("unknown row key kind " + kind);
      }
    }

    static RowKey primaryKey(List<String> columns, List<TypedValue> values) {
      return new RowKey(PRIMARY_KEY, columns, values, null);
    }

    static RowKey ordinal(long ordinal) {
      return new RowKey(ORDINAL, null, null, ordinal);
    }
  }
}
