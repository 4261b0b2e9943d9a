package dev.lifeline.workflows.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Locale;

/**
 * A data rule the corruption assessment checks: data, not code. Each rule is one bounded query
 * that returns a count of violations and up to a few sample keys.
 *
 * <ul>
 *   <li>{@code domain}: {@code column} holds one of {@code values} (NULL allowed);
 *   <li>{@code notNull}: {@code column} is never NULL;
 *   <li>{@code unique}: no two rows share {@code columns};
 *   <li>{@code reference}: every non-NULL {@code column} exists in {@code refTable.refColumn};
 *   <li>{@code shape}: {@code column}'s text is valid UTF-8 and not double-encoded
 *       ({@code shape: "utf8"}), parses as JSON ({@code "json"}), or is not cut at a suspicious
 *       length ({@code "notTruncated"}, with {@code boundaries}, default 255, 1000, 1024, 4000,
 *       65535).
 * </ul>
 *
 * @param id a short stable name, e.g. {@code tasks.state-domain}
 * @param kind one of the kinds above
 * @param table the table checked
 * @param column the column checked (all kinds but {@code unique})
 * @param columns the columns that must be unique together ({@code unique})
 * @param values the allowed values ({@code domain})
 * @param refTable the referenced table ({@code reference})
 * @param refColumn the referenced column ({@code reference})
 * @param shape {@code utf8}, {@code json} or {@code notTruncated} ({@code shape})
 * @param boundaries suspicious lengths ({@code shape: notTruncated})
 * @param severity {@code critical}, {@code high}, {@code medium} or {@code low} (default medium)
 * @param description why the rule exists, in words
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Rule(
    String id,
    String kind,
    String table,
    String column,
    List<String> columns,
    List<String> values,
    String refTable,
    String refColumn,
    String shape,
    List<Integer> boundaries,
    String severity,
    String description) {

  /** The rule kinds. */
  public enum Kind {
    DOMAIN,
    NOT_NULL,
    UNIQUE,
    REFERENCE,
    SHAPE
  }

  /** Default suspicious lengths for truncation checks. */
  public static final List<Integer> DEFAULT_BOUNDARIES = List.of(255, 256, 1000, 1024, 4000, 4096, 65535);

  /** The parsed kind, or null when unknown. */
  public Kind parsedKind() {
    if (kind == null) {
      return null;
    }
    return switch (kind.trim().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "")) {
      case "domain", "enum", "oneof" -> Kind.DOMAIN;
      case "notnull", "required" -> Kind.NOT_NULL;
      case "unique" -> Kind.UNIQUE;
      case "reference", "references", "foreignkey" -> Kind.REFERENCE;
      case "shape" -> Kind.SHAPE;
      default -> null;
    };
  }

  /** The rule's severity, normalised (default {@code medium}). */
  public String severityOrDefault() {
    return severity == null || severity.isBlank() ? "medium" : severity.trim().toLowerCase(Locale.ROOT);
  }

  /** Describes what is wrong with this rule, or returns null when it is well formed. */
  public String problem() {
    Kind k = parsedKind();
    if (k == null) {
      return "rule " + id + ": kind must be domain, notNull, unique, reference or shape (got \"" + kind + "\")";
    }
    if (table == null || table.isBlank()) {
      return "rule " + id + ": table is required";
    }
    switch (k) {
      case UNIQUE -> {
        if (columns == null || columns.isEmpty()) {
          return "rule " + id + ": columns is required for unique";
        }
      }
      case DOMAIN -> {
        if (column == null || values == null || values.isEmpty()) {
          return "rule " + id + ": column and values are required for domain";
        }
      }
      case REFERENCE -> {
        if (column == null || refTable == null || refColumn == null) {
          return "rule " + id + ": column, refTable and refColumn are required for reference";
        }
      }
      case SHAPE -> {
        if (column == null || shape == null
            || !List.of("utf8", "json", "nottruncated").contains(shape.toLowerCase(Locale.ROOT))) {
          return "rule " + id + ": column and shape (utf8, json or notTruncated) are required for shape";
        }
      }
      case NOT_NULL -> {
        if (column == null) {
          return "rule " + id + ": column is required for notNull";
        }
      }
    }
    if (severity != null
        && !List.of("critical", "high", "medium", "low").contains(severity.trim().toLowerCase(Locale.ROOT))) {
      return "rule " + id + ": severity must be critical, high, medium or low";
    }
    return null;
  }

  /** A domain rule. */
  public static Rule domain(String id, String table, String column, List<String> values, String severity, String description) {
    return new Rule(id, "domain", table, column, null, values, null, null, null, null, severity, description);
  }

  /** A not-null rule. */
  public static Rule notNull(String id, String table, String column, String severity, String description) {
    return new Rule(id, "notNull", table, column, null, null, null, null, null, null, severity, description);
  }

  /** A uniqueness rule. */
  public static Rule unique(String id, String table, List<String> columns, String severity, String description) {
    return new Rule(id, "unique", table, null, columns, null, null, null, null, null, severity, description);
  }

  /** A reference rule. */
  public static Rule reference(
      String id, String table, String column, String refTable, String refColumn, String severity, String description) {
    return new Rule(id, "reference", table, column, null, null, refTable, refColumn, null, null, severity, description);
  }

  /** A shape rule. */
  public static Rule shape(String id, String table, String column, String shape, String severity, String description) {
    return new Rule(id, "shape", table, column, null, null, null, null, shape, null, severity, description);
  }
}
