package dev.lifeline.activities.backup;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A deterministic, compressible stream of D1-export-like SQL ({@code INSERT INTO "tasks" ...}
 * lines), generated on the fly so tests can push hundreds of MiB without holding them. It ends at
 * the first line end at or after {@code size} bytes, so it is always a complete dump.
 */
final class DumpLikeStream extends InputStream {
  private static final String[] NOUNS = {"login flow", "billing webhook", "R2 uploader",
    "task scheduler", "KV cache", "D1 migration", "agent sandbox", "rate limiter"};
  private static final String[] STATES = {"PENDING", "IN_PROGRESS", "COMPLETED", "FAILED"};

  private final long size;
  private final SplittableRandom random;
  private long position;
  private byte[] line = new byte[0];
  private int linePos;
  private int row;

  DumpLikeStream(long size, long seed) {
    this.size = size;
    this.random = new SplittableRandom(seed);
  }

  private void nextLine() {
    row++;
    String s;
    if (row == 1) {
      s = "PRAGMA defer_foreign_keys=TRUE;\nCREATE TABLE tasks(id TEXT PRIMARY KEY, title TEXT,"
          + " state TEXT, priority INTEGER, estimate REAL);\n";
    } else {
      s = "INSERT INTO \"tasks\" (\"id\",\"title\",\"state\",\"priority\",\"estimate\") VALUES('tsk_"
          + row + "','Fix " + NOUNS[random.nextInt(NOUNS.length)] + " #" + random.nextInt(100000)
          + "','" + STATES[random.nextInt(4)] + "'," + random.nextInt(5) + ","
          + (random.nextInt(100) / 4.0) + ");\n";
    }
    line = s.getBytes(StandardCharsets.UTF_8);
    linePos = 0;
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (position >= size && linePos == line.length) {
      return -1;
    }
    int done = 0;
    while (done < len) {
      if (linePos == line.length) {
        if (position + done >= size) {
          break;
        }
        nextLine();
      }
      int n = Math.min(len - done, line.length - linePos);
      System.arraycopy(line, linePos, b, off + done, n);
      linePos += n;
      done += n;
    }
    position += done;
    return done;
  }
}
