package dev.lifeline.activities.replication;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * Orders keys the way S3 and KV list them: by their UTF-8 bytes, unsigned. (Java's
 * {@code String.compareTo} orders UTF-16 code units, which differs for characters outside the
 * Basic Multilingual Plane; a merge of two listings must use the listings' own order.)
 */
public final class Utf8Order implements Comparator<String> {
  /** The comparator. */
  public static final Utf8Order INSTANCE = new Utf8Order();

  private Utf8Order() {}

  @Override
  public int compare(String a, String b) {
    byte[] x = a.getBytes(StandardCharsets.UTF_8);
    byte[] y = b.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(x.length, y.length);
    for (int i = 0; i < n; i++) {
      int c = Integer.compare(x[i] & 0xff, y[i] & 0xff);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }
}
