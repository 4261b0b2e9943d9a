package dev.lifeline.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.cli.LifelineCommand;
import dev.lifeline.cli.Session;
import dev.lifeline.sandbox.CorruptionInjector;
import dev.lifeline.sandbox.CorruptionInjector.InjectionReport;
import dev.lifeline.worker.LifelineWorker;
import dev.lifeline.worker.dev.DevStack;
import dev.lifeline.worker.dev.DevStackOptions;
import dev.lifeline.workflows.catalog.PlaybookCatalog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

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

  record Run(int exit, String out, String err) {}

  private static Run lifeline(String... args) {
    Map<String, String> env = new HashMap<>(stack.environment());
    env.put("USER", "alice");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Lifeline.commandLine(new LifelineCommand(env, Session::open, PlaybookCatalog.load()));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Run(cl.execute(args), out.toString(), err.toString());
  }

  @Test
  void startAssessWaitPrintsTheMarkdownReport() {
    Run playbooks = lifeline("playbooks");
    assertThat(playbooks.out()).contains("assess").contains("CorruptionAssessment");

    Run backup = lifeline("backups", "run", "d1", "--database", "monotask-production", "--as", "ops");
    assertThat(backup.exit()).as(backup.err()).isZero();
    InjectionReport states = new CorruptionInjector(stack.sandbox()).invalidTaskStates(3, 5);

    Run assess = lifeline("start", "assess", "--set", "target.d1=monotask-production", "--wait");

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
