package dev.lifeline.workflows.testing;

import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory "database" of tables of rows, with the rehearsal activities acting on it, so gate
 * tests can assert exactly what a playbook changed and undid.
 */
public final class RehearsalStore implements RehearsalActivities {
  private final Map<String, Map<Integer, String>> tables = new ConcurrentHashMap<>();
  private final Map<String, Map<Integer, String>> snapshots = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  /** Creates table {@code name} with {@code rows} rows valued "original-i". */
  public void seed(String name, int rows) {
    Map<Integer, String> t = new TreeMap<>();
    for (int i = 0; i < rows; i++) {
      t.put(i, "original-" + i);
    }
    tables.put(name, t);
  }

  /** A copy of table {@code name}. */
  public Map<Integer, String> table(String name) {
    return new TreeMap<>(tables.getOrDefault(name, Map.of()));
  }

  /** How many times activity {@code method} ran against table {@code target}. */
  public int calls(String target, String method) {
    return calls.getOrDefault(target + "/" + method, new AtomicInteger()).get();
  }

  private void count(String target, String method) {
    calls.computeIfAbsent(target + "/" + method, k -> new AtomicInteger()).incrementAndGet();
  }

  private Map<Integer, String> existing(String target) {
    Map<Integer, String> t = tables.get(target);
    if (t == null) {
      throw ApplicationFailure.newNonRetryableFailure("no table " + target, "NotFound");
    }
    return t;
  }

  @Override
  public int inspect(String target, long millis) {
    count(target, "inspect");
    long end = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < end) {
      Activity.getExecutionContext().heartbeat(null);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Activity.wrap(e);
      }
    }
    int rows = existing(target).size();
    count(target, "inspect-finished");
    return rows;
  }

  @Override
  public String snapshot(String target) {
    count(target, "snapshot");
    String id = "snap-" + target;
    snapshots.putIfAbsent(id, new TreeMap<>(existing(target)));
    return id;
  }

  @Override
  public int apply(String target) {
    count(target, "apply");
    Map<Integer, String> t = existing(target);
    synchronized (t) {
      t.replaceAll((k, v) -> "rewritten-" + k);
    }
    return t.size();
  }

  @Override
  public void verify(String target, boolean fail) {
    count(target, "verify");
    if (fail) {
      throw ApplicationFailure.newNonRetryableFailure(
          "verification found 3 rows that do not match", "VerificationFailed");
    }
  }

  @Override
  public void finalizeTable(String target) {
    count(target, "finalizeTable");
    existing(target).put(-1, "finalized");
  }

  @Override
  public String restore(String target, String snapshotId) {
    count(target, "restore");
    Map<Integer, String> snap = snapshots.get(snapshotId);
    if (snap == null) {
      throw ApplicationFailure.newNonRetryableFailure("no snapshot " + snapshotId, "NotFound");
    }
    tables.put(target, new TreeMap<>(snap));
    return "restored " + target + " from " + snapshotId + " (" + snap.size() + " rows)";
  }
}
