package dev.lifeline.activities.backups;

import dev.lifeline.activities.backup.BackupReader;
import dev.lifeline.activities.backup.VerifiedPlaintext;
import dev.lifeline.activities.crypto.BackupKeys;
import dev.lifeline.activities.crypto.DataKey;
import dev.lifeline.activities.s3.ObjectStore;
import dev.lifeline.workflows.backup.BackupManifest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Replays a KV backup chain (a full backup, then its incrementals) into a local SQLite table, each
 * object checked before it is decrypted, so the namespace state at the last backup can be
 * verified or restored without holding it in memory.
 */
final class KvChainReplay implements AutoCloseable {
  private final Connection db;
  private long records;

  private KvChainReplay(Connection db) {
    this.db = db;
  }

  /** Replays {@code chain} into a new SQLite file at {@code file}. */
  static KvChainReplay replay(List<BackupManifest> chain, ObjectStore store, BackupKeys keys, Path workDir, Path file,
      LongConsumer progress) {
    try {
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA journal_mode = OFF");
        st.execute("PRAGMA synchronous = OFF");
        st.execute("CREATE TABLE kv(key TEXT PRIMARY KEY, value BLOB NOT NULL, metadata TEXT, expiration INTEGER)");
      }
      c.setAutoCommit(false);
      KvChainReplay r = new KvChainReplay(c);
      for (BackupManifest m : chain) {
        r.apply(m, store, keys, workDir, progress);
      }
      c.commit();
      return r;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot replay the KV chain locally: " + e.getMessage(), e);
    }
  }

  private void apply(BackupManifest m, ObjectStore store, BackupKeys keys, Path workDir, LongConsumer progress)
      throws SQLException {
    DataKey dataKey = keys.unwrap(BackupActivitiesImpl.wrapped(m.data()), BackupActivitiesImpl.aad(m.backupId()));
    try (VerifiedPlaintext plaintext = new BackupReader().open(store, m.data().key(),
            BackupActivitiesImpl.expected(m.data()), dataKey,
            BackupActivitiesImpl.aad(m.backupId(), BackupActivitiesImpl.objectName(m.data())), workDir);
        BufferedReader in = new BufferedReader(new InputStreamReader(plaintext.openStream(), StandardCharsets.UTF_8));
        PreparedStatement put = db.prepareStatement(
            "INSERT INTO kv(key, value, metadata, expiration) VALUES(?, ?, ?, ?)"
                + " ON CONFLICT(key) DO UPDATE SET value = excluded.value, metadata = excluded.metadata,"
                + " expiration = excluded.expiration");
        PreparedStatement del = db.prepareStatement("DELETE FROM kv WHERE key = ?")) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isEmpty()) {
          continue;
        }
        KvRecords.Entry e = KvRecords.parse(line);
        if (e.value() == null) {
          del.setString(1, e.key());
          del.executeUpdate();
        } else {
          put.setString(1, e.key());
          put.setBytes(2, e.value());
          put.setString(3, e.metadata() == null || e.metadata().isNull() ? null : e.metadata().toString());
          if (e.expiration() == null) {
            put.setNull(4, java.sql.Types.INTEGER);
          } else {
            put.setLong(4, e.expiration());
          }
          put.executeUpdate();
        }
        if (++records % 10_000 == 0) {
          progress.accept(records);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Keys in the replayed state. */
  long keyCount() throws SQLException {
    try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM kv")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** SHA-256 of the index the replayed state would have, in the index format. */
  String indexSha256() throws SQLException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    forEach(e -> sha.update(KvRecords.indexLine(e.key(), KvRecords.hash(e)).getBytes(StandardCharsets.UTF_8)));
    return HexFormat.of().formatHex(sha.digest());
  }

  /** Every entry in key order (SQLite compares TEXT bytewise, which is UTF-8 order). */
  void forEach(java.util.function.Consumer<KvRecords.Entry> action) throws SQLException {
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT key, value, metadata, expiration FROM kv ORDER BY key")) {
      while (rs.next()) {
        String metadata = rs.getString(3);
        long exp = rs.getLong(4);
        Long expiration = rs.wasNull() ? null : exp;
        try {
          action.accept(new KvRecords.Entry(rs.getString(1), rs.getBytes(2),
              metadata == null ? null : KvRecords.JSON.readTree(metadata), expiration));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /**
   * Every entry in key order, pulled one at a time (for a merge with another ordered listing);
   * close it when done.
   */
  Cursor cursor() throws SQLException {
    return new Cursor(db.createStatement());
  }

  /** Entries in key order. */
  static final class Cursor implements AutoCloseable {
    private final Statement st;
    private final ResultSet rs;
    private KvRecords.Entry head;
    private boolean done;

    private Cursor(Statement st) throws SQLException {
      this.st = st;
      this.rs = st.executeQuery("SELECT key, value, metadata, expiration FROM kv ORDER BY key");
    }

    /** The next entry without consuming it, or null at the end. */
    KvRecords.Entry peek() throws SQLException {
      if (head == null && !done) {
        if (rs.next()) {
          String metadata = rs.getString(3);
          long exp = rs.getLong(4);
          Long expiration = rs.wasNull() ? null : exp;
          try {
            head = new KvRecords.Entry(rs.getString(1), rs.getBytes(2),
                metadata == null ? null : KvRecords.JSON.readTree(metadata), expiration);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        } else {
          done = true;
        }
      }
      return head;
    }

    /** The next entry, consumed, or null at the end. */
    KvRecords.Entry next() throws SQLException {
      KvRecords.Entry e = peek();
      head = null;
      return e;
    }

    @Override
    public void close() throws SQLException {
      st.close();
    }
  }

  /** The entry for {@code key}, or null. */
  KvRecords.Entry get(String key) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement("SELECT key, value, metadata, expiration FROM kv WHERE key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        String metadata = rs.getString(3);
        long exp = rs.getLong(4);
        Long expiration = rs.wasNull() ? null : exp;
        return new KvRecords.Entry(rs.getString(1), rs.getBytes(2),
            metadata == null ? null : KvRecords.JSON.readTree(metadata), expiration);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public void close() {
    try {
      db.close();
    } catch (SQLException e) {
      // Closing a read-only staging database: nothing left to save.
    }
  }
}
