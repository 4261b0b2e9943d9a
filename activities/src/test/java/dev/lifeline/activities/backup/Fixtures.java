package dev.lifeline.activities.backup;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The shared fixtures (copied into test resources) and the optional sqlite3 command line. */
final class Fixtures {
  static final String SOURCE = "d1-export-source.sql";
  static final String WRANGLER_4_164 = "d1-export-wrangler-4.164.sql";

  private Fixtures() {}

  static byte[] bytes(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource fixtures/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(String name) {
    return new String(bytes(name), StandardCharsets.UTF_8);
  }

  static InputStream stream(String name) {
    return new ByteArrayInputStream(bytes(name));
  }

  /**
   * The wrangler 4.164 export rewritten the way wrangler 4.86 and older wrote it: no column list
   * ({@code INSERT INTO "t" VALUES(...)}).
   */
  static String wranglerWithoutColumnLists() {
    return text(WRANGLER_4_164).replaceAll("(?m)^(INSERT INTO \"[^\"]+\") \\([^)]*\\) VALUES", "$1 VALUES");
  }

  /** The sqlite3 command line, or a skipped test saying why. */
  static Path sqlite3() {
    for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "sqlite3");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    assumeTrue(false, "sqlite3 command line not installed (apt-get install sqlite3): skipping the"
        + " test that needs real `sqlite3 .dump` output");
    return null;
  }

  /** Runs sqlite3 with {@code args}, feeding {@code stdin}, and returns stdout. */
  static byte[] runSqlite3(List<String> args, byte[] stdin) {
    List<String> cmd = new ArrayList<>();
    cmd.add(sqlite3().toString());
    cmd.addAll(args);
    try {
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      Thread feeder = new Thread(() -> {
        try (var out = p.getOutputStream()) {
          out.write(stdin);
        } catch (IOException ignored) {
          // sqlite3 exited early; its exit code tells.
        }
      });
      feeder.start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("sqlite3 " + args + " failed: exit " + p.exitValue());
      }
      feeder.join();
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
