package dev.lifeline.activities.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.activities.env.Backends;
import dev.lifeline.activities.env.SandboxBackends;
import dev.lifeline.activities.s3.ObjectInfo;
import dev.lifeline.activities.s3.ObjectStore;
import dev.lifeline.activities.s3.ObjectSummary;
import dev.lifeline.activities.s3.PutOptions;
import dev.lifeline.activities.s3.UploadResult;
import dev.lifeline.sandbox.CloudflareSandbox;
import dev.lifeline.sandbox.CorruptionInjector;
import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.sandbox.SandboxOptions;
import dev.lifeline.workflows.backup.R2Replication;
import dev.lifeline.workflows.backup.R2ReplicationImpl;
import dev.lifeline.workflows.backup.R2ReplicationInput;
import dev.lifeline.workflows.backup.ReplicationReport;
import dev.lifeline.workflows.playbook.PlaybookStatus;
import dev.lifeline.workflows.testing.FixedWorkerEnvironment;
import dev.lifeline.workflows.testing.RecordingNotifier;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * R2Replication end to end: the workflow on the time-skipping test server, the real activity, the
 * sandbox's S3 server.
 */
class R2ReplicationTest {
  private static final List<String> BUCKETS = MonoTaskAccount.DATA_BUCKETS;
  @TempDir Path dir;
  private CloudflareSandbox sandbox;
  private TestWorkflowEnvironment env;
  private final AtomicInteger copiesBeforeCrash = new AtomicInteger(Integer.MAX_VALUE);
  private final Set<String> copied = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicInteger copyCalls = new AtomicInteger();

  @BeforeEach
  void start() {
    sandbox = CloudflareSandbox.start(SandboxOptions.builder().build());
    MonoTaskAccount.create(sandbox, MonoTaskAccount.Options.small(3));
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker("lifeline");
    worker.registerWorkflowImplementationTypes(R2ReplicationImpl.class);
    Backends backends =
        new Backends(SandboxBackends.settings(sandbox, dir)) {
          @Override
          protected ObjectStore open(String bucket) {
            ObjectStore real = super.open(bucket);
            return BUCKETS.contains(bucket) ? new CrashingStore(real) : real;
          }
        };
    worker.registerActivitiesImplementations(
        new R2ReplicationActivitiesImpl(backends, java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofHours(1))), new RecordingNotifier(), new FixedWorkerEnvironment(false));
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
    sandbox.close();
  }

  private List<ReplicationReport> replicate(String id, R2ReplicationInput input) {
    R2Replication wf =
        env.getWorkflowClient().newWorkflowStub(
            R2Replication.class, WorkflowOptions.newBuilder().setTaskQueue("lifeline").setWorkflowId(id).build());
    return wf.run(input, null);
  }

  private static R2ReplicationInput all(String verify) {
    return new R2ReplicationInput(null, null, null, verify, null, "ops", null);
  }

  @Test
  void copiesEveryObjectThenFindsNothingToDo() {
    List<ReplicationReport> first = replicate("r2-first", all("none"));
    assertThat(first).extracting(ReplicationReport::bucket).containsExactlyInAnyOrderElementsOf(BUCKETS);
    long objects = 0;
    for (ReplicationReport r : first) {
      int count = sandbox.account().r2ObjectKeys(r.bucket()).size();
      objects += count;
      assertThat(r.objects()).isEqualTo(count);
      assertThat(r.copied()).isEqualTo(count);
      assertThat(r.missingBefore()).isEqualTo(count);
      // The clock runs an hour ahead of the objects' creation: that is the lag reported.
      assertThat(r.lagSeconds()).isBetween(3600L, 3700L);
      for (String key : sandbox.account().r2ObjectKeys(r.bucket())) {
        assertThat(sandbox.account().getR2Object("monotask-backups-secondary", r.bucket() + "/" + key)
            .orElseThrow().data())
            .isEqualTo(sandbox.account().getR2Object(r.bucket(), key).orElseThrow().data());
      }
    }
    assertThat(objects).isPositive();

    List<ReplicationReport> second = replicate("r2-second", all("all"));
    assertThat(second).allSatisfy(r -> {
      assertThat(r.copied()).isZero();
      assertThat(r.verified()).isEqualTo(r.objects());
      assertThat(r.checksumMismatches()).isEmpty();
      assertThat(r.lagSeconds()).isZero();
    });
  }

  @Test
  void aFlippedByteIsReportedAndTheGoodCopyIsKept() {
    replicate("r2-seed", all("none"));
    var report = new CorruptionInjector(sandbox).flipR2Bytes("evidence-storage", 2, 9);
    // Their size and ETag still match the copies (bit rot does not update either), so only reading
    // the bytes finds them.
    List<ReplicationReport> after = replicate("r2-after", all("all"));
    ReplicationReport evidence = after.stream().filter(r -> r.bucket().equals("evidence-storage")).findFirst().orElseThrow();
    assertThat(evidence.checksumMismatches()).containsExactlyInAnyOrderElementsOf(report.affectedKeys());
    assertThat(evidence.copied()).isZero();
    for (String key : report.affectedKeys()) {
      byte[] copy = sandbox.account().getR2Object("monotask-backups-secondary", "evidence-storage/" + key)
          .orElseThrow().data();
      assertThat(copy).isNotEqualTo(sandbox.account().getR2Object("evidence-storage", key).orElseThrow().data());
      assertThat(MonoTaskAccountSha.sha256(copy))
          .isEqualTo(sandbox.account().getR2Object("evidence-storage", key).orElseThrow().userMetadata().get("sha256"));
    }
    assertThat(env.getWorkflowClient().newWorkflowStub(R2Replication.class, "r2-after").status().findings())
        .extracting(PlaybookStatus.Finding::kind).containsOnly("r2-checksum-mismatch");
  }

  @Test
  void aRottenCopyIsFoundByReadingBothAndCopiedAgain() {
    replicate("r2-seed-copy", all("none"));
    String key = sandbox.account().r2ObjectKeys("evidence-storage").get(0);
    byte[] good = sandbox.account().getR2Object("evidence-storage", key).orElseThrow().data();
    sandbox.account().flipR2ObjectBytes("monotask-backups-secondary", "evidence-storage/" + key, 3);
    assertThat(sandbox.account().getR2Object("monotask-backups-secondary", "evidence-storage/" + key).orElseThrow()
        .data()).isNotEqualTo(good);

    ReplicationReport evidence = replicate("r2-check-copies", all("all")).stream()
        .filter(r -> r.bucket().equals("evidence-storage")).findFirst().orElseThrow();

    assertThat(evidence.checksumMismatches()).containsExactly(key);
    assertThat(evidence.copied()).isEqualTo(1);
    assertThat(evidence.changedBefore()).isEqualTo(1);
    assertThat(sandbox.account().getR2Object("monotask-backups-secondary", "evidence-storage/" + key).orElseThrow()
        .data()).isEqualTo(good);
  }

  @Test
  void singlePartEtagsAreMd5sAndMultipartOnesAreNot() {
    assertThat(R2ReplicationActivitiesImpl.singlePartMd5("\"9E107D9D372BB6826BD81D3542A419D6\""))
        .isEqualTo("9e107d9d372bb6826bd81d3542a419d6");
    assertThat(R2ReplicationActivitiesImpl.singlePartMd5("9e107d9d372bb6826bd81d3542a419d6-3")).isNull();
    assertThat(R2ReplicationActivitiesImpl.singlePartMd5(null)).isNull();
  }

  @Test
  void aWorkerKilledMidBucketResumesAfterTheLastObjectItCopied() {
    int total = sandbox.account().r2ObjectKeys("evidence-storage").size();
    copiesBeforeCrash.set(total / 2);
    List<ReplicationReport> reports =
        replicate("r2-crash", new R2ReplicationInput(List.of("evidence-storage"), null, null, "none", null, "ops", null));
    ReplicationReport r = reports.get(0);
    assertThat(r.resumedAfter()).isNotNull();
    assertThat(r.objects()).isEqualTo(total);
    assertThat(r.copied()).isEqualTo(total);
    assertThat(copyCalls.get()).as("no object is copied twice").isEqualTo(total);
    assertThat(copied).hasSize(total);
    assertThat(sandbox.account().r2ObjectKeys("monotask-backups-secondary")).hasSize(total);
  }

  /** Simple SHA-256 for assertions. */
  static final class MonoTaskAccountSha {
    static String sha256(byte[] data) {
      try {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A store whose copy() dies like a killed worker once the crash budget is spent. */
  private final class CrashingStore implements ObjectStore {
    private final ObjectStore real;

    CrashingStore(ObjectStore real) {
      this.real = real;
    }

    @Override
    public String bucket() {
      return real.bucket();
    }

    @Override
    public UploadResult upload(String key, InputStream content, PutOptions options) {
      return real.upload(key, content, options);
    }

    @Override
    public InputStream openStream(String key, long offset) {
      return real.openStream(key, offset);
    }

    @Override
    public InputStream openRange(String key, long offset, long length) {
      return real.openRange(key, offset, length);
    }

    @Override
    public long downloadTo(String key, Path target) {
      return real.downloadTo(key, target);
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
      return real.head(key);
    }

    @Override
    public Stream<ObjectSummary> list(String prefix) {
      return real.list(prefix);
    }

    @Override
    public ObjectInfo copy(String sourceKey, String targetBucket, String targetKey) {
      if (copiesBeforeCrash.getAndDecrement() <= 0) {
        copiesBeforeCrash.set(Integer.MAX_VALUE);
        throw new IllegalStateException("simulated worker crash during copy of " + sourceKey);
      }
      copyCalls.incrementAndGet();
      copied.add(sourceKey);
      return real.copy(sourceKey, targetBucket, targetKey);
    }

    @Override
    public void delete(String key) {
      real.delete(key);
    }

    @Override
    public List<String> deleteAll(Collection<String> keys) {
      return real.deleteAll(keys);
    }

    @Override
    public void close() {
      real.close();
    }
  }
}
