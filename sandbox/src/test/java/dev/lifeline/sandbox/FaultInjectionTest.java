package dev.lifeline.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FaultInjectionTest {
    static CloudflareSandbox sandbox;
    static Api api;

    @BeforeAll
    static void start() {
        sandbox = CloudflareSandbox.start(SandboxOptions.builder().build());
        api = new Api(sandbox);
        sandbox.account().createD1Database("faulty");
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @AfterEach
    void clear() {
        sandbox.faults().clear();
    }

    @Test
    void rateLimitAnswers429WithRetryAfterForNRequests() {
        sandbox.faults().rateLimit("GET /accounts/*/d1/database", 2, Duration.ofSeconds(7));
        Api.Response first = api.get(api.account("/d1/database"));
        assertThat(first.status()).isEqualTo(429);
        assertThat(first.header("retry-after")).isEqualTo("7");
        assertThat(first.json().get("success").asBoolean()).isFalse();
        assertThat(api.get(api.account("/d1/database")).status()).isEqualTo(429);
        assertThat(api.get(api.account("/d1/database")).status()).isEqualTo(200);
    }

    @Test
    void serverErrorsUntilCleared() {
        sandbox.faults().serverError("/accounts/**", FaultInjector.UNTIL_CLEARED, 503);
        for (int i = 0; i < 3; i++) {
            assertThat(api.get(api.account("/storage/kv/namespaces")).status()).isEqualTo(503);
        }
        sandbox.faults().clear();
        assertThat(api.get(api.account("/storage/kv/namespaces")).status()).isEqualTo(200);
    }

    @Test
    void wafChallengeIsHtmlWithCfMitigated() {
        sandbox.faults().wafChallenge("POST /accounts/*/d1/database/*/query", 1);
        String id = sandbox.account().findD1Database("faulty").orElseThrow().uuid();
        Api.Response r = api.post(api.account("/d1/database/" + id + "/query"), Map.of("sql", "SELECT 1"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.header("cf-mitigated")).isEqualTo("challenge");
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.text()).contains("<html");
        assertThat(api.post(api.account("/d1/database/" + id + "/query"), Map.of("sql", "SELECT 1")).status()).isEqualTo(200);
    }

    @Test
    void latencyDelaysAndRequestsAreCounted() {
        sandbox.faults().countRequests(true).latency("GET /accounts/*/r2/buckets", 1, Duration.ofMillis(400));
        long start = System.nanoTime();
        assertThat(api.get(api.account("/r2/buckets")).status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        api.get(api.account("/r2/buckets"));
        api.get(api.account("/d1/database"));
        assertThat(sandbox.faults().requestCount("GET /accounts/*/r2/buckets")).isEqualTo(2);
        assertThat(sandbox.faults().requestCount("/accounts/**")).isEqualTo(3);
    }
}
