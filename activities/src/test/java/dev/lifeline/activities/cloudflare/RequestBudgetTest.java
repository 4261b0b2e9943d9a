package dev.lifeline.activities.cloudflare;

import dev.lifeline.activities.secrets.Secret;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The client-side token bucket that keeps a JVM under the account's request limit. */
class RequestBudgetTest {

  @Test
  void burstPassesThenRequestsWaitForTheRefillRate() throws Exception {
    FakeClock clock = new FakeClock(Instant.parse("2026-11-22T00:00:00Z"));
    // 10 per 10 s with a burst of 5: refill is (10 - 5) / 10 s, one token every 2 s.
    RequestBudget budget = RequestBudget.create(10, Duration.ofSeconds(10), 5, clock, clock.sleeper());

    for (int i = 0; i < 5; i++) {
      budget.acquire();
    }
    assertThat(budget.waits()).isZero();
    budget.acquire();
    budget.acquire();

    assertThat(budget.waits()).isEqualTo(2);
    assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
    assertThat(budget.waitedMillis()).isEqualTo(4000);
  }

  @Test
  void noWindowEverSeesMoreThanTheLimit() throws Exception {
    FakeClock clock = new FakeClock(Instant.parse("2026-11-22T00:00:00Z"));
    RequestBudget budget =
        RequestBudget.create(1200, Duration.ofMinutes(5), 100, clock, clock.sleeper());
    Instant start = clock.instant();

    for (int i = 0; i < 1201; i++) {
      budget.acquire();
    }

    // 1,201 requests cannot fit in the first five minutes.
    assertThat(Duration.between(start, clock.instant())).isGreaterThan(Duration.ofMinutes(5));
  }

  @Test
  void idleTimeRefillsUpToTheBurstOnly() throws Exception {
    FakeClock clock = new FakeClock(Instant.parse("2026-11-22T00:00:00Z"));
    RequestBudget budget = RequestBudget.create(10, Duration.ofSeconds(10), 5, clock, clock.sleeper());
    for (int i = 0; i < 5; i++) {
      budget.acquire();
    }
    clock.advance(Duration.ofHours(1));

    assertThat(budget.available()).isEqualTo(5.0);
  }

  @Test
  void theSharedBudgetIsOnePerAccountAndToken() {
    Secret a = Secret.of("token-a");
    RequestBudget first = RequestBudget.shared("acc-1", a);

    assertThat(RequestBudget.shared("acc-1", Secret.of("token-a"))).isSameAs(first);
    assertThat(RequestBudget.shared("acc-1", Secret.of("token-b"))).isNotSameAs(first);
    assertThat(RequestBudget.shared("acc-2", a)).isNotSameAs(first);
  }
}
