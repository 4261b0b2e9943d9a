package dev.lifeline.distribution;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/** Writes {@code KEY=VALUE} lines for scripts, readable by the owner only (they hold credentials). */
final class EnvFiles {
  private EnvFiles() {}

  static void write(Path file, Map<String, String> env) throws IOException {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> e : env.entrySet()) {
      b.append(e.getKey()).append('=').append(e.getValue()).append('\n');
    }
    Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system.
    }
  }
}
