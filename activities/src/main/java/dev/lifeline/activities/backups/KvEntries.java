package dev.lifeline.activities.backups;

import dev.lifeline.activities.cloudflare.KvApi;
import dev.lifeline.activities.cloudflare.KvKey;
import dev.lifeline.activities.cloudflare.KvKeyPage;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.LongConsumer;

/**
 * Every live key of a KV namespace with its value, in the listing's order (UTF-8 byte order),
 * fetched lazily a page of 1,000 keys at a time with bulk reads ({@link KvBackupActivitiesImpl#values}).
 * A key deleted between the listing and the read is skipped. {@code afterPage} is told the number
 * of entries handed out so far once each page has been consumed, for heartbeats. Single use.
 */
final class KvEntries implements Iterable<KvEntries.Entry> {
  /** A key as listed (metadata, expiration) with its value. */
  record Entry(KvKey key, byte[] value) {}

  static final int PAGE = 1000;

  private final KvApi kv;
  private final String namespaceId;
  private final LongConsumer afterPage;
  private boolean used;

  KvEntries(KvApi kv, String namespaceId, LongConsumer afterPage) {
    this.kv = kv;
    this.namespaceId = namespaceId;
    this.afterPage = afterPage;
  }

  @Override
  public Iterator<Entry> iterator() {
    if (used) {
      throw new IllegalStateException("KvEntries walks the namespace once");
    }
    used = true;
    return new Iterator<>() {
      private Iterator<KvKey> keys;
      private Map<String, byte[]> values;
      private String cursor;
      private boolean last;
      private long handedOut;
      private Entry next;

      @Override
      public boolean hasNext() {
        while (next == null) {
          if (keys == null || !keys.hasNext()) {
            if (keys != null) {
              afterPage.accept(handedOut);
            }
            if (last) {
              return false;
            }
            KvKeyPage page = kv.listKeysPage(namespaceId, null, cursor, PAGE);
            cursor = page.cursor();
            last = cursor == null;
            values = KvBackupActivitiesImpl.values(kv, namespaceId, page.keys());
            keys = page.keys().iterator();
            continue;
          }
          KvKey k = keys.next();
          byte[] v = values.get(k.name());
          if (v != null) {
            next = new Entry(k, v);
          }
        }
        return true;
      }

      @Override
      public Entry next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Entry e = next;
        next = null;
        handedOut++;
        return e;
      }
    };
  }
}
