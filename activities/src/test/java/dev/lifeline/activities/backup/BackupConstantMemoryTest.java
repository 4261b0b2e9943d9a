package dev.lifeline.activities.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.activities.crypto.BackupKeys;
import dev.lifeline.activities.crypto.DataKey;
import dev.lifeline.activities.s3.DeterministicStream;
import dev.lifeline.activities.s3.S3ObjectStore;
import dev.lifeline.activities.s3.S3ProxyFixture;
import dev.lifeline.activities.secrets.Secret;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 160 MiB of dump go through the whole backup path (writer, S3, reader, loader, census) in a heap
 * smaller than the dump: the {@code constant-memory} surefire execution runs this with -Xmx96m.
 * The s3proxy server runs in the same JVM on its filesystem backend.
 */
@Tag("constant-memory")
class BackupConstantMemoryTest {
  private static final long SIZE = 160L << 20;
  private static final byte[] BACKUP_ID = "bk-constant-memory".getBytes(StandardCharsets.UTF_8);

  @Test
  void aDumpLargerThanTheHeapIsBackedUpVerifiedAndLoaded(@TempDir Path dir) throws Exception {
    BackupKeys keys = BackupKeys.fromSecret(Secret.of("11".repeat(32)));
    long maxHeap = Runtime.getRuntime().maxMemory();
    java.nio.file.Files.createDirectories(dir.resolve("s3"));
    try (S3ProxyFixture s3 = S3ProxyFixture.onDisk(dir.resolve("s3"))) {
      s3.createBucket("backups");
      try (S3ObjectStore store = S3ObjectStore.create(
          s3.options("backups").partSize(8L << 20).maxPartsInFlight(2).build())) {
        new BackupWriter().write(new DumpLikeStream(1 << 20, 1), store, "warmup", keys.newDataKey(),
            BACKUP_ID, WriterOptions.defaults());
        long baseline = resetPeaks();

        DataKey dataKey = keys.newDataKey();
        BackupObject stored = new BackupWriter().write(new DumpLikeStream(SIZE, 42), store, "d1/big",
            dataKey, BACKUP_ID, WriterOptions.defaults());
        long afterWrite = oldGenPeak() - baseline;
        Path db = dir.resolve("restored.db");
        LoadResult loaded;
        try (VerifiedPlaintext plain = new BackupReader().open(store, stored.key(), stored.expected(),
            keys.unwrap(keys.wrap(dataKey, BACKUP_ID), BACKUP_ID), BACKUP_ID, dir.resolve("work"))) {
          loaded = new SqliteLoader().load(plain.openStream(), db, null, null);
        }
        DatabaseCensus census = DatabaseCensus.take(db);
        long peak = peakHeapUsed();
        long oldGenGrowth = oldGenPeak() - baseline;

        String report = String.format("constant-memory backup: %d MiB dump, heap max %d MiB, stored %.1f MiB,"
                + " %d rows loaded, peak heap used %.1f MiB, old-generation growth %.1f MiB after the"
                + " write, %.1f MiB overall", SIZE >> 20, maxHeap >> 20, stored.storedBytes() / 1048576.0,
            loaded.rows(), peak / 1048576.0, afterWrite / 1048576.0, oldGenGrowth / 1048576.0);
        System.out.println(report);
        assertThat(stored.plaintextSha256()).isEqualTo(DeterministicStream.sha256(new DumpLikeStream(SIZE, 42)));
        assertThat(loaded.dumpBytes()).isEqualTo(stored.plaintextBytes());
        assertThat(census.table("tasks").rowCount()).isEqualTo(loaded.rows()).isGreaterThan(1_000_000);
        // The dump is larger than the heap, so finishing at all proves streaming. (The sum of pool
        // peaks is near the heap size because Eden fills before each collection; it says nothing.)
        // Long-lived buffers (part buffers, pipes, the parse-ahead queue) land in the old
        // generation, whose peak (garbage included) must stay well below the dump size.
        assertThat(maxHeap).isLessThan(SIZE);
        assertThat(oldGenGrowth).isLessThan(64L << 20);
      }
    }
  }

  private static long oldGenPeak() {
    long max = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      String name = pool.getName();
      if (pool.getType() == MemoryType.HEAP && (name.contains("Tenured") || name.contains("Old"))
          && pool.getPeakUsage() != null) {
        max = Math.max(max, pool.getPeakUsage().getUsed());
      }
    }
    return max;
  }

  private static long resetPeaks() {
    System.gc();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    return used;
  }

  private static long peakHeapUsed() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
