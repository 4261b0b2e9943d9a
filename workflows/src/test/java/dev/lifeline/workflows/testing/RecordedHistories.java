package dev.lifeline.workflows.testing;

import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Recorded workflow histories checked into test resources, for replay tests. Run a module's tests
 * with {@code -Dlifeline.recordHistories=true} to re-record them (after an intended change to a
 * workflow, together with a {@code Workflow.getVersion} for running executions).
 */
public final class RecordedHistories {
  /** The system property that switches recording on. */
  public static final String RECORD_PROPERTY = "lifeline.recordHistories";

  private RecordedHistories() {}

  /** Whether this run records histories instead of only replaying them. */
  public static boolean recording() {
    return Boolean.getBoolean(RECORD_PROPERTY);
  }

  /**
   * Saves the history of {@code workflowId} as {@code src/test/resources/histories/<name>.json}
   * of the module whose tests are running.
   */
  public static Path save(WorkflowClient client, String workflowId, String name) {
    WorkflowExecutionHistory history = client.fetchHistory(workflowId);
    Path dir = Paths.get("src", "test", "resources", "histories");
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(name + ".json");
      Files.writeString(file, history.toJson(true), StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a recorded history from the classpath ({@code histories/<name>.json}). */
  public static WorkflowExecutionHistory load(String name) {
    String resource = "histories/" + name + ".json";
    try (InputStream in = RecordedHistories.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "no recorded history " + resource + "; record it with -D" + RECORD_PROPERTY + "=true");
      }
      return WorkflowExecutionHistory.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
