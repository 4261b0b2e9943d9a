package dev.lifeline.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeline.worker.config.ConfigSource;
import dev.lifeline.worker.config.LifelineConfig;
import dev.lifeline.worker.logging.SecretMasker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The production {@code logback.xml}: text by default, JSON lines with LIFELINE_LOG_FORMAT=json,
 * run context from the MDC, and secrets masked in messages, MDC values and stack traces.
 */
class LoggingTest {
  private static final String TOKEN = "cf_token_9f8e7d6c5b4a3f2e1d0c";

  private static String logWith(String format) throws Exception {
    // Loading the settings registers the secret with the masker, as the worker does at start-up.
    Map<String, String> env = new HashMap<>();
    env.put("CLOUDFLARE_API_TOKEN", TOKEN);
    LifelineConfig.load(ConfigSource.of(env), LifelineConfig.Requirement.DEV);

    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    LoggerContext ctx = new LoggerContext();
    ch.qos.logback.classic.util.LogbackMDCAdapter mdc = new ch.qos.logback.classic.util.LogbackMDCAdapter();
    ctx.setMDCAdapter(mdc);
    try {
      ctx.putProperty("LIFELINE_LOG_FORMAT", format);
      JoranConfigurator jc = new JoranConfigurator();
      jc.setContext(ctx);
      jc.doConfigure(LoggingTest.class.getClassLoader().getResource("logback.xml"));
      org.slf4j.Logger log = ctx.getLogger("dev.lifeline.test");
      mdc.put("WorkflowId", "pitr-INC-1");
      mdc.put("RunId", "0123456789abcdef");
      mdc.put("playbook", "PointInTimeRestore");
      log.info("calling D1 with Authorization: Bearer {} and token={}", TOKEN, TOKEN);
      log.error("request failed", new IllegalStateException("401 for token " + TOKEN));
      mdc.clear();
      log.info("plain line sha256=" + "ab".repeat(32));
    } finally {
      ctx.stop();
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void textLinesCarryTheRunContextAndMaskSecrets() throws Exception {
    String out = logWith("text");
    assertThat(out).doesNotContain(TOKEN);
    assertThat(out)
        .contains("[PointInTimeRestore pitr-INC-1 run=01234567] - calling D1 with Authorization: Bearer ****")
        .contains("IllegalStateException: 401 for token ****")
        .contains("plain line sha256=" + "ab".repeat(32));
  }

  @Test
  void jsonLinesAreOneObjectEachWithTheMdc() throws Exception {
    String out = logWith("json");
    assertThat(out).doesNotContain(TOKEN);
    ObjectMapper m = new ObjectMapper();
    var lines = out.lines().toList();
    assertThat(lines).hasSize(3);
    JsonNode first = m.readTree(lines.get(0));
    assertThat(first.get("level").asText()).isEqualTo("INFO");
    assertThat(first.get("WorkflowId").asText()).isEqualTo("pitr-INC-1");
    assertThat(first.get("playbook").asText()).isEqualTo("PointInTimeRestore");
    assertThat(first.get("msg").asText()).contains("Bearer ****").contains("token=****");
    JsonNode second = m.readTree(lines.get(1));
    assertThat(second.get("error").asText()).contains("401 for token ****");
    assertThat(m.readTree(lines.get(2)).has("WorkflowId")).isFalse();
  }

  @Test
  void maskerLeavesEvidenceAlone() {
    SecretMasker.register("hunter2-secret");
    assertThat(SecretMasker.mask("password=hunter2 and hunter2-secret, sha " + "cd".repeat(32)))
        .isEqualTo("password=**** and ****, sha " + "cd".repeat(32));
  }
}
