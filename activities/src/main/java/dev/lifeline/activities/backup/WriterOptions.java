package dev.lifeline.activities.backup;

import dev.lifeline.activities.s3.PutOptions;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * How {@link BackupWriter} compresses and buffers. Immutable; start from {@link #defaults()}.
 *
 * <p>Memory per write is about {@code 3 * (queueDepth + 2) * chunkBytes} for the pipes between
 * stages, plus zstd's state (a few MiB at level 3, more per worker), plus the object store's part
 * buffers ({@code (maxPartsInFlight + 1) * partSize}); none of it grows with the input.
 *
 * @param compressionLevel zstd level (1..19; 3 is zstd's default and the measured sweet spot)
 * @param compressionWorkers zstd's own worker threads: 0 compresses on the pipeline's compressor
 *     thread; 2 or more lets zstd split the input into jobs compressed in parallel (frames differ
 *     from single-threaded output but decompress the same)
 * @param chunkBytes size of the buffers passed between stages
 * @param queueDepth chunks that may wait between two stages
 * @param putOptions content type and user metadata for the stored object
 * @param progress called on the caller's thread with the plaintext bytes read so far, about every
 *     {@code progressEveryBytes} (for activity heartbeats); may be null
 * @param progressEveryBytes spacing of progress calls
 */
public record WriterOptions(
    int compressionLevel,
    int compressionWorkers,
    int chunkBytes,
    int queueDepth,
    PutOptions putOptions,
    LongConsumer progress,
    long progressEveryBytes) {

  /** Content type of stored backups. */
  public static final String CONTENT_TYPE = "application/vnd.lifeline.backup+zstd+tink";

  public WriterOptions {
    if (compressionLevel < 1 || compressionLevel > 19) {
      throw new IllegalArgumentException("compressionLevel must be 1..19");
    }
    if (compressionWorkers < 0 || compressionWorkers > 64) {
      throw new IllegalArgumentException("compressionWorkers must be 0..64");
    }
    if (chunkBytes < 4096 || chunkBytes > 16 << 20) {
      throw new IllegalArgumentException("chunkBytes must be 4 KiB..16 MiB");
    }
    if (queueDepth < 1 || queueDepth > 64) {
      throw new IllegalArgumentException("queueDepth must be 1..64");
    }
    putOptions = putOptions == null ? new PutOptions(CONTENT_TYPE, java.util.Map.of()) : putOptions;
    if (progressEveryBytes < 1) {
      throw new IllegalArgumentException("progressEveryBytes must be positive");
    }
  }

  /**
   * zstd level 3; two zstd workers when the machine has more than one core, else none; 256 KiB
   * chunks, 4 deep; progress every 64 MiB.
   *
   * <p>Measured on the 1.1 GB MonoTask export on 2 cores (docs/benchmarks.md): with the cores to
   * itself and no upload, the pipeline ran at 381 MB/s with two workers, 324 with one and 287 with
   * none (the zstd command line: 324 MB/s). When other processes hold a core, the extra workers
   * cannot help and single-threaded zstd did as well or slightly better.
   */
  public static WriterOptions defaults() {
    int workers = Runtime.getRuntime().availableProcessors() > 1 ? 2 : 0;
    return new WriterOptions(3, workers, 256 * 1024, 4, null, null, 64L << 20);
  }

  /** The compression name recorded in manifests, for example {@code zstd-3}. */
  public String compressionName() {
    return "zstd-" + compressionLevel;
  }

  public WriterOptions withCompressionLevel(int level) {
    return new WriterOptions(level, compressionWorkers, chunkBytes, queueDepth, putOptions, progress,
        progressEveryBytes);
  }

  public WriterOptions withCompressionWorkers(int workers) {
    return new WriterOptions(compressionLevel, workers, chunkBytes, queueDepth, putOptions, progress,
        progressEveryBytes);
  }

  public WriterOptions withPutOptions(PutOptions options) {
    return new WriterOptions(compressionLevel, compressionWorkers, chunkBytes, queueDepth,
        Objects.requireNonNull(options), progress, progressEveryBytes);
  }

  public WriterOptions withProgress(LongConsumer listener, long everyBytes) {
    return new WriterOptions(compressionLevel, compressionWorkers, chunkBytes, queueDepth, putOptions,
        listener, everyBytes);
  }

  public WriterOptions withBuffers(int chunk, int depth) {
    return new WriterOptions(compressionLevel, compressionWorkers, chunk, depth, putOptions, progress,
        progressEveryBytes);
  }
}
