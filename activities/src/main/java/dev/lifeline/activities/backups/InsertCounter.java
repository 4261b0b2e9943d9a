package dev.lifeline.activities.backups;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the rows a D1-format dump holds while it streams past, per table, from its one-line
 * {@code INSERT INTO "table" ...} statements (the exporter writes each row on its own line and
 * escapes newlines inside values). This is what the backup contains, whatever was written to the
 * database around the export, so it is what verification compares against.
 */
final class InsertCounter extends FilterInputStream {
  private static final byte[] PREFIX = "INSERT INTO \"".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_NAME = 4096;

  private final Map<String, Long> rows = new TreeMap<>();
  private boolean atLineStart = true;
  private int matched;
  private boolean inName;
  private boolean quoteSeen;
  private final java.io.ByteArrayOutputStream nameBytes = new java.io.ByteArrayOutputStream();

  InsertCounter(InputStream in) {
    super(in);
  }

  /** Rows per table seen so far. */
  Map<String, Long> rows() {
    return rows;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      scan(b);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = super.read(buf, off, len);
    for (int i = 0; i < n; i++) {
      scan(buf[off + i] & 0xff);
    }
    return n;
  }

  private void scan(int b) {
    if (inName) {
      if (quoteSeen) {
        quoteSeen = false;
        if (b == '"') {
          nameBytes.write('"');
          return;
        }
        finishName();
      } else if (b == '"') {
        quoteSeen = true;
        return;
      } else {
        if (nameBytes.size() < MAX_NAME) {
          nameBytes.write(b);
        }
        return;
      }
    }
    if (b == '\n') {
      atLineStart = true;
      matched = 0;
      return;
    }
    if (atLineStart) {
      if (b == PREFIX[matched]) {
        matched++;
        if (matched == PREFIX.length) {
          inName = true;
          nameBytes.reset();
          atLineStart = false;
          matched = 0;
        }
      } else {
        atLineStart = false;
        matched = 0;
      }
    }
  }

  private void finishName() {
    inName = false;
    rows.merge(nameBytes.toString(StandardCharsets.UTF_8), 1L, Long::sum);
  }
}
