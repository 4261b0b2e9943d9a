package dev.lifeline.activities.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeline.sandbox.CloudflareSandbox;
import dev.lifeline.sandbox.CorruptionInjector;
import dev.lifeline.sandbox.CorruptionInjector.InjectionReport;
import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.sandbox.SandboxOptions;
import dev.lifeline.workflows.assess.Rule;
import dev.lifeline.workflows.assess.RuleResult;
import dev.lifeline.workflows.assess.RuleSets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules against the MonoTask sample database: nothing on clean data, and exactly what the
 * corruption injector did after it ran.
 */
class RuleEngineTest {
  private CloudflareSandbox sandbox;
  private CorruptionInjector injector;
  @TempDir Path dir;

  @BeforeEach
  void seed() {
    sandbox = CloudflareSandbox.start(SandboxOptions.builder().build());
    MonoTaskAccount.create(sandbox, MonoTaskAccount.Options.small(7));
    injector = new CorruptionInjector(sandbox);
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  /** A staging copy of the database, as the assessment would check. */
  private Connection staging() throws Exception {
    Path copy = dir.resolve("staging-" + System.nanoTime() + ".sqlite");
    Files.copy(sandbox.account().d1DatabaseFile(MonoTaskAccount.DATABASE), copy, StandardCopyOption.REPLACE_EXISTING);
    return DriverManager.getConnection("jdbc:sqlite:" + copy);
  }

  private static List<Rule> allRules(Connection c) throws Exception {
    RuleEngine probe = new RuleEngine(c, 5);
    List<Rule> rules = new ArrayList<>(DefaultRules.derive(c, probe.schema()));
    rules.addAll(RuleSets.monotask());
    return rules;
  }

  private static RuleResult result(List<RuleResult> results, String id) {
    return results.stream().filter(r -> r.rule().id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no rule " + id + " in " + results.stream().map(r -> r.rule().id()).toList()));
  }

  @Test
  void cleanSampleDataBreaksNoRule() throws Exception {
    try (Connection c = staging()) {
      List<Rule> rules = allRules(c);
      assertThat(rules).extracting(Rule::id)
          .contains("tasks.state-domain", "task_events-no-duplicate-rows", "tasks.description-not-truncated",
              "users.display_name-utf8", "tasks.project_id-references-projects", "task_events.payload-json");
      List<RuleResult> results = new RuleEngine(c, 5).evaluate(rules);
      assertThat(results).allSatisfy(r -> {
        assertThat(r.error()).as(r.rule().id()).isNull();
        assertThat(r.violations()).as(r.rule().id()).isZero();
      });
      assertThat(DefaultRules.suggest(c, new RuleEngine(c, 5).schema()))
          .filteredOn(s -> s.rule().table().equals("tasks") && s.rule().column().equals("state"))
          .singleElement()
          .satisfies(s -> {
            assertThat(s.rule().values()).containsExactlyInAnyOrder("PENDING", "IN_PROGRESS", "COMPLETED", "FAILED");
            assertThat(s.rowsOutside()).isZero();
          });
    }
  }

  @Test
  void everyInjectedClassIsFoundWithExactCountsAndKeys() throws Exception {
    InjectionReport states = injector.invalidTaskStates(6, 1);
    InjectionReport orphanEvents = injector.orphanTaskEvents(4, 2);
    InjectionReport duplicates = injector.duplicateTaskEvents(3, 3);
    InjectionReport truncated = injector.truncateTaskDescriptions(5, 255, 4);
    InjectionReport mojibake = injector.mojibakeUserNames(3, 5);
    InjectionReport badUtf8 = injector.invalidUtf8TaskTitles(2, 6);
    try (Connection c = staging()) {
      List<RuleResult> results = new RuleEngine(c, 50).evaluate(allRules(c));

      RuleResult state = result(results, "tasks.state-domain");
      assertThat(state.violations()).isEqualTo(states.count());
      assertThat(state.sampleKeys()).containsExactlyInAnyOrderElementsOf(states.affectedKeys());
      assertThat(state.keyColumn()).isEqualTo("id");
      assertThat(state.firstAffectedAt()).isNotNull();

      RuleResult events = result(results, "task_events.task_id-references-tasks");
      assertThat(events.violations()).isEqualTo(orphanEvents.count());
      assertThat(events.sampleKeys()).containsExactlyInAnyOrderElementsOf(orphanEvents.affectedKeys());

      RuleResult dup = result(results, "task_events-no-duplicate-rows");
      assertThat(dup.violations()).isEqualTo(duplicates.count());

      RuleResult cut = result(results, "tasks.description-not-truncated");
      assertThat(cut.violations()).isEqualTo(truncated.count());
      assertThat(cut.sampleKeys()).containsExactlyInAnyOrderElementsOf(truncated.affectedKeys());

      RuleResult names = result(results, "users.display_name-utf8");
      assertThat(names.violations()).isEqualTo(mojibake.count());
      assertThat(names.sampleKeys()).containsExactlyInAnyOrderElementsOf(mojibake.affectedKeys());

      RuleResult titles = result(results, "tasks.title-utf8");
      assertThat(titles.violations()).isEqualTo(badUtf8.count());
      assertThat(titles.sampleKeys()).containsExactlyInAnyOrderElementsOf(badUtf8.affectedKeys());
    }
  }

  @Test
  void rulesNamingMissingThingsAreReportedNotRun() throws Exception {
    try (Connection c = staging()) {
      RuleEngine engine = new RuleEngine(c, 5);
      assertThat(engine.evaluate(Rule.notNull("x", "nope", "a", null, null)).error())
          .isEqualTo("table nope does not exist");
      assertThat(engine.evaluate(Rule.notNull("y", "tasks", "nope\"; DROP TABLE tasks; --", null, null)).error())
          .startsWith("column tasks.nope");
      assertThat(engine.evaluate(new Rule("z", "regex", "tasks", "state", null, null, null, null, null, null, null, null)).error())
          .contains("kind must be");
      assertThat(engine.schema().table("tasks")).isPresent();
    }
  }
}
