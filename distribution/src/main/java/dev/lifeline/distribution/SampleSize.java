package dev.lifeline.distribution;

import dev.lifeline.cli.CliException;
import dev.lifeline.sandbox.MonoTaskAccount;
import dev.lifeline.worker.dev.DevStackOptions;
import java.util.Locale;

/** Parses {@code --size}: {@code tiny}, {@code small}, or a number of tasks. */
final class SampleSize {
  private SampleSize() {}

  static MonoTaskAccount.Options parse(String size) {
    String s = size.trim().toLowerCase(Locale.ROOT);
    long seed = DevStackOptions.SAMPLE_SEED;
    if (s.equals("tiny")) {
      return MonoTaskAccount.Options.tiny(seed);
    }
    if (s.equals("small")) {
      return MonoTaskAccount.Options.small(seed);
    }
    try {
      int tasks = Integer.parseInt(s.replace("_", "").replace(",", ""));
      if (tasks < 1) {
        throw new NumberFormatException();
      }
      return MonoTaskAccount.Options.tasks(tasks, seed);
    } catch (NumberFormatException e) {
      throw CliException.usage("--size must be tiny, small or a number of tasks (got \"" + size + "\")");
    }
  }
}
