package dev.lifeline.workflows.playbook;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations people type into playbook inputs: ISO-8601 ({@code PT30M}, {@code P1D}) or
 * shorthand ({@code 250ms}, {@code 90s}, {@code 45m}, {@code 4h}, {@code 2d}, {@code 1h30m}).
 */
public final class Durations {
  private static final Pattern SHORTHAND =
      Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?(?:(\\d+)ms)?");

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException with a message naming the accepted forms
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("is empty; use ISO-8601 like PT30M or shorthand like 30m");
    }
    String t = text.trim();
    if (t.toUpperCase(Locale.ROOT).startsWith("P")) {
      try {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "\"" + text + "\" is not an ISO-8601 duration (examples: PT30M, PT4H, P2D)");
      }
    }
    Matcher m = SHORTHAND.matcher(t.toLowerCase(Locale.ROOT));
    if (!m.matches() || t.isEmpty()) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a duration; use ISO-8601 like PT30M or shorthand like 30m, 4h, 2d");
    }
    Duration d = Duration.ZERO;
    if (m.group(1) != null) {
      d = d.plusDays(Long.parseLong(m.group(1)));
    }
    if (m.group(2) != null) {
      d = d.plusHours(Long.parseLong(m.group(2)));
    }
    if (m.group(3) != null) {
      d = d.plusMinutes(Long.parseLong(m.group(3)));
    }
    if (m.group(4) != null) {
      d = d.plusSeconds(Long.parseLong(m.group(4)));
    }
    if (m.group(5) != null) {
      d = d.plusMillis(Long.parseLong(m.group(5)));
    }
    return d;
  }

  /**
   * {@code d} for people, rounded down: {@code 45 s}, {@code 12 min}, {@code 1 h}, {@code 3 h 20 min},
   * {@code 4 days}. Negative durations read as {@code 0 s}.
   */
  public static String human(Duration d) {
    return human(d.toSeconds());
  }

  /** {@link #human(Duration)} of a number of seconds. */
  public static String human(long seconds) {
    long s = Math.max(0, seconds);
    if (s < 120) {
      return s + " s";
    }
    if (s < 7200 && s % 3600 != 0) {
      return (s / 60) + " min";
    }
    if (s < 172800) {
      return (s / 3600) + " h" + (s % 3600 >= 60 ? " " + (s % 3600) / 60 + " min" : "");
    }
    return (s / 86400) + " days";
  }
}
