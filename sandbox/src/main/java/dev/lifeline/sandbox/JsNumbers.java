package dev.lifeline.sandbox;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Renders numbers the way JavaScript's {@code Number.prototype.toString()} does.
 *
 * <p>D1's exporter and its REST API run in JavaScript, so every SQLite INTEGER passes through an
 * IEEE double: integers beyond 2<sup>53</sup> lose precision (9223372036854775807 prints as
 * 9223372036854776000) and large doubles print in exponent form ({@code 1e+300}). The sandbox must
 * reproduce these losses exactly because Lifeline's backup code has to detect them.
 */
final class JsNumbers {
    private static final long MAX_SAFE = 1L << 53;

    private JsNumbers() {
    }

    /** An SQLite INTEGER as JavaScript prints it after reading it into a double. */
    static String ofLong(long value) {
        if (value >= -MAX_SAFE && value <= MAX_SAFE) {
            return Long.toString(value);
        }
        return ofDouble((double) value);
    }

    /** A double as JavaScript prints it (shortest round-trip digits, ECMAScript layout). */
    static String ofDouble(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == 0) {
            return "0"; // JavaScript prints -0 as "0" too.
        }
        String sign = value < 0 ? "-" : "";
        double abs = Math.abs(value);
        BigDecimal shortest = shortestRoundTrip(abs);
        String digits = shortest.unscaledValue().toString();
        int k = digits.length();
        int n = k - shortest.scale(); // value = 0.digits * 10^n
        StringBuilder out = new StringBuilder(sign);
        if (k <= n && n <= 21) {
            out.append(digits);
            out.append("0".repeat(n - k));
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
            // Near a power of two the round-trip interval is lopsided, so a neighbour of the nearest
            // candidate may round-trip where the nearest does not.
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
