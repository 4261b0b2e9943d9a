package dev.lifeline.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeline.cli.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lifeline drill} exactly as the README runs it: no Temporal address, so the command starts
 * the embedded stack (test server, fresh sandbox account, worker) in this JVM on free ports, runs
 * the drill, writes the report, stops the stack, and says by its exit code whether the drill passed.
 */
class DrillCommandTest {
  @TempDir Path dir;

  private static CliRun lifeline(String... args) {
    // No TEMPORAL_ADDRESS: the embedded stack.
    return CliRun.lifeline(Map.of("USER", "carol"), args);
  }

  @Test
  void theDrillPassesOnTheEmbeddedStackAndWritesItsReport() throws Exception {
    CliRun run = lifeline("drill", "--report-dir", dir.toString());

    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(ExitCodes.OK);
    assertThat(run.out())
        .contains("Embedded stack up: Temporal test server at 127.0.0.1:")
        .contains("Started RecoveryDrill as drill-")
        .contains("PointInTimeRestore drill-") // the children's progress is shown
        .contains("# Recovery drill: PASSED")
        .contains("against a 1 h target");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.sorted().toList();
    }
    assertThat(files).hasSize(2);
    JsonNode report = new ObjectMapper().readTree(files.get(0).toFile());
    assertThat(report.path("passed").asBoolean()).isTrue();
    assertThat(report.path("components")).hasSize(2);
    assertThat(report.path("components").get(0).path("rtoSeconds").asLong()).isLessThanOrEqualTo(3600);
    assertThat(Files.readString(files.get(1))).startsWith("# Recovery drill: PASSED");
  }

  @Test
  void aFailedDrillExitsNonZeroAndStillWritesItsReport() throws Exception {
    CliRun run = lifeline("drill", "--components", "kv", "--kv-namespace", "NO_SUCH_NAMESPACE", "--report-dir",
        dir.toString());

    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.out()).contains("# Recovery drill: FAILED").contains("no KV namespace titled or with id NO_SUCH_NAMESPACE");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.count()).isEqualTo(2);
    }
  }

  @Test
  void badArgumentsAreRefusedBeforeAnythingStarts() {
    CliRun run = lifeline("drill", "--components", "r2");
    assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("--components takes d1 and/or kv");

    CliRun pointed = lifeline("drill", "--address", "127.0.0.1:1", "--size", "small");
    assertThat(pointed.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(pointed.err()).contains("apply to the embedded stack only");
  }
}
