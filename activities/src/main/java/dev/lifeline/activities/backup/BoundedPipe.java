package dev.lifeline.activities.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A one-producer, one-consumer byte pipe between two pipeline threads, with a fixed number of
 * reusable chunk buffers, so memory is {@code (depth + 2) * chunkBytes} whatever flows through it.
 *
 * <p>Unlike {@link java.io.PipedInputStream} it carries failures: {@link #fail(Throwable)} from
 * either side (or from a pipeline supervisor) makes every blocked or later {@code read}/{@code
 * write} throw, so a failure in any stage stops the others promptly, and the end-of-stream marker
 * is only ever sent by a producer that finished normally: a consumer can never mistake an aborted
 * stream for a complete one.
 */
final class BoundedPipe {
  private static final Chunk END = new Chunk(new byte[0], 0);
  private static final long POLL_MS = 20;

  private final int chunkBytes;
  private final BlockingQueue<Chunk> full;
  private final BlockingQueue<byte[]> free;
  private final String name;
  private volatile Throwable failure;
  private int allocated;
  private final int maxBuffers;

  private final Out out = new Out();
  private final In in = new In();

  BoundedPipe(String name, int chunkBytes, int depth) {
    this.name = name;
    this.chunkBytes = chunkBytes;
    this.full = new ArrayBlockingQueue<>(depth + 1);
    this.free = new ArrayBlockingQueue<>(depth + 2);
    this.maxBuffers = depth + 2;
  }

  Out out() {
    return out;
  }

  In in() {
    return in;
  }

  /** Fails both ends; the first failure wins. */
  void fail(Throwable t) {
    if (failure == null) {
      failure = t;
    }
  }

  /** A filled buffer and how many of its bytes are data. */
  record Chunk(byte[] buf, int len) {}

  private byte[] takeFree() throws IOException {
    byte[] b = free.poll();
    if (b != null) {
      return b;
    }
    synchronized (this) {
      if (allocated < maxBuffers) {
        allocated++;
        return new byte[chunkBytes];
      }
    }
    try {
      while (true) {
        checkFailed();
        b = free.poll(POLL_MS, TimeUnit.MILLISECONDS);
        if (b != null) {
          return b;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(name + ": interrupted");
    }
  }

  private void checkFailed() throws IOException {
    Throwable f = failure;
    if (f != null) {
      throw new PipeFailedException(name, f);
    }
  }

  /** Thrown at one end of a pipe because the pipeline failed elsewhere; never the root cause. */
  static final class PipeFailedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Throwable rootCause;

    PipeFailedException(String pipe, Throwable rootCause) {
      super(pipe + ": the pipeline stopped because another stage failed");
      this.rootCause = rootCause;
    }

    Throwable rootCause() {
      return rootCause;
    }
  }

  /**
   * The producer's end. Besides the stream methods it hands out whole chunk buffers ({@link #claim},
   * {@link #send(byte[], int)}), so a producer that fills buffers itself (the source reader) moves
   * a chunk through the pipe without copying it.
   */
  final class Out extends OutputStream {
    private byte[] current;
    private int pos;
    private boolean closed;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException(name + ": write after close");
      }
      checkFailed();
      while (len > 0) {
        if (current == null) {
          current = takeFree();
          pos = 0;
        }
        int n = Math.min(len, chunkBytes - pos);
        System.arraycopy(b, off, current, pos, n);
        pos += n;
        off += n;
        len -= n;
        if (pos == chunkBytes) {
          send(new Chunk(current, pos));
          current = null;
        }
      }
    }

    /**
     * A free buffer of {@code chunkBytes} for the caller to fill and pass to {@link #send(byte[],
     * int)}; blocks while every buffer is in use. Not to be mixed with a partly written chunk.
     */
    byte[] claim() throws IOException {
      if (closed) {
        throw new IOException(name + ": write after close");
      }
      if (current != null) {
        throw new IllegalStateException(name + ": a partly written chunk is pending");
      }
      return takeFree();
    }

    /** Sends a buffer from {@link #claim} holding {@code len} bytes; the pipe owns it afterwards. */
    void send(byte[] buf, int len) throws IOException {
      if (len <= 0 || len > buf.length) {
        throw new IllegalArgumentException("chunk length " + len);
      }
      send(new Chunk(buf, len));
    }

    /** Returns a claimed buffer that was not sent (the source ended). */
    void unclaim(byte[] buf) {
      free.offer(buf);
    }

    private void send(Chunk c) throws IOException {
      try {
        while (true) {
          checkFailed();
          if (full.offer(c, POLL_MS, TimeUnit.MILLISECONDS)) {
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException(name + ": interrupted");
      }
    }

    /** Sends what is buffered and the end marker: only call after the producer succeeded. */
    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      checkFailed();
      if (current != null && pos > 0) {
        send(new Chunk(current, pos));
        current = null;
      }
      send(END);
      closed = true;
    }
  }

  /**
   * The consumer's end. Besides the stream methods, {@link #next()} hands over whole chunks without
   * copying them; do not mix the two on one pipe.
   */
  final class In extends InputStream {
    private Chunk current;
    private int pos;
    private boolean eof;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (eof) {
        return -1;
      }
      checkFailed();
      if (current == null || pos == current.len()) {
        if (current != null) {
          free.offer(current.buf());
          current = null;
        }
        Chunk next = take();
        if (next == END) {
          eof = true;
          return -1;
        }
        current = next;
        pos = 0;
      }
      int n = Math.min(len, current.len() - pos);
      System.arraycopy(current.buf(), pos, b, off, n);
      pos += n;
      return n;
    }

    /**
     * The next chunk, or null at the end of the stream. The chunk's buffer is the caller's until the
     * next call, which recycles it.
     */
    Chunk next() throws IOException {
      if (eof) {
        return null;
      }
      checkFailed();
      if (current != null) {
        if (pos != 0) {
          throw new IllegalStateException(name + ": a partly read chunk is pending");
        }
        free.offer(current.buf());
        current = null;
      }
      Chunk c = take();
      if (c == END) {
        eof = true;
        return null;
      }
      current = c; // recycled by the next call to next()
      return c;
    }

    private Chunk take() throws IOException {
      try {
        while (true) {
          checkFailed();
          Chunk c = full.poll(POLL_MS, TimeUnit.MILLISECONDS);
          if (c != null) {
            return c;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException(name + ": interrupted");
      }
    }

    @Override
    public void close() {
      // Closing the consumer end early is a failure of the pipeline, reported by whoever closed it.
    }
  }
}
