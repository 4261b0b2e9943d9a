package dev.lifeline.activities.backups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeline.activities.cloudflare.ContractCheckedSandbox;
import dev.lifeline.activities.cloudflare.KvApi;
import dev.lifeline.activities.cloudflare.KvBulkEntry;
import dev.lifeline.activities.cloudflare.KvWriteOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** KvEntries pages through a namespace lazily, reads values in bulk, and reports each finished page. */
class KvEntriesTest {
  private static ContractCheckedSandbox cf;
  private static KvApi kv;

  @BeforeAll
  static void start() {
    cf = ContractCheckedSandbox.start();
    kv = cf.client().kv();
  }

  @AfterAll
  static void stop() {
    cf.close();
  }

  @Test
  void walksEveryKeyWithItsValueAcrossPagesAndReportsEachPage() {
    String ns = kv.createNamespace("WALK").id();
    kv.bulkPut(ns, IntStream.range(0, 2344)
        .mapToObj(i -> new KvBulkEntry(String.format("k%05d", i), "v" + i, null, null, null, null)).toList());
    // Binary: bulk get refuses its batch, and the walk falls back to single reads for it.
    byte[] binary = {(byte) 0xff, 0, (byte) 0xfe};
    kv.put(ns, "k01500-binary", binary, KvWriteOptions.NONE);

    List<Long> pages = new ArrayList<>();
    List<KvEntries.Entry> seen = new ArrayList<>();
    for (KvEntries.Entry e : new KvEntries(kv, ns, pages::add)) {
      seen.add(e);
    }

    assertThat(seen).hasSize(2345);
    assertThat(pages).containsExactly(1000L, 2000L, 2345L);
    assertThat(seen.get(0).key().name()).isEqualTo("k00000");
    assertThat(new String(seen.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("v0");
    assertThat(seen).filteredOn(e -> e.key().name().equals("k01500-binary")).singleElement()
        .satisfies(e -> assertThat(e.value()).isEqualTo(binary));
    assertThat(seen).extracting(e -> e.key().name()).isSorted();
  }

  @Test
  void anEmptyNamespaceYieldsNothingAndTheWalkIsSingleUse() {
    String ns = kv.createNamespace("EMPTY-WALK").id();
    List<Long> pages = new ArrayList<>();
    KvEntries entries = new KvEntries(kv, ns, pages::add);

    assertThat(entries.iterator().hasNext()).isFalse();
    assertThat(pages).containsExactly(0L);
    assertThatThrownBy(entries::iterator).isInstanceOf(IllegalStateException.class);
  }
}
