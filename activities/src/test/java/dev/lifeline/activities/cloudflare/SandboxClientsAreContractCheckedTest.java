package dev.lifeline.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every sandbox response a client test receives must be validated against the OpenAPI subset.
 * That holds only while tests get their clients from {@link ContractCheckedSandbox}; this test fails
 * the build when a test that uses the sandbox builds a Cloudflare client by itself.
 */
class SandboxClientsAreContractCheckedTest {
  private static final Path TEST_SOURCES = Path.of("src", "test", "java");
  private static final Set<String> ALLOWED =
      Set.of("ContractCheckedSandbox.java", "SandboxClientsAreContractCheckedTest.java");

  @Test
  void onlyTheContractCheckedFactoryBuildsClientsForTheSandbox() throws IOException {
    assertThat(TEST_SOURCES).as("run from the activities module directory").isDirectory();
    List<String> offenders;
    try (Stream<Path> files = Files.walk(TEST_SOURCES)) {
      offenders = files
          .filter(p -> p.toString().endsWith(".java"))
          // The factory itself, and this test, which names what it looks for.
          .filter(p -> !ALLOWED.contains(p.getFileName().toString()))
          .filter(p -> {
            String src = read(p);
            return src.contains("dev.lifeline.sandbox")
                && (src.contains("CloudflareClient.create(") || src.contains("CloudflareClientOptions.newBuilder("));
          })
          .map(p -> TEST_SOURCES.relativize(p).toString())
          .toList();
    }
    assertThat(offenders)
        .as("tests against the sandbox must get clients from ContractCheckedSandbox")
        .isEmpty();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
