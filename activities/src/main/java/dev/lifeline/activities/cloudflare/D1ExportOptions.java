package dev.lifeline.activities.cloudflare;

import java.util.List;

/**
 * What a D1 export contains, as {@code wrangler d1 export} options: {@code --no-schema},
 * {@code --no-data}, {@code --table} (repeatable). Both "no" flags together are refused (the dump
 * would be empty). With a table filter, indexes, triggers and views are kept only if their own name
 * is in the filter, so indexes are usually lost.
 *
 * @param noSchema leave out {@code CREATE} statements
 * @param noData leave out {@code INSERT} statements
 * @param tables only these tables; empty = all
 */
public record D1ExportOptions(boolean noSchema, boolean noData, List<String> tables) {

  public D1ExportOptions {
    tables = tables == null ? List.of() : List.copyOf(tables);
    if (noSchema && noData) {
      throw new IllegalArgumentException("noSchema and noData together would export nothing");
    }
  }

  /** Schema and data of every table. */
  public static D1ExportOptions full() {
    return new D1ExportOptions(false, false, List.of());
  }

  /** Schema and data of the given tables only. */
  public static D1ExportOptions tables(List<String> tables) {
    return new D1ExportOptions(false, false, tables);
  }
}
