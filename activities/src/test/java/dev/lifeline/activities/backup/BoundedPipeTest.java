package dev.lifeline.activities.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The chunk handoff the writer uses for the plaintext: same bytes, bounded buffers, failures. */
class BoundedPipeTest {

  @Test
  void claimedChunksArriveWholeAndInOrderThroughABoundedSetOfBuffers() throws Exception {
    BoundedPipe pipe = new BoundedPipe("test", 4096, 2);
    byte[] expected = new byte[4096 * 50 + 123];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = (byte) (i * 31 + 7);
    }
    CompletableFuture<Void> producer =
        CompletableFuture.runAsync(
            () -> {
              try {
                BoundedPipe.Out out = pipe.out();
                for (int off = 0; off < expected.length; off += 4096) {
                  byte[] chunk = out.claim();
                  int n = Math.min(4096, expected.length - off);
                  System.arraycopy(expected, off, chunk, 0, n);
                  out.send(chunk, n);
                }
                out.unclaim(out.claim()); // a source that ended exactly at a chunk boundary
                out.close();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    java.util.Set<byte[]> buffers = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    BoundedPipe.Chunk c;
    while ((c = pipe.in().next()) != null) {
      buffers.add(c.buf());
      got.write(c.buf(), 0, c.len());
    }
    producer.get(30, TimeUnit.SECONDS);

    assertThat(Arrays.equals(got.toByteArray(), expected)).isTrue();
    assertThat(buffers).hasSizeLessThanOrEqualTo(4); // depth + 2, whatever the stream's length
    assertThat(pipe.in().next()).isNull();
  }

  @Test
  void aFailedPipelineStopsAProducerWaitingForABuffer() throws Exception {
    BoundedPipe pipe = new BoundedPipe("test", 4096, 1);
    BoundedPipe.Out out = pipe.out();
    CompletableFuture<Void> producer =
        CompletableFuture.runAsync(
            () -> {
              try {
                while (true) {
                  out.send(out.claim(), 4096); // nobody consumes: blocks once the buffers are used
                }
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    Thread.sleep(100);
    pipe.fail(new IllegalStateException("encryptor failed"));

    assertThatThrownBy(() -> producer.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(java.io.UncheckedIOException.class)
        .hasRootCauseInstanceOf(BoundedPipe.PipeFailedException.class);
    assertThatThrownBy(() -> pipe.in().next()).isInstanceOf(BoundedPipe.PipeFailedException.class);
  }
}
