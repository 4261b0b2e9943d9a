package dev.lifeline.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.sandbox.CorruptionInjector;
import dev.lifeline.sandbox.CorruptionInjector.InjectionReport;
import dev.lifeline.worker.LifelineWorker;
import dev.lifeline.worker.dev.DevStack;
import dev.lifeline.worker.dev.DevStackOptions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lifeline start assess --set target.d1=monotask-production --wait} through the real command
 * line, against the embedded dev stack (its own, so the damage done here cannot leak into other
 * tests): it prints the Markdown report.
 */
class AssessCliTest {
  private static DevStack stack;

  @BeforeAll
  static void startStack() {
    stack = DevStack.start(DevStackOptions.forTests(new LifelineWorker.Extras(List.of(), List.of())));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  private static CliRun lifeline(String... args) {
    return CliRun.onStack(stack, "alice", args);
  }

  @Test
  void startAssessWaitPrintsTheMarkdownReport() {
    CliRun playbooks = lifeline("playbooks");
    assertThat(playbooks.out()).contains("assess").contains("CorruptionAssessment");

    CliRun backup = lifeline("backups", "run", "d1", "--database", "monotask-production", "--as", "ops");
    assertThat(backup.exit()).as(backup.err()).isZero();
    InjectionReport states = new CorruptionInjector(stack.sandbox()).invalidTaskStates(3, 5);

    CliRun assess = lifeline("start", "assess", "--set", "target.d1=monotask-production", "--wait");

    assertThat(assess.exit()).as(assess.err()).isZero();
    assertThat(assess.out())
        .contains("# Corruption assessment of d1:monotask-production")
        .contains("**Severity: High**")
        .contains("**Recommended playbook:** `repair`")
        .contains("rule tasks.state-domain (monotask)")
        .contains("UPDATE \"tasks\" SET \"state\"")
        .contains(states.affectedKeys().stream().sorted().findFirst().orElseThrow())
        .doesNotContain("\"markdown\"");
  }
}
