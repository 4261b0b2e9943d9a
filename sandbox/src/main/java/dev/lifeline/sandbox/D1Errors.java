package dev.lifeline.sandbox;

import java.sql.SQLException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sqlite.SQLiteException;

/** Turns SQLite failures into D1's error text: SQLite's message, offset where known, result code. */
final class D1Errors {
    private static final Pattern JDBC_MESSAGE =
            Pattern.compile("^\\[(SQLITE_[A-Z_]+)\\][^(]*\\((.*)\\)$", Pattern.DOTALL);
    private static final Pattern NAMED_THING =
            Pattern.compile("^(?:no such column|no such table|no such function): (.+)$|^near \"(.+)\": syntax error$");

    private D1Errors() {
    }

    /** D1's message for an SQLite error raised by {@code sql}, e.g. {@code no such column: x at offset 7: SQLITE_ERROR}. */
    static String message(SQLException e, String sql) {
        String text = e.getMessage() == null ? "unknown error" : e.getMessage();
        String code = "SQLITE_ERROR";
        Matcher m = JDBC_MESSAGE.matcher(text);
        if (m.matches()) {
            code = primaryCode(m.group(1));
            text = m.group(2);
        } else if (e instanceof SQLiteException) {
            code = primaryCode(((SQLiteException) e).getResultCode().name());
        }
        if (sql != null) {
            Matcher named = NAMED_THING.matcher(text);
            if (named.matches()) {
                String thing = named.group(1) != null ? named.group(1) : named.group(2);
                String bare = thing.contains(".") ? thing.substring(thing.lastIndexOf('.') + 1) : thing;
                int offset = sql.toLowerCase(Locale.ROOT).indexOf(bare.toLowerCase(Locale.ROOT));
                if (offset >= 0) {
                    text = text + " at offset " + offset;
                }
            }
        }
        return text + ": " + code;
    }

    private static String primaryCode(String extended) {
        int second = extended.indexOf('_', "SQLITE_".length());
        return second < 0 ? extended : extended.substring(0, second);
    }
}
