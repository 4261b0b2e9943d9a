package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One SQL statement with positional ({@code ?}) parameters, as sent to D1's {@code query} and
 * {@code raw} endpoints. Parameters go over the wire as JSON values (strings, numbers, booleans,
 * null); never build SQL text from user input, bind it here.
 *
 * @param sql one statement, or several separated by {@code ;} (run as one batch by D1); at most
 *     100 KB per statement
 * @param params positional parameters, at most 100; may contain nulls
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record D1Statement(String sql, List<Object> params) {

  public D1Statement {
    Objects.requireNonNull(sql, "sql");
    if (sql.isBlank()) {
      throw new IllegalArgumentException("sql must not be blank");
    }
    // List.copyOf refuses nulls, but SQL NULL is a legitimate parameter.
    params = params == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(params));
    if (params.size() > 100) {
      throw new IllegalArgumentException("D1 allows at most 100 bound parameters per statement");
    }
  }

  /** A statement with parameters. */
  public static D1Statement of(String sql, Object... params) {
    return new D1Statement(sql, params == null ? List.of() : java.util.Arrays.asList(params));
  }
}
