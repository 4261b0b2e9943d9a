package dev.lifeline.sandbox;

import java.io.IOException;
import java.io.Writer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * Writes a D1 export: SQL text in exactly the format of Cloudflare's D1 exporter (as mirrored by
 * miniflare's {@code dumpSql.ts} and the wrangler fixture in {@code shared/fixtures/}), including
 * its losses: numbers pass through JavaScript doubles, CR/LF are encoded with {@code replace()}
 * placeholders that collide with literal backslash sequences.
 *
 * <p>Statements are separated by {@code \n} with no trailing newline. Rows are streamed from a
 * cursor straight to the writer, so memory stays constant whatever the database size.
 */
final class D1DumpWriter {

    /** The exporter's refusal for databases with virtual tables (checked before any table filter). */
    static final String VIRTUAL_TABLE_ERROR =
            "D1 Export error: cannot export databases with Virtual Tables (fts5)";

    private static final Pattern QUOTED_CREATE = Pattern.compile("CREATE TABLE ['\"]");
    private static final Pattern SQLITE_STAT = Pattern.compile("^sqlite_stat.");

    /** What the export includes; mirrors the API's {@code dump_options}. */
    record Options(boolean noSchema, boolean noData, List<String> tables) {
        Options {
            tables = tables == null ? List.of() : List.copyOf(tables);
        }

        static Options all() {
            return new Options(false, false, List.of());
        }
    }

    /** Thrown when the dump is refused or cancelled; the message is what the API reports. */
    static final class DumpException extends Exception {
        private static final long serialVersionUID = 1L;

        DumpException(String message) {
            super(message);
        }
    }

    private final Connection connection;
    private final Options options;
    private final BooleanSupplier cancelled;
    private Writer out;
    private long rowsRead;

    D1DumpWriter(Connection connection, Options options, BooleanSupplier cancelled) {
        this.connection = connection;
        this.options = options;
        this.cancelled = cancelled;
    }

    long rowsRead() {
        return rowsRead;
    }

    /** Writes the whole dump; throws {@link DumpException} for virtual tables or cancellation. */
    void write(Writer writer) throws IOException, SQLException, DumpException {
        this.out = writer;
        List<String[]> tables = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT name, type, sql FROM sqlite_schema AS o "
                        + "WHERE (true) AND type=='table' AND sql NOT NULL "
                        + "ORDER BY tbl_name='sqlite_sequence', rowid")) {
            while (rs.next()) {
                tables.add(new String[] {rs.getString(1), rs.getString(3)});
            }
        }
        // Cloudflare's service refuses virtual tables before it applies the table filter, so
        // `--table` does not help (miniflare's local copy filters first; the remote is worse).
        for (String[] t : tables) {
            if (t[1].startsWith("CREATE VIRTUAL TABLE")) {
                throw new DumpException(VIRTUAL_TABLE_ERROR);
            }
        }
        Set<String> filter = new HashSet<>(options.tables());
        writer.write("PRAGMA defer_foreign_keys=TRUE;");
        for (String[] t : tables) {
            String table = t[0];
            String sql = t[1];
            if (!filter.isEmpty() && !filter.contains(table)) {
                continue;
            }
            if (table.equals("sqlite_sequence")) {
                if (!options.noSchema()) {
                    line("DELETE FROM sqlite_sequence;");
                }
            } else if (SQLITE_STAT.matcher(table).find()) {
                if (!options.noSchema()) {
                    line("ANALYZE sqlite_schema;");
                }
            } else if (table.startsWith("_cf_") || table.startsWith("sqlite_")) {
                continue;
            } else if (!options.noSchema()) {
                if (QUOTED_CREATE.matcher(sql).find()) {
                    line("CREATE TABLE IF NOT EXISTS " + sql.substring(13) + ";");
                } else {
                    line(sql + ";");
                }
            }
            if (options.noData()) {
                continue;
            }
            writeRows(table);
        }
        if (!options.noSchema()) {
            try (Statement st = connection.createStatement();
                    ResultSet rs = st.executeQuery("SELECT name, sql FROM sqlite_schema AS o "
                            + "WHERE (true) AND sql NOT NULL AND type IN ('index', 'trigger', 'view') "
                            + "ORDER BY type COLLATE NOCASE")) {
                while (rs.next()) {
                    if (!filter.isEmpty() && !filter.contains(rs.getString(1))) {
                        continue;
                    }
                    line(rs.getString(2) + ";");
                }
            }
        }
    }

    private void writeRows(String table) throws SQLException, IOException, DumpException {
        List<String> columns = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA table_info=" + escapeId(table))) {
            while (rs.next()) {
                columns.add(rs.getString("name"));
            }
        }
        StringBuilder select = new StringBuilder("SELECT ");
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                select.append(", ");
                names.append(',');
            }
            select.append(escapeId(columns.get(i)));
            names.append(escapeId(columns.get(i)));
        }
        select.append(" FROM ").append(escapeId(table)).append(';');
        String prefix = "INSERT INTO " + escapeId(table) + " (" + names + ") VALUES(";
        StringBuilder row = new StringBuilder(256);
        try (PreparedStatement ps = connection.prepareStatement(select.toString());
                ResultSet rs = ps.executeQuery()) {
            int n = columns.size();
            while (rs.next()) {
                if ((++rowsRead & 1023) == 0 && cancelled.getAsBoolean()) {
                    throw new DumpException("cancelled");
                }
                row.setLength(0);
                row.append(prefix);
                for (int i = 1; i <= n; i++) {
                    if (i > 1) {
                        row.append(',');
                    }
                    appendCell(row, rs.getObject(i));
                }
                row.append(");");
                line(row);
            }
        }
    }

    static void appendCell(StringBuilder row, Object cell) {
        if (cell == null) {
            row.append("NULL");
        } else if (cell instanceof Long || cell instanceof Integer) {
            row.append(JsNumbers.ofLong(((Number) cell).longValue()));
        } else if (cell instanceof Double || cell instanceof Float) {
            row.append(JsNumbers.ofDouble(((Number) cell).doubleValue()));
        } else if (cell instanceof byte[]) {
            byte[] bytes = (byte[]) cell;
            row.append("X'");
            for (byte b : bytes) {
                row.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            row.append('\'');
        } else {
            row.append(quotedEscapedString(cell.toString()));
        }
    }

    /**
     * The exporter's string literal: {@code ''} escaping, and CR/LF replaced by the literal
     * placeholders {@code \n} / {@code \r} inside {@code replace(...)} calls. The placeholders are
     * used even when the text already contains them (as wrangler 4.164's exporter does, see the
     * fixture), which is a silent loss: {@code C:\new} plus a newline cannot be told apart from
     * {@code C:} newline {@code ew} on re-import.
     */
    static String quotedEscapedString(String value) {
        boolean hasNewline = value.indexOf('\n') >= 0;
        boolean hasCarriageReturn = value.indexOf('\r') >= 0;
        if (!hasNewline && !hasCarriageReturn) {
            return "'" + value.replace("'", "''") + "'";
        }
        String escaped = value.replace("'", "''").replace("\n", "\\n").replace("\r", "\\r");
        String output = "'" + escaped + "'";
        if (hasCarriageReturn) {
            output = "replace(" + output + ",'\\r',char(13))";
        }
        if (hasNewline) {
            output = "replace(" + output + ",'\\n',char(10))";
        }
        return output;
    }

    static String escapeId(String id) {
        return "\"" + id.replace("\"", "\"\"") + "\"";
    }

    private void line(CharSequence statement) throws IOException {
        out.write('\n');
        out.append(statement);
    }
}
