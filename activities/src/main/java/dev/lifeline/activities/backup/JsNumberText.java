package dev.lifeline.activities.backup;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * How JavaScript prints a number ({@code Number.prototype.toString}): D1's exporter and REST API
 * run in JavaScript, so this is the text an exported INTEGER or REAL becomes. Used to predict what a
 * database loaded from a D1 export holds where the export was lossy.
 */
final class JsNumberText {
  private static final long MAX_SAFE = 1L << 53;

  private JsNumberText() {}

  /** An SQLite INTEGER as D1 exports it (through a double beyond 2^53). */
  static String ofLong(long value) {
    if (value >= -MAX_SAFE && value <= MAX_SAFE) {
      return Long.toString(value);
    }
    return ofDouble((double) value);
  }

  /** A double with shortest round-trip digits in ECMAScript's layout. */
  static String ofDouble(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "Infinity" : "-Infinity";
    }
    if (value == 0) {
      return "0";
    }
    String sign = value < 0 ? "-" : "";
    double abs = Math.abs(value);
    BigDecimal shortest = shortestRoundTrip(abs);
    String digits = shortest.unscaledValue().toString();
    int k = digits.length();
    int n = k - shortest.scale();
    StringBuilder out = new StringBuilder(sign);
    if (k <= n && n <= 21) {
      out.append(digits).append("0".repeat(n - k));
    } else if (0 < n && n <= 21) {
      out.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      out.append("0.").append("0".repeat(-n)).append(digits);
    } else {
      int e = n - 1;
      out.append(digits.charAt(0));
      if (k > 1) {
        out.append('.').append(digits, 1, k);
      }
      out.append('e').append(e >= 0 ? '+' : '-').append(Math.abs(e));
    }
    return out.toString();
  }

  private static BigDecimal shortestRoundTrip(double abs) {
    BigDecimal exact = new BigDecimal(abs);
    for (int precision = 1; precision <= 17; precision++) {
      BigDecimal rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
      if (rounded.doubleValue() == abs) {
        return rounded.stripTrailingZeros();
      }
      // Near a power of two the round-trip interval is lopsided: a neighbour may round-trip.
      BigDecimal unit = BigDecimal.ONE.movePointLeft(rounded.scale());
      for (BigDecimal candidate : new BigDecimal[] {rounded.subtract(unit), rounded.add(unit)}) {
        if (candidate.signum() > 0 && candidate.precision() <= precision
            && candidate.doubleValue() == abs) {
          return candidate.stripTrailingZeros();
        }
      }
    }
    return exact.round(MathContext.DECIMAL64).stripTrailingZeros();
  }
}
