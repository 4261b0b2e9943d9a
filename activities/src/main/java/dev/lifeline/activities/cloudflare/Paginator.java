package dev.lifeline.activities.cloudflare;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A lazy iterator over a paginated list: it fetches one page when the previous one is used up, so
 * memory holds one page at a time however long the list is. Works for page numbers and cursors
 * alike; the page fetcher decides what the continuation token is.
 */
final class Paginator<T> implements Iterator<T> {

  /** One page and the token for the next one (null when this was the last page). */
  record Page<T>(List<T> items, String next) {}

  @FunctionalInterface
  interface Fetcher<T> {
    /** Fetches the page for {@code token} (null for the first page). */
    Page<T> fetch(String token);
  }

  private final Fetcher<T> fetcher;
  private Iterator<T> current = List.<T>of().iterator();
  private String nextToken;
  private boolean started;
  private boolean done;

  Paginator(Fetcher<T> fetcher) {
    this.fetcher = fetcher;
  }

  static <T> Stream<T> stream(Fetcher<T> fetcher) {
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(
            new Paginator<>(fetcher), Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  /** The page-based rule: more pages while page*perPage < total, and the page was full. */
  static boolean hasMorePages(ResultInfo info, int page, int perPage, int itemsOnPage) {
    if (itemsOnPage == 0) {
      return false;
    }
    int size = info != null && info.perPage() != null && info.perPage() > 0 ? info.perPage() : perPage;
    if (info != null && info.totalCount() != null) {
      return (long) page * size < info.totalCount() && itemsOnPage >= size;
    }
    if (info != null && info.totalPages() != null) {
      return page < info.totalPages();
    }
    return itemsOnPage >= size;
  }

  @Override
  public boolean hasNext() {
    while (!current.hasNext()) {
      if (done) {
        return false;
      }
      if (started && nextToken == null) {
        done = true;
        return false;
      }
      Page<T> page = fetcher.fetch(nextToken);
      started = true;
      current = page.items().iterator();
      nextToken = page.next();
      if (nextToken == null && !current.hasNext()) {
        done = true;
      }
    }
    return true;
  }

  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return current.next();
  }
}
