package dev.lifeline.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The contract checker must reject bodies that break the OpenAPI subset, or the API tests prove nothing. */
class ContractSelfTest {
    private static final String ACC = "/accounts/0123456789abcdef0123456789abcdef";

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rejectsBodiesThatViolateTheSchemas() {
        assertThatThrownBy(() -> OpenApiContract.check("GET", ACC + "/d1/database", 200, "application/json",
                b("{\"success\":true,\"result\":[]}"))).isInstanceOf(AssertionError.class).hasMessageContaining("errors");
        assertThatThrownBy(() -> OpenApiContract.check("POST", ACC + "/d1/database/x/export", 202, "application/json",
                b("{\"success\":true,\"errors\":[],\"messages\":[],\"result\":{\"status\":\"complete\"}}")))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> OpenApiContract.check("GET", ACC + "/r2/buckets", 200, "application/json",
                b("{\"success\":true,\"errors\":[],\"messages\":[],\"result\":{\"buckets\":[{\"name\":\"A\"}]}}")))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> OpenApiContract.check("GET", ACC + "/d1/database", 404, "application/json",
                b("{\"success\":false,\"errors\":[{\"code\":12,\"message\":\"x\"}],\"messages\":[],\"result\":null}")))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void acceptsConformingBodiesIncludingNullableResults() {
        int before = OpenApiContract.VALIDATED.get();
        OpenApiContract.check("DELETE", ACC + "/d1/database/x", 200, "application/json",
                b("{\"success\":true,\"errors\":[],\"messages\":[],\"result\":null}"));
        OpenApiContract.check("GET", ACC + "/workers/scripts/w/versions", 404, "application/json",
                b("{\"success\":false,\"errors\":[{\"code\":10007,\"message\":\"x\"}],\"messages\":[],\"result\":null}"));
        assertThat(OpenApiContract.VALIDATED.get()).isEqualTo(before + 2);
    }
}
