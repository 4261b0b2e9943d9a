package dev.lifeline.activities.s3;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/** A reproducible pseudo-random byte stream of a given length, generated on the fly. */
public final class DeterministicStream extends InputStream {
  private final long size;
  private long position;
  private long state;

  public DeterministicStream(long size, long seed) {
    this.size = size;
    this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
  }

  private byte nextByte() {
    // xorshift64*: cheap and well-mixed; the low byte of each step is enough here.
    state ^= state >>> 12;
    state ^= state << 25;
    state ^= state >>> 27;
    return (byte) ((state * 0x2545F4914F6CDD1DL) >>> 56);
  }

  @Override
  public int read() {
    if (position >= size) {
      return -1;
    }
    position++;
    return nextByte() & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (position >= size) {
      return -1;
    }
    int n = (int) Math.min(len, size - position);
    for (int i = 0; i < n; i++) {
      b[off + i] = nextByte();
    }
    position += n;
    return n;
  }

  /** Hex SHA-256 of the stream's content. */
  public static String sha256(long size, long seed) throws IOException {
    return sha256(new DeterministicStream(size, seed));
  }

  /** Hex SHA-256 of everything {@code in} yields (closes it). */
  public static String sha256(InputStream in) throws IOException {
    try (in) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) != -1) {
        sha.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The bytes of a small stream, for slicing in assertions. */
  public static byte[] bytes(int size, long seed) {
    byte[] out = new byte[size];
    new DeterministicStream(size, seed).read(out, 0, size);
    return out;
  }
}
