package dev.lifeline.activities.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A secret's own rendering. That tokens and keys stay out of logs, errors and requests to storage
 * is checked end to end against the sandbox in {@code SandboxSecretsNotLeakedTest}.
 */
class SecretTest {

  @Test
  void aSecretNeverShowsItsValue() {
    Secret s = Secret.of("abc-123");
    assertThat(s.toString()).isEqualTo("Secret[****]");
    assertThat(s.fingerprint()).doesNotContain("abc-123").hasSize(64);
    assertThat(s).isEqualTo(Secret.of("abc-123")).isNotEqualTo(Secret.of("abc-124"));
    assertThat(s.reveal()).isEqualTo("abc-123");
  }
}
