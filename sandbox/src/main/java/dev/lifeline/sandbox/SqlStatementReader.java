package dev.lifeline.sandbox;

import java.io.Closeable;
import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.util.Locale;

/**
 * Splits SQL text into statements while streaming it, so a multi-gigabyte import never has to
 * sit in memory: only the statement being read is buffered.
 *
 * <p>Statement boundaries follow SQLite's own {@code sqlite3_complete()} state machine: semicolons
 * inside string literals, quoted identifiers and comments do not end a statement, and a
 * {@code CREATE TRIGGER ... BEGIN ...; END;} body ends only at the {@code ;END;} that closes it.
 * Leading comments and empty statements are dropped; the terminating semicolon is not included.
 */
final class SqlStatementReader implements Closeable {

    // Token classes and states of sqlite3_complete().
    private static final int TK_SEMI = 0;
    private static final int TK_WS = 1;
    private static final int TK_OTHER = 2;
    private static final int TK_EXPLAIN = 3;
    private static final int TK_CREATE = 4;
    private static final int TK_TEMP = 5;
    private static final int TK_TRIGGER = 6;
    private static final int TK_END = 7;
    private static final int[][] TRANS = {
        /* 0 INVALID */ {1, 0, 2, 3, 4, 2, 2, 2},
        /* 1 START   */ {1, 1, 2, 3, 4, 2, 2, 2},
        /* 2 NORMAL  */ {1, 2, 2, 2, 2, 2, 2, 2},
        /* 3 EXPLAIN */ {1, 3, 3, 2, 4, 2, 2, 2},
        /* 4 CREATE  */ {1, 4, 2, 2, 2, 4, 5, 2},
        /* 5 TRIGGER */ {6, 5, 5, 5, 5, 5, 5, 5},
        /* 6 SEMI    */ {6, 6, 5, 5, 5, 5, 5, 7},
        /* 7 END     */ {1, 7, 5, 5, 5, 5, 5, 5},
    };

    private final PushbackReader in;
    private final int maxStatementChars;
    private final StringBuilder current = new StringBuilder();
    private int state;
    private boolean eof;

    /**
     * @param maxStatementChars a statement longer than this fails with {@link StatementTooLongException}
     *     instead of being buffered further (guards against an unterminated string in a huge file)
     */
    SqlStatementReader(Reader reader, int maxStatementChars) {
        this.in = new PushbackReader(reader, 2);
        this.maxStatementChars = maxStatementChars;
    }

    /** Thrown when one statement grows beyond the configured maximum. */
    static final class StatementTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        StatementTooLongException(String message) {
            super(message);
        }
    }

    /** The next statement, or {@code null} at the end of the input. */
    String next() throws IOException {
        current.setLength(0);
        state = 0;
        while (!eof) {
            int c = in.read();
            if (c < 0) {
                eof = true;
                break;
            }
            int token;
            if (Character.isWhitespace(c)) {
                appendIfStarted((char) c);
                token = TK_WS;
            } else if (c == '-' && peekIs('-')) {
                in.read();
                appendIfStarted("--");
                readLineComment();
                token = TK_WS;
            } else if (c == '/' && peekIs('*')) {
                in.read();
                appendIfStarted("/*");
                readBlockComment();
                token = TK_WS;
            } else if (c == ';') {
                token = TK_SEMI;
            } else if (c == '\'' || c == '"' || c == '`') {
                append((char) c);
                readQuoted((char) c);
                token = TK_OTHER;
            } else if (c == '[') {
                append('[');
                readQuoted(']');
                token = TK_OTHER;
            } else if (isIdentifierChar(c)) {
                StringBuilder word = new StringBuilder();
                word.append((char) c);
                int d;
                while ((d = in.read()) >= 0 && isIdentifierChar(d)) {
                    word.append((char) d);
                }
                if (d >= 0) {
                    in.unread(d);
                }
                append(word);
                token = keywordToken(word.toString());
            } else {
                append((char) c);
                token = TK_OTHER;
            }
            int next = TRANS[state][token];
            if (token == TK_SEMI && next == 1) {
                if (hasContent()) {
                    return current.toString().strip();
                }
                current.setLength(0);
                state = 1;
                continue;
            }
            if (token == TK_SEMI) {
                append(';'); // a semicolon inside a trigger body belongs to the statement
            }
            state = next;
        }
        if (hasContent()) {
            String tail = current.toString().strip();
            current.setLength(0);
            return tail;
        }
        return null;
    }

    private boolean hasContent() {
        return !current.toString().isBlank();
    }

    private static int keywordToken(String word) {
        switch (word.toUpperCase(Locale.ROOT)) {
            case "EXPLAIN":
                return TK_EXPLAIN;
            case "CREATE":
                return TK_CREATE;
            case "TEMP":
            case "TEMPORARY":
                return TK_TEMP;
            case "TRIGGER":
                return TK_TRIGGER;
            case "END":
                return TK_END;
            default:
                return TK_OTHER;
        }
    }

    private static boolean isIdentifierChar(int c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c >= 0x80;
    }

    private boolean peekIs(char expected) throws IOException {
        int d = in.read();
        if (d < 0) {
            return false;
        }
        in.unread(d);
        return d == expected;
    }

    private void readLineComment() throws IOException {
        int c;
        while ((c = in.read()) >= 0) {
            appendIfStarted((char) c);
            if (c == '\n') {
                return;
            }
        }
        eof = true;
    }

    private void readBlockComment() throws IOException {
        int prev = -1;
        int c;
        while ((c = in.read()) >= 0) {
            appendIfStarted((char) c);
            if (prev == '*' && c == '/') {
                return;
            }
            prev = c;
        }
        eof = true;
    }

    private void readQuoted(char close) throws IOException {
        int c;
        while ((c = in.read()) >= 0) {
            append((char) c);
            if (c == close) {
                // A doubled quote is an escaped quote, not the end (not for [brackets]).
                if (close != ']' && peekIs(close)) {
                    append((char) in.read());
                    continue;
                }
                return;
            }
        }
        eof = true;
    }

    private void appendIfStarted(CharSequence s) throws StatementTooLongException {
        if (current.length() > 0) {
            append(s);
        }
    }

    private void appendIfStarted(char c) throws StatementTooLongException {
        if (current.length() > 0) {
            append(c);
        }
    }

    private void append(CharSequence s) throws StatementTooLongException {
        current.append(s);
        checkLength();
    }

    private void append(char c) throws StatementTooLongException {
        current.append(c);
        checkLength();
    }

    private void checkLength() throws StatementTooLongException {
        if (current.length() > maxStatementChars) {
            throw new StatementTooLongException("statement too long: more than " + maxStatementChars
                    + " characters starting with "
                    + current.substring(0, Math.min(80, current.length())));
        }
    }

    /** The first {@code count} keywords of a statement, upper-cased (leading comments skipped). */
    static String leadingKeywords(String sql, int count) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        int words = 0;
        int n = sql.length();
        while (i < n && words < count) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int nl = sql.indexOf('\n', i);
                i = nl < 0 ? n : nl + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (isIdentifierChar(c)) {
                int start = i;
                while (i < n && isIdentifierChar(sql.charAt(i))) {
                    i++;
                }
                if (out.length() > 0) {
                    out.append(' ');
                }
                out.append(sql, start, i);
                words++;
            } else {
                break;
            }
        }
        return out.toString().toUpperCase(Locale.ROOT);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
