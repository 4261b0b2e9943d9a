package dev.lifeline.activities.backup;

import dev.lifeline.activities.crypto.BackupIntegrityException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Loads a SQL dump ({@link DumpParser}'s formats) into a new local SQLite file, fast and
 * type-exactly: every value is bound with the storage class SQLite would give its literal (INTEGER
 * stays INTEGER, REAL stays REAL, {@code 1.0} is not {@code 1}, TEXT and BLOB are byte-exact), so
 * the file equals what {@code sqlite3 new.db < dump.sql} would build.
 *
 * <p>How it is fast: the dump is parsed on a second thread while SQLite inserts on the caller's;
 * rows go through one cached prepared statement per (table, column list) in JDBC batches instead of
 * being compiled statement by statement; everything runs in one transaction with SQLite's journal
 * and fsyncs off during the load (the file is new, so there is nothing to protect until it is
 * complete); plain indexes the dump creates before its data are created after it. DDL and every
 * statement the parser does not take apart run as SQL. The dump's own {@code BEGIN}/{@code COMMIT}
 * are ignored (the loader owns the transaction); a {@code ROLLBACK} (what {@code sqlite3 .dump}
 * writes after errors) fails the load.
 *
 * <p>Memory is bounded by the page cache ({@link LoadOptions#cacheMebibytes()}), the parse-ahead
 * queue and the largest statement, not by the dump. Checkpointed loads ({@link
 * LoadOptions#checkpointEveryBytes()}) commit periodically in WAL mode and can {@link #resume}
 * after a crash of the process. Not thread-safe per call; separate calls are independent.
 *
 * <p>Idempotency: {@link #load} refuses an existing target file, so a retried activity deletes its
 * staging file first (or resumes it from the heartbeat's checkpoint).
 */
public final class SqliteLoader {
  private static final int STATEMENT_CACHE = 128;
  private static final int QUEUE_BATCHES = 4;
  private static final int BATCH_STATEMENTS = 1024;
  private static final long BATCH_BYTES = 1L << 20;

  /**
   * Loads {@code dump} into {@code database}, which must not exist.
   *
   * @throws DumpLoadException when SQLite refuses a statement, the dump is malformed or rolls back
   * @throws BackupIntegrityException passed through from a verifying source ({@link
   *     VerifiedPlaintext}): the staging file must then be discarded
   */
  public LoadResult load(
      InputStream dump, Path database, LoadOptions options, LoadProgressListener listener) {
    Objects.requireNonNull(dump, "dump");
    requireNew(database);
    LoadOptions o = options == null ? LoadOptions.defaults() : options;
    DumpParser parser = DumpParser.open(dump, DumpPosition.START, o.maxStatementBytes());
    return run(parser, database, o, listener, null);
  }

  /** As {@link #load(InputStream, Path, LoadOptions, LoadProgressListener)} from a file. */
  public LoadResult load(Path dumpFile, Path database, LoadOptions options, LoadProgressListener listener) {
    try {
      return load(Files.newInputStream(dumpFile), database, options, listener);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dumpFile, e);
    }
  }

  /**
   * Continues a checkpointed load of {@code dumpFile} into {@code database} from {@code checkpoint}
   * (the last one {@link LoadProgressListener#onCheckpoint} reported). The file's row counts must
   * equal the checkpoint's, else the load is refused: delete the file and load from the start.
   */
  public LoadResult resume(
      Path dumpFile,
      Path database,
      LoadCheckpoint checkpoint,
      LoadOptions options,
      LoadProgressListener listener) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    LoadOptions o = options == null ? LoadOptions.defaults() : options;
    if (o.checkpointEveryBytes() <= 0) {
      throw new IllegalArgumentException("resume needs a checkpointed load (checkpointEveryBytes > 0)");
    }
    if (!Files.isRegularFile(database)) {
      throw new DumpLoadException("cannot resume: " + database + " does not exist; load from the start",
          checkpoint.position(), null);
    }
    try {
      FileChannel ch = FileChannel.open(dumpFile, StandardOpenOption.READ);
      ch.position(checkpoint.position().byteOffset());
      DumpParser parser =
          DumpParser.open(Channels.newInputStream(ch), checkpoint.position(), o.maxStatementBytes());
      return run(parser, database, o, listener, checkpoint);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dumpFile, e);
    }
  }

  private static void requireNew(Path database) {
    try {
      if (Files.exists(database) && Files.size(database) > 0) {
        throw new DumpLoadException(
            database + " already exists; the loader only builds new files (delete it to reload)",
            null, null);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private LoadResult run(
      DumpParser parser,
      Path database,
      LoadOptions o,
      LoadProgressListener listener,
      LoadCheckpoint resumeFrom) {
    long t0 = System.nanoTime();
    LoadProgressListener l = listener == null ? LoadProgressListener.NONE : listener;
    StatementSource source = o.parseAhead() ? new ParseAhead(parser) : new Direct(parser);
    try (source;
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath())) {
      Session s = new Session(c, o, l, resumeFrom);
      s.configure();
      Parsed p;
      while ((p = source.next()) != null) {
        s.apply(p);
      }
      s.finish(source.bytesRead());
      return new LoadResult(database, s.statements, s.rows, Map.copyOf(s.rowsPerTable),
          source.bytesRead(), Duration.ofNanos(System.nanoTime() - t0));
    } catch (SQLException e) {
      throw new DumpLoadException("SQLite failed: " + e.getMessage(), null, e);
    } catch (DumpFormatException e) {
      throw new DumpLoadException("the dump is malformed: " + e.getMessage(), null, e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the dump failed", e);
    }
  }

  /** A statement and the position right after it (where a resume would start). */
  private record Parsed(DumpStatement statement, DumpPosition after) {}

  // ------------------------------------------------------------------ the loading session

  private static final class Session {
    private final Connection c;
    private final LoadOptions o;
    private final LoadProgressListener listener;
    private final Statement sql;
    private final Map<String, Long> rowsPerTable = new LinkedHashMap<>();
    private final List<String> deferred = new ArrayList<>();
    private final Map<InsertKey, PreparedStatement> prepared =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<InsertKey, PreparedStatement> e) {
            if (size() > STATEMENT_CACHE) {
              closeQuietly(e.getValue());
              return true;
            }
            return false;
          }
        };
    private final boolean checkpointed;
    private InsertKey batchKey;
    private PreparedStatement batch;
    private int batchRowsPending;
    private DumpPosition batchFrom;
    private long statements;
    private long rows;
    private boolean inBlock;
    private long nextProgress;
    private long nextCheckpoint;

    Session(Connection c, LoadOptions o, LoadProgressListener listener, LoadCheckpoint from)
        throws SQLException {
      this.c = c;
      this.o = o;
      this.listener = listener;
      this.sql = c.createStatement();
      this.checkpointed = o.checkpointEveryBytes() > 0;
      long start = from == null ? 0 : from.position().byteOffset();
      this.nextProgress = start + o.progressEveryBytes();
      this.nextCheckpoint = start + o.checkpointEveryBytes();
      if (from != null) {
        rowsPerTable.putAll(from.rowsPerTable());
        deferred.addAll(from.deferredIndexSql());
        inBlock = from.inTransactionBlock();
        for (long n : from.rowsPerTable().values()) {
          rows += n;
        }
        verifyAgainst(from);
      }
    }

    void configure() throws SQLException {
      if (checkpointed) {
        // WAL: a crash loses only the uncommitted tail, so a checkpoint stays a valid resume point.
        sql.execute("PRAGMA journal_mode=WAL");
      } else {
        // A new file has nothing to protect until it is complete: no journal, no fsync.
        sql.execute("PRAGMA journal_mode=OFF");
        sql.execute("PRAGMA locking_mode=EXCLUSIVE");
      }
      sql.execute("PRAGMA synchronous=OFF");
      sql.execute("PRAGMA cache_size=-" + (o.cacheMebibytes() * 1024L));
      // Dumps are written to be loaded with foreign keys off (sqlite3 says so, D1 defers them);
      // foreign_key_check runs afterwards as part of the census.
      sql.execute("PRAGMA foreign_keys=OFF");
      c.setAutoCommit(false);
    }

    private void verifyAgainst(LoadCheckpoint from) throws SQLException {
      for (Map.Entry<String, Long> e : from.rowsPerTable().entrySet()) {
        long actual;
        try (ResultSet rs = sql.executeQuery("SELECT count(*) FROM " + quote(e.getKey()))) {
          rs.next();
          actual = rs.getLong(1);
        }
        if (actual != e.getValue()) {
          throw new DumpLoadException(
              "cannot resume: table " + e.getKey() + " has " + actual + " rows but the checkpoint"
                  + " recorded " + e.getValue() + "; delete the staging file and load from the start",
              from.position(), null);
        }
      }
    }

    void apply(Parsed p) throws SQLException {
      DumpStatement st = p.statement();
      statements++;
      if (st instanceof DumpStatement.Insert ins) {
        insert(ins);
      } else {
        other((DumpStatement.Sql) st);
      }
      long at = p.after().byteOffset();
      if (at >= nextProgress) {
        nextProgress = at + o.progressEveryBytes();
        listener.onProgress(new LoadProgress(p.after(), rows));
      }
      if (checkpointed && at >= nextCheckpoint) {
        nextCheckpoint = at + o.checkpointEveryBytes();
        flushBatch();
        c.commit();
        listener.onCheckpoint(new LoadCheckpoint(p.after(), rowsPerTable, deferred, inBlock));
      }
    }

    private void insert(DumpStatement.Insert ins) throws SQLException {
      int arity = ins.rows().get(0).size();
      InsertKey key = new InsertKey(ins.schema(), ins.table(), ins.columns(), ins.conflictAction(), arity);
      if (!key.equals(batchKey)) {
        flushBatch();
        batchKey = key;
        batch = prepared.get(key);
        if (batch == null) {
          try {
            batch = c.prepareStatement(key.sql(null));
          } catch (SQLException e) {
            batchKey = null;
            throw failed("inserting rows into " + ins.table(), ins.position(), e);
          }
          prepared.put(key, batch);
        }
        batchFrom = ins.position();
      }
      for (List<SqlValue> row : ins.rows()) {
        if (hasMalformedText(row)) {
          flushBatch();
          insertWithRawText(key, row, ins.position());
          continue;
        }
        for (int i = 0; i < arity; i++) {
          bind(batch, i + 1, row.get(i));
        }
        batch.addBatch();
        if (batchRowsPending++ == 0) {
          batchFrom = ins.position();
        }
        if (batchRowsPending >= o.batchRows()) {
          flushBatch();
        }
      }
      int n = ins.rows().size();
      rows += n;
      rowsPerTable.merge(ins.table(), (long) n, Long::sum);
    }

    /** SQLite keeps invalid UTF-8 in TEXT as is; JDBC strings cannot carry it, a cast can. */
    private void insertWithRawText(InsertKey key, List<SqlValue> row, DumpPosition at)
        throws SQLException {
      boolean[] raw = new boolean[row.size()];
      for (int i = 0; i < raw.length; i++) {
        raw[i] = row.get(i) instanceof SqlValue.Text t && t.malformedUtf8();
      }
      try (PreparedStatement ps = c.prepareStatement(key.sql(raw))) {
        for (int i = 0; i < raw.length; i++) {
          if (raw[i]) {
            ps.setBytes(i + 1, ((SqlValue.Text) row.get(i)).utf8());
          } else {
            bind(ps, i + 1, row.get(i));
          }
        }
        ps.executeUpdate();
      } catch (SQLException e) {
        throw failed("inserting a row into " + key.table(), at, e);
      }
    }

    private static boolean hasMalformedText(List<SqlValue> row) {
      for (SqlValue v : row) {
        if (v instanceof SqlValue.Text t && t.utf8() != null) {
          return true;
        }
      }
      return false;
    }

    private static void bind(PreparedStatement ps, int i, SqlValue v) throws SQLException {
      if (v instanceof SqlValue.Text t) {
        ps.setString(i, t.value());
      } else if (v instanceof SqlValue.Int n) {
        ps.setLong(i, n.value());
      } else if (v instanceof SqlValue.Null) {
        ps.setNull(i, Types.NULL);
      } else if (v instanceof SqlValue.Real r) {
        ps.setDouble(i, r.value());
      } else {
        ps.setBytes(i, ((SqlValue.Blob) v).bytes());
      }
    }

    private void flushBatch() throws SQLException {
      if (batchRowsPending == 0) {
        return;
      }
      try {
        batch.executeBatch();
      } catch (SQLException e) {
        throw failed("inserting rows into " + batchKey.table(), batchFrom, e);
      } finally {
        batchRowsPending = 0;
      }
    }

    private void other(DumpStatement.Sql st) throws SQLException {
      flushBatch();
      switch (st.kind()) {
        case BEGIN -> inBlock = true;
        case COMMIT -> inBlock = false;
        case ROLLBACK -> throw new DumpLoadException(
            "the dump rolls back its transaction at line " + st.position().line()
                + ": `sqlite3 .dump` writes ROLLBACK when it met errors, so this dump is incomplete",
            st.position(), null);
        case PRAGMA -> {
          if (!controlsDurability(st.sql())) {
            exec(st);
          }
        }
        case CREATE_INDEX -> {
          if (o.deferIndexes()) {
            deferred.add(st.sql());
          } else {
            exec(st);
          }
        }
        case INSERT -> {
          int changed = exec(st);
          rows += Math.max(changed, 0);
          if (st.objectName() != null) {
            rowsPerTable.merge(st.objectName(), (long) Math.max(changed, 0), Long::sum);
          }
        }
        case CREATE_TABLE, CREATE_UNIQUE_INDEX, CREATE_VIEW, DELETE -> exec(st);
        default -> {
          // Anything that might use or drop an index (ANALYZE, triggers, DROP, UPDATE, ...) sees
          // the deferred ones first.
          createDeferredIndexes();
          exec(st);
        }
      }
    }

    /** The loader sets journal and fsync behaviour itself; a dump's settings would undo that. */
    private static boolean controlsDurability(String pragma) {
      String p = pragma.toLowerCase(Locale.ROOT).replace(" ", "");
      return p.startsWith("pragmajournal_mode") || p.startsWith("pragmasynchronous")
          || p.startsWith("pragmalocking_mode") || p.startsWith("pragmamain.journal_mode");
    }

    private int exec(DumpStatement.Sql st) throws SQLException {
      try {
        sql.execute(st.sql());
        return sql.getUpdateCount();
      } catch (SQLException e) {
        throw failed(st.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ')
            + (st.objectName() != null ? " " + st.objectName() : ""), st.position(), e);
      }
    }

    private void createDeferredIndexes() throws SQLException {
      for (Iterator<String> it = deferred.iterator(); it.hasNext(); ) {
        String ddl = it.next();
        try {
          sql.execute(ddl);
        } catch (SQLException e) {
          throw new DumpLoadException("creating a deferred index failed: " + e.getMessage(), null, e);
        }
        it.remove();
      }
    }

    void finish(long bytes) throws SQLException {
      flushBatch();
      createDeferredIndexes();
      for (PreparedStatement ps : prepared.values()) {
        closeQuietly(ps);
      }
      c.commit();
      c.setAutoCommit(true);
      // Back to SQLite's normal, durable settings for whoever opens the file next.
      if (checkpointed) {
        sql.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
      sql.execute("PRAGMA journal_mode=DELETE");
      sql.execute("PRAGMA synchronous=FULL");
      sql.close();
      listener.onProgress(new LoadProgress(new DumpPosition(statements, bytes, 1), rows));
    }

    private static DumpLoadException failed(String what, DumpPosition at, SQLException e) {
      // The SQLite message names constraints and columns, never the bound values.
      return new DumpLoadException(
          what + " failed at line " + (at == null ? "?" : at.line()) + " of the dump: "
              + e.getMessage(), at, e);
    }
  }

  private static void closeQuietly(PreparedStatement ps) {
    try {
      ps.close();
    } catch (SQLException ignored) {
      // Closing a prepared statement of a finished load.
    }
  }

  /** Identifies one prepared INSERT. */
  private record InsertKey(
      String schema, String table, List<String> columns, String conflict, int arity) {

    /** The INSERT with {@code ?} placeholders; {@code castToText[i]} wraps one in a cast. */
    String sql(boolean[] castToText) {
      StringBuilder sb = new StringBuilder("INSERT ");
      if (conflict != null) {
        if (!conflict.matches("[A-Z]+")) {
          throw new IllegalArgumentException("invalid conflict action");
        }
        sb.append("OR ").append(conflict).append(' ');
      }
      sb.append("INTO ");
      if (schema != null) {
        sb.append(quote(schema)).append('.');
      }
      sb.append(quote(table));
      if (!columns.isEmpty()) {
        sb.append(" (");
        for (int i = 0; i < columns.size(); i++) {
          sb.append(i == 0 ? "" : ",").append(quote(columns.get(i)));
        }
        sb.append(')');
      }
      sb.append(" VALUES (");
      for (int i = 0; i < arity; i++) {
        sb.append(i == 0 ? "" : ",");
        sb.append(castToText != null && castToText[i] ? "CAST(? AS TEXT)" : "?");
      }
      return sb.append(')').toString();
    }
  }

  /** A SQLite identifier in double quotes; embedded quotes doubled, NUL refused. */
  static String quote(String identifier) {
    if (identifier.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("identifier contains a NUL character");
    }
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  // ------------------------------------------------------------------ statement sources

  private interface StatementSource extends AutoCloseable {
    Parsed next() throws IOException;

    long bytesRead();

    @Override
    void close() throws IOException;
  }

  private static final class Direct implements StatementSource {
    private final DumpParser parser;

    Direct(DumpParser parser) {
      this.parser = parser;
    }

    @Override
    public Parsed next() throws IOException {
      DumpStatement s = parser.next();
      return s == null ? null : new Parsed(s, parser.position());
    }

    @Override
    public long bytesRead() {
      return parser.bytesConsumed();
    }

    @Override
    public void close() throws IOException {
      parser.close();
    }
  }

  /**
   * Parses on a second thread into a small queue of statement batches (at most {@code
   * QUEUE_BATCHES} of {@code BATCH_STATEMENTS} statements or {@code BATCH_BYTES} of dump), so
   * parsing overlaps with SQLite's inserts on the caller's thread.
   */
  private static final class ParseAhead implements StatementSource {
    private static final List<Parsed> END = List.of();
    private final DumpParser parser;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_BATCHES);
    private final Thread thread;
    private volatile boolean stopped;
    private volatile long bytes;
    private List<Parsed> current = List.of();
    private int index;
    private boolean done;

    ParseAhead(DumpParser parser) {
      this.parser = parser;
      this.thread = new Thread(this::produce, "dump-parser");
      thread.setDaemon(true);
      thread.start();
    }

    private void produce() {
      try {
        List<Parsed> batch = new ArrayList<>(BATCH_STATEMENTS);
        long batchStart = parser.bytesConsumed();
        DumpStatement s;
        while ((s = parser.next()) != null) {
          batch.add(new Parsed(s, parser.position()));
          if (batch.size() >= BATCH_STATEMENTS || parser.bytesConsumed() - batchStart >= BATCH_BYTES) {
            put(batch);
            batch = new ArrayList<>(BATCH_STATEMENTS);
            batchStart = parser.bytesConsumed();
          }
        }
        put(batch);
        put(END);
      } catch (Throwable t) {
        try {
          put(t);
        } catch (InterruptedException ignored) {
          // The consumer stopped; nobody is waiting for the failure.
        }
      }
    }

    private void put(Object o) throws InterruptedException {
      while (!stopped) {
        if (queue.offer(o, 50, TimeUnit.MILLISECONDS)) {
          return;
        }
      }
      throw new InterruptedException("stopped");
    }

    @Override
    @SuppressWarnings("unchecked")
    public Parsed next() throws IOException {
      while (index >= current.size()) {
        if (done) {
          return null;
        }
        Object o;
        try {
          o = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while loading");
        }
        if (o instanceof Throwable t) {
          done = true;
          if (t instanceof IOException io) {
            throw io;
          }
          if (t instanceof RuntimeException re) {
            throw re;
          }
          throw (Error) t;
        }
        current = (List<Parsed>) o;
        index = 0;
        if (current == END) {
          done = true;
          return null;
        }
      }
      Parsed p = current.get(index++);
      bytes = p.after().byteOffset();
      return p;
    }

    @Override
    public long bytesRead() {
      return Math.max(bytes, done ? parser.bytesConsumed() : bytes);
    }

    @Override
    public void close() throws IOException {
      stopped = true;
      thread.interrupt();
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      parser.close();
    }
  }
}
