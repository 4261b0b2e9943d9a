package dev.lifeline.activities.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A streaming parser for SQL dumps: {@code wrangler d1 export} files (both INSERT styles wrangler
 * has written: {@code INSERT INTO "t" VALUES(...)} up to 4.86 and {@code INSERT INTO "t"
 * ("c1","c2") VALUES(...)} since), {@code sqlite3 .dump} output, and plain SQL scripts.
 *
 * <p>{@link #next()} returns one statement at a time. INSERTs with literal values become {@link
 * DumpStatement.Insert}s with typed {@link SqlValue}s: {@code NULL}; integers (exact; out of the
 * 64-bit range they become REAL as in SQLite, keeping their digits); reals including {@code 1e+300}
 * and {@code 1e999}; strings with {@code ''} escaping; {@code X'..'} blobs; and the expression
 * forms exporters use for control characters: {@code replace(...,'\n',char(10))} (D1, sqlite3),
 * nested {@code replace(replace(...))}, {@code char(n,...)}, {@code ||} concatenation and {@code
 * unistr('\u000a')}. Everything else, including INSERTs with other expressions, is passed through
 * as SQL text ({@link DumpStatement.Sql}) for SQLite to execute, so nothing is ever interpreted
 * differently from SQLite: the parser either evaluates a value exactly or leaves it to SQLite.
 *
 * <p>Statement boundaries follow SQLite's rules: a {@code ;} outside string literals, quoted
 * identifiers and comments ends a statement, except inside a {@code CREATE TRIGGER ... BEGIN ...
 * END} body (with {@code CASE ... END} nesting).
 *
 * <p>Memory is bounded by the largest single statement (the buffer grows to hold it, up to the
 * configured limit), never by the dump. Binary SQLite files and compressed files are refused with a
 * clear message; malformed input (an unterminated string, a statement cut off by a truncated
 * download) fails with its line number. Not thread-safe.
 */
public final class DumpParser implements AutoCloseable {
  /** The largest statement accepted by default (D1 itself refuses statements over 100 KB). */
  public static final int DEFAULT_MAX_STATEMENT_BYTES = 256 << 20;

  private static final int INITIAL_BUFFER = 1 << 20;
  private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

  private final InputStream in;
  private final int maxStatementBytes;
  private byte[] buf;
  private int pos; // next unconsumed byte in buf
  private int end; // end of valid data in buf
  private long base; // dump offset of buf[0]
  private boolean eof;
  private long line; // line number at pos
  private long statementIndex;
  private boolean checkedMagic;

  private DumpParser(InputStream in, DumpPosition start, int maxStatementBytes) {
    this.in = Objects.requireNonNull(in, "in");
    this.base = start.byteOffset();
    this.line = start.line();
    this.statementIndex = start.statementIndex();
    this.checkedMagic = start.byteOffset() > 0;
    if (maxStatementBytes < 1024) {
      throw new IllegalArgumentException("maxStatementBytes must be at least 1 KiB");
    }
    this.maxStatementBytes = maxStatementBytes;
    this.buf = new byte[Math.min(INITIAL_BUFFER, maxStatementBytes)];
  }

  /** A parser over a whole dump. The stream is closed by {@link #close()}. */
  public static DumpParser open(InputStream in) {
    return new DumpParser(in, DumpPosition.START, DEFAULT_MAX_STATEMENT_BYTES);
  }

  /**
   * A parser that resumes at a checkpoint: {@code in} must already be positioned at {@code
   * start.byteOffset()} (for a file, open it and skip that many bytes), and statement indexes and
   * line numbers continue from {@code start}.
   */
  public static DumpParser open(InputStream in, DumpPosition start, int maxStatementBytes) {
    return new DumpParser(in, start, maxStatementBytes);
  }

  /** Where the next statement will be searched from: a checkpoint to resume at. */
  public DumpPosition position() {
    return new DumpPosition(statementIndex, base + pos, line);
  }

  /** Bytes consumed so far (the dump offset after the last returned statement). */
  public long bytesConsumed() {
    return base + pos;
  }

  // ------------------------------------------------------------------ statement splitting

  private static final int LEADING = 0;
  private static final int NORMAL = 1;
  private static final int SQUOTE = 2;
  private static final int DQUOTE = 3;
  private static final int BRACKET = 4;
  private static final int BACKTICK = 5;
  private static final int LINE_COMMENT = 6;
  private static final int BLOCK_COMMENT = 7;
  private static final int LEADING_LINE_COMMENT = 8;
  private static final int LEADING_BLOCK_COMMENT = 9;

  /**
   * The next statement, or null at the end of the dump.
   *
   * @throws DumpFormatException for input that is not a SQL text dump or is cut off
   */
  public DumpStatement next() throws IOException {
    if (!checkedMagic) {
      checkMagic();
    }
    int state = LEADING;
    int p = pos;
    int start = -1; // statement start index in buf
    long startLine = line;
    long curLine = line;
    long quoteLine = 0;
    int trigger = -1; // -1 unknown, 0 no, 1 yes
    while (true) {
      if (p >= end) {
        int keepFrom = start >= 0 ? start : p;
        int shift = refill(keepFrom);
        if (shift < 0) {
          // End of input.
          if (state == LEADING || state == LEADING_LINE_COMMENT) {
            pos = end;
            line = curLine;
            return null;
          }
          if (state == LEADING_BLOCK_COMMENT || state == BLOCK_COMMENT) {
            throw new DumpFormatException("unterminated /* comment at end of input", curLine, base + p);
          }
          if (state == SQUOTE || state == DQUOTE || state == BRACKET || state == BACKTICK) {
            throw new DumpFormatException(
                "unterminated " + (state == SQUOTE ? "string literal" : "quoted identifier")
                    + " that starts on line " + quoteLine
                    + "; the dump is cut off or malformed", startLine, base + start);
          }
          if (state == NORMAL && onlyWhitespace(start, end)) {
            pos = end;
            line = curLine;
            return null;
          }
          throw new DumpFormatException(
              "the last statement has no terminating ';'; the dump is cut off (a truncated"
                  + " download?) or malformed", startLine, base + start);
        }
        p -= shift;
        if (start >= 0) {
          start -= shift;
        }
        continue;
      }
      byte c = buf[p];
      switch (state) {
        case LEADING -> {
          if (c == '\n') {
            curLine++;
            p++;
          } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == ';') {
            p++;
          } else if (c == '-' && peek(p + 1) == '-') {
            state = LEADING_LINE_COMMENT;
            p += 2;
          } else if (c == '/' && peek(p + 1) == '*') {
            state = LEADING_BLOCK_COMMENT;
            p += 2;
          } else if (c == 0) {
            throw notText(curLine, base + p);
          } else {
            start = p;
            startLine = curLine;
            state = NORMAL;
          }
        }
        case LEADING_LINE_COMMENT -> {
          if (c == '\n') {
            curLine++;
            state = LEADING;
          }
          p++;
        }
        case LEADING_BLOCK_COMMENT -> {
          if (c == '\n') {
            curLine++;
          } else if (c == '*' && peek(p + 1) == '/') {
            state = LEADING;
            p++;
          }
          p++;
        }
        case NORMAL -> {
          switch (c) {
            case '\'' -> {
              state = SQUOTE;
              quoteLine = curLine;
            }
            case '"' -> {
              state = DQUOTE;
              quoteLine = curLine;
            }
            case '[' -> {
              state = BRACKET;
              quoteLine = curLine;
            }
            case '`' -> {
              state = BACKTICK;
              quoteLine = curLine;
            }
            case '\n' -> curLine++;
            case 0 -> throw notText(curLine, base + p);
            case '-' -> {
              if (peek(p + 1) == '-') {
                state = LINE_COMMENT;
                p++;
              }
            }
            case '/' -> {
              if (peek(p + 1) == '*') {
                state = BLOCK_COMMENT;
                p++;
              }
            }
            case ';' -> {
              if (trigger < 0) {
                trigger = isCreateTrigger(start, p) ? 1 : 0;
              }
              if (trigger == 0 || triggerComplete(start, p)) {
                pos = p + 1;
                line = curLine;
                DumpPosition at = new DumpPosition(statementIndex++, base + start, startLine);
                return statement(start, p, at);
              }
            }
            default -> {
              // Part of the statement.
            }
          }
          p++;
        }
        case SQUOTE, DQUOTE, BRACKET, BACKTICK -> {
          byte close = state == SQUOTE ? (byte) '\'' : state == DQUOTE ? (byte) '"'
              : state == BRACKET ? (byte) ']' : (byte) '`';
          // Doubled quotes ('' inside '...') need no special case: they close and reopen.
          int q = p;
          while (q < end && buf[q] != close) {
            if (buf[q] == '\n') {
              curLine++;
            }
            q++;
          }
          if (q < end) {
            state = NORMAL;
          }
          p = q < end ? q + 1 : end;
        }
        case LINE_COMMENT -> {
          if (c == '\n') {
            curLine++;
            state = NORMAL;
          }
          p++;
        }
        case BLOCK_COMMENT -> {
          if (c == '\n') {
            curLine++;
          } else if (c == '*' && peek(p + 1) == '/') {
            state = NORMAL;
            p++;
          }
          p++;
        }
        default -> throw new IllegalStateException("scanner state " + state);
      }
    }
  }

  /** The byte at {@code i}, reading more input if needed without moving data; 0 at EOF. */
  private byte peek(int i) throws IOException {
    if (i < end) {
      return buf[i];
    }
    // Rare: a two-byte token split across reads. Grow in place (no shift) to see one more byte.
    if (eof) {
      return 0;
    }
    if (end == buf.length) {
      grow();
    }
    int n = in.read(buf, end, buf.length - end);
    if (n < 0) {
      eof = true;
      return 0;
    }
    end += n;
    return i < end ? buf[i] : 0;
  }

  /**
   * Makes room and reads more, keeping bytes from {@code keepFrom}. Returns how far the kept
   * bytes moved toward the start of the buffer, or -1 at the end of input.
   */
  private int refill(int keepFrom) throws IOException {
    if (eof) {
      return -1;
    }
    int shift = 0;
    if (keepFrom > 0) {
      System.arraycopy(buf, keepFrom, buf, 0, end - keepFrom);
      end -= keepFrom;
      base += keepFrom;
      shift = keepFrom;
      pos = Math.max(0, pos - keepFrom);
    }
    if (end == buf.length) {
      grow();
    }
    int n = in.read(buf, end, buf.length - end);
    while (n == 0) {
      n = in.read(buf, end, buf.length - end);
    }
    if (n < 0) {
      eof = true;
      return shift > 0 ? shift : -1;
    }
    end += n;
    return shift;
  }

  private void grow() throws DumpFormatException {
    if (buf.length >= maxStatementBytes) {
      throw new DumpFormatException(
          "a statement is larger than " + maxStatementBytes + " bytes (the parser's limit; raise"
              + " maxStatementBytes if the dump really holds such rows)", line, base + pos);
    }
    buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, maxStatementBytes));
  }

  private void checkMagic() throws IOException {
    checkedMagic = true;
    while (end < SQLITE_MAGIC.length && !eof) {
      int n = in.read(buf, end, buf.length - end);
      if (n < 0) {
        eof = true;
      } else {
        end += n;
      }
    }
    if (startsWith(SQLITE_MAGIC)) {
      throw new DumpFormatException(
          "this is a binary SQLite database file, not a SQL dump; import it as a SQLite file"
              + " (online backup) or dump it with `sqlite3 FILE .dump` first", 0, 0);
    }
    if (startsWith(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD})) {
      throw new DumpFormatException("this is zstd-compressed data, not a SQL dump; decompress it first", 0, 0);
    }
    if (startsWith(new byte[] {0x1F, (byte) 0x8B})) {
      throw new DumpFormatException("this is gzip-compressed data, not a SQL dump; decompress it first", 0, 0);
    }
    if (startsWith(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF})) {
      pos = 3; // a UTF-8 byte order mark is not part of the SQL
    }
  }

  private boolean startsWith(byte[] magic) {
    if (end < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (buf[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }

  private static DumpFormatException notText(long line, long offset) {
    return new DumpFormatException(
        "NUL byte outside a string: this is binary data, not a SQL text dump", line, offset);
  }

  private boolean onlyWhitespace(int from, int to) {
    for (int i = Math.max(from, 0); i < to; i++) {
      byte c = buf[i];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\f') {
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ triggers

  private boolean isCreateTrigger(int s, int e) {
    Lexer lx = new Lexer(s, e);
    if (!lx.word("CREATE")) {
      return false;
    }
    lx.next();
    if (lx.word("TEMP") || lx.word("TEMPORARY")) {
      lx.next();
    }
    return lx.word("TRIGGER");
  }

  /** Whether {@code [s, e)} is a whole trigger: BEGIN seen and every BEGIN/CASE closed by END. */
  private boolean triggerComplete(int s, int e) {
    Lexer lx = new Lexer(s, e);
    int depth = 0;
    boolean begun = false;
    for (; lx.type != Lexer.EOF; lx.next()) {
      if (lx.type != Lexer.WORD) {
        continue;
      }
      if (lx.word("BEGIN") && !begun) {
        begun = true;
        depth++;
      } else if (lx.word("CASE")) {
        depth++;
      } else if (lx.word("END")) {
        depth--;
      }
    }
    return begun && depth <= 0;
  }

  // ------------------------------------------------------------------ statements

  private DumpStatement statement(int s, int e, DumpPosition at) {
    Lexer lx = new Lexer(s, e);
    if (lx.word("INSERT") || lx.word("REPLACE")) {
      try {
        return parseInsert(lx, at);
      } catch (Unsupported u) {
        return sql(DumpStatement.Kind.INSERT, s, e, insertTarget(s, e), at);
      }
    }
    DumpStatement.Kind kind = DumpStatement.Kind.OTHER;
    String name = null;
    if (lx.word("PRAGMA")) {
      kind = DumpStatement.Kind.PRAGMA;
    } else if (lx.word("BEGIN")) {
      kind = DumpStatement.Kind.BEGIN;
    } else if (lx.word("COMMIT") || lx.word("END")) {
      kind = DumpStatement.Kind.COMMIT;
    } else if (lx.word("ROLLBACK")) {
      kind = DumpStatement.Kind.ROLLBACK;
    } else if (lx.word("DELETE")) {
      kind = DumpStatement.Kind.DELETE;
    } else if (lx.word("ANALYZE")) {
      kind = DumpStatement.Kind.ANALYZE;
    } else if (lx.word("CREATE")) {
      lx.next();
      if (lx.word("TEMP") || lx.word("TEMPORARY")) {
        lx.next();
      }
      boolean unique = false;
      if (lx.word("UNIQUE")) {
        unique = true;
        lx.next();
      }
      if (lx.word("TABLE")) {
        kind = DumpStatement.Kind.CREATE_TABLE;
      } else if (lx.word("INDEX")) {
        kind = unique ? DumpStatement.Kind.CREATE_UNIQUE_INDEX : DumpStatement.Kind.CREATE_INDEX;
      } else if (lx.word("TRIGGER")) {
        kind = DumpStatement.Kind.CREATE_TRIGGER;
      } else if (lx.word("VIEW")) {
        kind = DumpStatement.Kind.CREATE_VIEW;
      } else if (lx.word("VIRTUAL")) {
        lx.next();
        kind = DumpStatement.Kind.CREATE_VIRTUAL_TABLE;
      }
      if (kind != DumpStatement.Kind.OTHER) {
        lx.next();
        if (lx.word("IF")) {
          lx.next(); // NOT
          lx.next(); // EXISTS
          lx.next();
        }
        name = lx.identifierOrNull();
        if (name != null) {
          lx.next();
          if (lx.type == Lexer.DOT) {
            lx.next();
            name = lx.identifierOrNull();
          }
        }
      }
    }
    return sql(kind, s, e, name, at);
  }

  private DumpStatement.Sql sql(DumpStatement.Kind kind, int s, int e, String name, DumpPosition at) {
    int t = e;
    while (t > s && isSpace(buf[t - 1])) {
      t--;
    }
    return new DumpStatement.Sql(kind, new String(buf, s, t - s, StandardCharsets.UTF_8), name, at);
  }

  private String insertTarget(int s, int e) {
    try {
      Lexer lx = new Lexer(s, e);
      lx.next();
      if (lx.word("OR")) {
        lx.next();
        lx.next();
      }
      if (!lx.word("INTO")) {
        return null;
      }
      lx.next();
      String name = lx.identifier();
      lx.next();
      if (lx.type == Lexer.DOT) {
        lx.next();
        name = lx.identifier();
      }
      return name;
    } catch (Unsupported u) {
      return null;
    }
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f';
  }

  private DumpStatement.Insert parseInsert(Lexer lx, DumpPosition at) {
    String conflict = null;
    if (lx.word("REPLACE")) {
      conflict = "REPLACE";
      lx.next();
    } else {
      lx.next();
      if (lx.word("OR")) {
        lx.next();
        if (lx.type != Lexer.WORD) {
          throw Unsupported.INSTANCE;
        }
        conflict = lx.text().toUpperCase(Locale.ROOT);
        lx.next();
      }
    }
    if (!lx.word("INTO")) {
      throw Unsupported.INSTANCE;
    }
    lx.next();
    String schema = null;
    String table = lx.identifier();
    lx.next();
    if (lx.type == Lexer.DOT) {
      lx.next();
      schema = table;
      table = lx.identifier();
      lx.next();
    }
    List<String> columns = List.of();
    if (lx.type == Lexer.LPAREN) {
      List<String> cols = new ArrayList<>();
      do {
        lx.next();
        cols.add(lx.identifier());
        lx.next();
      } while (lx.type == Lexer.COMMA);
      lx.expect(Lexer.RPAREN);
      columns = cols;
    }
    if (!lx.word("VALUES")) {
      throw Unsupported.INSTANCE; // SELECT, DEFAULT VALUES, AS alias, WITH ...
    }
    lx.next();
    List<List<SqlValue>> rows = new ArrayList<>(1);
    SqlValue[] scratch = new SqlValue[Math.max(8, columns.size())];
    int arity = -1;
    while (true) {
      lx.expect(Lexer.LPAREN);
      int n = 0;
      while (true) {
        if (n == scratch.length) {
          scratch = Arrays.copyOf(scratch, n * 2);
        }
        scratch[n++] = lx.expression();
        if (lx.type != Lexer.COMMA) {
          break;
        }
        lx.next();
      }
      lx.expect(Lexer.RPAREN);
      if (arity < 0) {
        arity = n;
      } else if (n != arity) {
        throw Unsupported.INSTANCE; // SQLite reports the error in its own words
      }
      rows.add(List.of(Arrays.copyOf(scratch, n)));
      if (lx.type == Lexer.COMMA) {
        lx.next();
        continue;
      }
      break;
    }
    if (lx.type != Lexer.EOF || (!columns.isEmpty() && columns.size() != arity)) {
      throw Unsupported.INSTANCE; // an upsert or RETURNING clause, or an arity error
    }
    return new DumpStatement.Insert(schema, table, columns, conflict, rows, at);
  }

  /** Control flow for "leave this statement to SQLite"; no stack trace, shared. */
  private static final class Unsupported extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final Unsupported INSTANCE = new Unsupported();

    private Unsupported() {
      super(null, null, false, false);
    }
  }

  // ------------------------------------------------------------------ tokens and values

  /** A tokenizer over one statement's bytes, with the value evaluator. */
  private final class Lexer {
    static final int EOF = 0;
    static final int WORD = 1;
    static final int QID = 2;
    static final int STR = 3;
    static final int BLOB = 4;
    static final int NUM = 5;
    static final int LPAREN = 6;
    static final int RPAREN = 7;
    static final int COMMA = 8;
    static final int DOT = 9;
    static final int MINUS = 10;
    static final int PLUS = 11;
    static final int CONCAT = 12;
    static final int OTHER = 13;

    private final int limit;
    private int p;
    int type;
    int ts; // token start
    int te; // token end (exclusive)
    boolean numIsInteger;
    boolean numIsHex;
    boolean strHasQuotes;

    Lexer(int start, int limit) {
      this.p = start;
      this.limit = limit;
      next();
    }

    void next() {
      // Skip whitespace and comments.
      while (p < limit) {
        byte c = buf[p];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f') {
          p++;
        } else if (c == '-' && p + 1 < limit && buf[p + 1] == '-') {
          while (p < limit && buf[p] != '\n') {
            p++;
          }
        } else if (c == '/' && p + 1 < limit && buf[p + 1] == '*') {
          p += 2;
          while (p + 1 < limit && !(buf[p] == '*' && buf[p + 1] == '/')) {
            p++;
          }
          p += 2;
        } else {
          break;
        }
      }
      ts = p;
      if (p >= limit) {
        type = EOF;
        te = p;
        return;
      }
      byte c = buf[p];
      switch (c) {
        case '(' -> single(LPAREN);
        case ')' -> single(RPAREN);
        case ',' -> single(COMMA);
        case '-' -> single(MINUS);
        case '+' -> single(PLUS);
        case '|' -> {
          if (p + 1 < limit && buf[p + 1] == '|') {
            type = CONCAT;
            p += 2;
            te = p;
          } else {
            single(OTHER);
          }
        }
        case '\'' -> {
          type = STR;
          strHasQuotes = false;
          p = closeQuote(p, (byte) '\'');
          te = p;
        }
        case '"' -> {
          type = QID;
          p = closeQuote(p, (byte) '"');
          te = p;
        }
        case '`' -> {
          type = QID;
          p = closeQuote(p, (byte) '`');
          te = p;
        }
        case '[' -> {
          type = QID;
          int q = p + 1;
          while (q < limit && buf[q] != ']') {
            q++;
          }
          p = Math.min(q + 1, limit);
          te = p;
        }
        case '.' -> {
          if (p + 1 < limit && isDigit(buf[p + 1])) {
            number();
          } else {
            single(DOT);
          }
        }
        default -> {
          if (isDigit(c)) {
            number();
          } else if ((c == 'x' || c == 'X') && p + 1 < limit && buf[p + 1] == '\'') {
            type = BLOB;
            p = closeQuote(p + 1, (byte) '\'');
            te = p;
          } else if (isIdentStart(c)) {
            int q = p + 1;
            while (q < limit && isIdentPart(buf[q])) {
              q++;
            }
            type = WORD;
            p = q;
            te = q;
          } else {
            single(OTHER);
          }
        }
      }
    }

    private void single(int t) {
      type = t;
      p++;
      te = p;
    }

    /** Index after the closing quote of the quoted token starting at {@code q}. */
    private int closeQuote(int q, byte quote) {
      int i = q + 1;
      while (i < limit) {
        if (buf[i] == quote) {
          if (i + 1 < limit && buf[i + 1] == quote) {
            strHasQuotes = true;
            i += 2;
            continue;
          }
          return i + 1;
        }
        i++;
      }
      throw Unsupported.INSTANCE; // cannot happen for a statement the splitter accepted
    }

    private void number() {
      int q = p;
      numIsHex = false;
      if (buf[q] == '0' && q + 1 < limit && (buf[q + 1] == 'x' || buf[q + 1] == 'X')) {
        q += 2;
        while (q < limit && isHex(buf[q])) {
          q++;
        }
        numIsHex = true;
        numIsInteger = true;
      } else {
        boolean integer = true;
        while (q < limit && isDigit(buf[q])) {
          q++;
        }
        if (q < limit && buf[q] == '.') {
          integer = false;
          q++;
          while (q < limit && isDigit(buf[q])) {
            q++;
          }
        }
        if (q < limit && (buf[q] == 'e' || buf[q] == 'E')) {
          int r = q + 1;
          if (r < limit && (buf[r] == '+' || buf[r] == '-')) {
            r++;
          }
          if (r < limit && isDigit(buf[r])) {
            integer = false;
            q = r;
            while (q < limit && isDigit(buf[q])) {
              q++;
            }
          }
        }
        numIsInteger = integer;
      }
      if (q < limit && isIdentPart(buf[q])) {
        // 12abc: SQLite rejects it; let SQLite say so.
        type = OTHER;
        p = q;
        te = q;
        return;
      }
      type = NUM;
      p = q;
      te = q;
    }

    /** Whether the current token is the (case-insensitive) keyword {@code kw}. */
    boolean word(String kw) {
      if (type != WORD || te - ts != kw.length()) {
        return false;
      }
      for (int i = 0; i < kw.length(); i++) {
        int c = buf[ts + i];
        if (c >= 'a' && c <= 'z') {
          c -= 32;
        }
        if (c != kw.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    String text() {
      return new String(buf, ts, te - ts, StandardCharsets.UTF_8);
    }

    void expect(int t) {
      if (type != t) {
        throw Unsupported.INSTANCE;
      }
      next();
    }

    /** The current token as an unquoted identifier. */
    String identifier() {
      String id = identifierOrNull();
      if (id == null) {
        throw Unsupported.INSTANCE;
      }
      return id;
    }

    String identifierOrNull() {
      return switch (type) {
        case WORD -> text();
        case QID -> {
          byte q = buf[ts];
          if (q == '[') {
            yield new String(buf, ts + 1, te - ts - 2, StandardCharsets.UTF_8);
          }
          String inner = new String(buf, ts + 1, te - ts - 2, StandardCharsets.UTF_8);
          String quote = q == '"' ? "\"" : "`";
          yield inner.replace(quote + quote, quote);
        }
        case STR -> decodeString().value();
        default -> null;
      };
    }

    // ---------------------------------------------------------------- value expressions

    /** {@code term ('||' term)*}; leaves the lexer after the expression. */
    SqlValue expression() {
      SqlValue v = term();
      while (type == CONCAT) {
        next();
        SqlValue w = term();
        v = concat(v, w);
      }
      return v;
    }

    private SqlValue term() {
      switch (type) {
        case NUM -> {
          SqlValue v = numberValue(false);
          next();
          return v;
        }
        case MINUS -> {
          next();
          if (type != NUM) {
            throw Unsupported.INSTANCE;
          }
          SqlValue v = numberValue(true);
          next();
          return v;
        }
        case PLUS -> {
          next();
          if (type != NUM) {
            throw Unsupported.INSTANCE;
          }
          SqlValue v = numberValue(false);
          next();
          return v;
        }
        case STR -> {
          SqlValue v = decodeString();
          next();
          return v;
        }
        case BLOB -> {
          SqlValue v = blob();
          next();
          return v;
        }
        case LPAREN -> {
          next();
          SqlValue v = expression();
          expect(RPAREN);
          return v;
        }
        case WORD -> {
          if (word("NULL")) {
            next();
            return SqlValue.NULL;
          }
          if (word("TRUE") || word("FALSE")) {
            SqlValue v = SqlValue.Int.of(word("TRUE") ? 1 : 0);
            next();
            return v;
          }
          if (word("REPLACE")) {
            return replaceCall();
          }
          if (word("CHAR")) {
            return charCall();
          }
          if (word("UNISTR")) {
            return unistrCall();
          }
          throw Unsupported.INSTANCE;
        }
        default -> throw Unsupported.INSTANCE;
      }
    }

    private List<SqlValue> arguments() {
      next();
      expect(LPAREN);
      List<SqlValue> args = new ArrayList<>(3);
      if (type == RPAREN) {
        next();
        return args;
      }
      args.add(expression());
      while (type == COMMA) {
        next();
        args.add(expression());
      }
      expect(RPAREN);
      return args;
    }

    private SqlValue replaceCall() {
      List<SqlValue> a = arguments();
      if (a.size() != 3) {
        throw Unsupported.INSTANCE;
      }
      if (a.get(0) instanceof SqlValue.Null || a.get(1) instanceof SqlValue.Null
          || a.get(2) instanceof SqlValue.Null) {
        return SqlValue.NULL;
      }
      if (!(a.get(0) instanceof SqlValue.Text x) || !(a.get(1) instanceof SqlValue.Text y)
          || !(a.get(2) instanceof SqlValue.Text z) || x.malformedUtf8() || y.malformedUtf8()
          || z.malformedUtf8()) {
        throw Unsupported.INSTANCE; // numbers and blobs would need SQLite's text conversion
      }
      if (y.value().isEmpty()) {
        return x;
      }
      boolean exporterForm =
          (y.value().equals("\\n") && z.value().equals("\n"))
              || (y.value().equals("\\r") && z.value().equals("\r"));
      return new SqlValue.Text(
          x.value().replace(y.value(), z.value()), x.exporterNewlineEscape() || exporterForm, null);
    }

    private SqlValue charCall() {
      List<SqlValue> a = arguments();
      StringBuilder sb = new StringBuilder(a.size());
      for (SqlValue v : a) {
        if (!(v instanceof SqlValue.Int i)) {
          throw Unsupported.INSTANCE;
        }
        long cp = i.value();
        if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          throw Unsupported.INSTANCE; // SQLite would store bytes that are not valid UTF-8
        }
        sb.appendCodePoint((int) cp);
      }
      return new SqlValue.Text(sb.toString());
    }

    private SqlValue unistrCall() {
      List<SqlValue> a = arguments();
      if (a.size() != 1) {
        throw Unsupported.INSTANCE;
      }
      if (a.get(0) instanceof SqlValue.Null) {
        return SqlValue.NULL;
      }
      if (!(a.get(0) instanceof SqlValue.Text t) || t.malformedUtf8()) {
        throw Unsupported.INSTANCE;
      }
      String s = t.value();
      StringBuilder sb = new StringBuilder(s.length());
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        if (i + 1 < s.length() && s.charAt(i + 1) == '\\') {
          sb.append('\\');
          i++;
          continue;
        }
        int digits;
        int from;
        if (i + 1 < s.length() && s.charAt(i + 1) == 'u') {
          digits = 4;
          from = i + 2;
        } else if (i + 1 < s.length() && s.charAt(i + 1) == 'U') {
          digits = 8;
          from = i + 2;
        } else if (i + 1 < s.length() && s.charAt(i + 1) == '+') {
          digits = 6;
          from = i + 2;
        } else {
          digits = 4;
          from = i + 1;
        }
        if (from + digits > s.length()) {
          throw Unsupported.INSTANCE;
        }
        int cp;
        try {
          cp = Integer.parseInt(s.substring(from, from + digits), 16);
        } catch (NumberFormatException e) {
          throw Unsupported.INSTANCE;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          throw Unsupported.INSTANCE;
        }
        sb.appendCodePoint(cp);
        i = from + digits - 1;
      }
      return new SqlValue.Text(sb.toString());
    }

    private SqlValue concat(SqlValue a, SqlValue b) {
      if (a instanceof SqlValue.Null || b instanceof SqlValue.Null) {
        return SqlValue.NULL;
      }
      if (a instanceof SqlValue.Text x && b instanceof SqlValue.Text y
          && !x.malformedUtf8() && !y.malformedUtf8()) {
        return new SqlValue.Text(
            x.value() + y.value(), x.exporterNewlineEscape() || y.exporterNewlineEscape(), null);
      }
      throw Unsupported.INSTANCE; // SQLite's number-to-text rendering is not reproduced here
    }

    private SqlValue numberValue(boolean negative) {
      if (numIsHex) {
        int digits = te - ts - 2;
        if (digits == 0 || digits > 16) {
          throw Unsupported.INSTANCE; // SQLite: "hex literal too big"
        }
        long v = 0;
        for (int i = ts + 2; i < te; i++) {
          v = (v << 4) | Character.digit(buf[i], 16);
        }
        return SqlValue.Int.of(negative ? -v : v);
      }
      if (numIsInteger) {
        // Accumulate negatively so Long.MIN_VALUE (-9223372036854775808) fits, as in SQLite.
        long acc = 0;
        boolean overflow = false;
        for (int i = ts; i < te; i++) {
          int d = buf[i] - '0';
          if (acc < (Long.MIN_VALUE + d) / 10) {
            overflow = true;
            break;
          }
          acc = acc * 10 - d;
        }
        if (!overflow && (negative || acc != Long.MIN_VALUE)) {
          return SqlValue.Int.of(negative ? acc : -acc);
        }
        // Beyond 64 bits SQLite reads an integer literal as REAL; keep the digits.
        String digits = (negative ? "-" : "") + stripLeadingZeros(text());
        return new SqlValue.Real(Double.parseDouble(digits), digits);
      }
      String t = text();
      double d = Double.parseDouble(t);
      return new SqlValue.Real(negative ? -d : d);
    }

    private SqlValue.Blob blob() {
      int from = ts + 2;
      int to = te - 1;
      int n = to - from;
      if ((n & 1) != 0) {
        throw Unsupported.INSTANCE; // SQLite: "malformed hex literal"
      }
      byte[] out = new byte[n / 2];
      for (int i = 0; i < out.length; i++) {
        int hi = Character.digit(buf[from + 2 * i], 16);
        int lo = Character.digit(buf[from + 2 * i + 1], 16);
        if (hi < 0 || lo < 0) {
          throw Unsupported.INSTANCE;
        }
        out[i] = (byte) ((hi << 4) | lo);
      }
      return new SqlValue.Blob(out);
    }

    private SqlValue.Text decodeString() {
      int from = ts + 1;
      int to = te - 1;
      byte[] bytes;
      int off;
      int len;
      if (!strHasQuotes) {
        bytes = buf;
        off = from;
        len = to - from;
      } else {
        bytes = new byte[to - from];
        len = 0;
        for (int i = from; i < to; i++) {
          bytes[len++] = buf[i];
          if (buf[i] == '\'') {
            i++; // '' stands for one quote
          }
        }
        off = 0;
      }
      String s = new String(bytes, off, len, StandardCharsets.UTF_8);
      if (s.indexOf('\uFFFD') >= 0 && !validUtf8(bytes, off, len)) {
        return new SqlValue.Text(s, false, Arrays.copyOfRange(bytes, off, off + len));
      }
      return new SqlValue.Text(s);
    }
  }

  private static String stripLeadingZeros(String digits) {
    int i = 0;
    while (i < digits.length() - 1 && digits.charAt(i) == '0') {
      i++;
    }
    return digits.substring(i);
  }

  private static boolean validUtf8(byte[] b, int off, int len) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, off, len));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHex(byte c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isIdentStart(byte c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c < 0;
  }

  private static boolean isIdentPart(byte c) {
    return isIdentStart(c) || isDigit(c) || c == '$';
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
