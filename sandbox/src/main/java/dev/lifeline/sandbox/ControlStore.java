package dev.lifeline.sandbox;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * The sandbox's own bookkeeping database ({@code sandbox.sqlite3} in the data directory): D1
 * database records and restore points, KV namespaces and entries, R2 bucket attributes, Worker
 * scripts, versions and deployments. Durable, so a sandbox reopened on the same data directory
 * (embedded dev mode) finds its account as it left it.
 *
 * <p>One connection, every call synchronized: the sandbox's bookkeeping is small and this keeps
 * it simple and consistent.
 */
final class ControlStore implements AutoCloseable {

    private static final String[] SCHEMA = {
        "CREATE TABLE IF NOT EXISTS settings(name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS d1_databases(uuid TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                + " version TEXT NOT NULL, created_at INTEGER NOT NULL, location_hint TEXT,"
                + " jurisdiction TEXT, read_replication TEXT NOT NULL DEFAULT 'disabled')",
        "CREATE TABLE IF NOT EXISTS d1_points(db_uuid TEXT NOT NULL, seq INTEGER NOT NULL,"
                + " bookmark TEXT NOT NULL UNIQUE, at_ms INTEGER NOT NULL, counter INTEGER NOT NULL,"
                + " PRIMARY KEY(db_uuid, seq))",
        "CREATE TABLE IF NOT EXISTS kv_namespaces(id TEXT PRIMARY KEY, title TEXT NOT NULL UNIQUE,"
                + " created_seq INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS kv_entries(namespace_id TEXT NOT NULL, key TEXT NOT NULL,"
                + " value BLOB NOT NULL, metadata TEXT, expiration INTEGER,"
                + " PRIMARY KEY(namespace_id, key)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS r2_buckets(name TEXT PRIMARY KEY, location TEXT NOT NULL,"
                + " storage_class TEXT NOT NULL, jurisdiction TEXT NOT NULL, created_at INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS worker_scripts(name TEXT PRIMARY KEY, created_at INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS worker_versions(id TEXT PRIMARY KEY, script TEXT NOT NULL,"
                + " number INTEGER NOT NULL, created_at INTEGER NOT NULL, detail TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS worker_deployments(id TEXT PRIMARY KEY, script TEXT NOT NULL,"
                + " seq INTEGER NOT NULL, created_at INTEGER NOT NULL, body TEXT NOT NULL)",
    };

    private final Connection connection;

    ControlStore(Path file) {
        try {
            SQLiteConfig config = new SQLiteConfig();
            config.setBusyTimeout(10_000);
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            connection = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
            try (Statement st = connection.createStatement()) {
                for (String ddl : SCHEMA) {
                    st.execute(ddl);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the sandbox control database " + file, e);
        }
    }

    /** Maps one result row. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Work inside one transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(ControlStore store) throws SQLException;
    }

    synchronized <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, args);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("control store query failed: " + sql, e);
        }
    }

    <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
        List<T> rows = query(sql, mapper, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    synchronized int update(String sql, Object... args) {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("control store update failed: " + sql, e);
        }
    }

    /** Runs {@code work} in one transaction; rolls back if it throws. */
    synchronized <T> T inTransaction(Work<T> work) {
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.run(this);
                connection.commit();
                return result;
            } catch (RuntimeException | SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("control store transaction failed", e);
        }
    }

    Optional<String> setting(String name) {
        return queryOne("SELECT value FROM settings WHERE name = ?", rs -> rs.getString(1), name);
    }

    void setting(String name, String value) {
        update("INSERT INTO settings(name, value) VALUES(?, ?) "
                + "ON CONFLICT(name) DO UPDATE SET value = excluded.value", name, value);
    }

    static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // Closing at shutdown: nothing left to protect.
        }
    }
}
