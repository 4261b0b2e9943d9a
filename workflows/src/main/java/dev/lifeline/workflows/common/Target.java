package dev.lifeline.workflows.common;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeline.workflows.playbook.InputProblems;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a playbook acts on: exactly one of a D1 database (name or id), a SQLite file on the
 * worker's disk, or a KV namespace (title or id). In JSON: {@code {"d1": "monotask-production"}},
 * {@code {"sqlite": "/data/app.db"}} or {@code {"kv": "SESSIONS"}}.
 *
 * @param d1 a D1 database name or id
 * @param sqlite a path to a SQLite file readable by the worker
 * @param kv a KV namespace title or id
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Target(String d1, String sqlite, String kv) {

  /** The kinds of target. */
  public enum Kind {
    D1,
    SQLITE,
    KV
  }

  /** A D1 database. */
  public static Target d1(String database) {
    return new Target(database, null, null);
  }

  /** A SQLite file. */
  public static Target sqlite(String path) {
    return new Target(null, path, null);
  }

  /** A KV namespace. */
  public static Target kv(String namespace) {
    return new Target(null, null, namespace);
  }

  /** Parses {@code d1:NAME}, {@code sqlite:PATH} or {@code kv:NAMESPACE}. */
  public static Target parse(String label) {
    int colon = label == null ? -1 : label.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("a target is d1:NAME, sqlite:PATH or kv:NAMESPACE (got \"" + label + "\")");
    }
    String value = label.substring(colon + 1);
    return switch (label.substring(0, colon).toLowerCase(Locale.ROOT)) {
      case "d1" -> d1(value);
      case "sqlite" -> sqlite(value);
      case "kv" -> kv(value);
      default -> throw new IllegalArgumentException(
          "a target is d1:NAME, sqlite:PATH or kv:NAMESPACE (got \"" + label + "\")");
    };
  }

  /** Which kind this is, or null when not exactly one field is set. */
  public Kind kind() {
    List<Kind> set = new ArrayList<>();
    if (!blank(d1)) {
      set.add(Kind.D1);
    }
    if (!blank(sqlite)) {
      set.add(Kind.SQLITE);
    }
    if (!blank(kv)) {
      set.add(Kind.KV);
    }
    return set.size() == 1 ? set.get(0) : null;
  }

  /** The name, path or namespace. */
  public String value() {
    Kind k = kind();
    if (k == null) {
      return null;
    }
    return switch (k) {
      case D1 -> d1.trim();
      case SQLITE -> sqlite.trim();
      case KV -> kv.trim();
    };
  }

  /** {@code d1:NAME}, {@code sqlite:PATH} or {@code kv:NAMESPACE}. */
  public String label() {
    Kind k = kind();
    return k == null ? "(invalid target)" : k.name().toLowerCase(Locale.ROOT) + ":" + value();
  }

  /**
   * Checks that exactly one field is set and that its kind is one of {@code allowed}.
   *
   * @param field the input field name for messages (e.g. {@code target})
   */
  public static void validate(Target target, String field, Set<Kind> allowed, InputProblems problems) {
    String forms = String.join(" or ", allowed.stream().map(Target::form).toList());
    if (target == null) {
      problems.add(field, "is required: " + forms);
      return;
    }
    Kind k = target.kind();
    if (k == null) {
      problems.add(field, "must name exactly one of " + forms);
    } else if (!allowed.contains(k)) {
      problems.add(field, "cannot be " + k.name().toLowerCase(Locale.ROOT) + " here; use " + forms);
    }
  }

  /** Every kind. */
  public static Set<Kind> anyKind() {
    return EnumSet.allOf(Kind.class);
  }

  private static String form(Kind k) {
    return switch (k) {
      case D1 -> "{\"d1\": \"<database>\"}";
      case SQLITE -> "{\"sqlite\": \"<path>\"}";
      case KV -> "{\"kv\": \"<namespace>\"}";
    };
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
