package dev.lifeline.sandbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Steps a statement's result set to completion so statements with RETURNING clauses finish their writes. */
final class ResultSetDrain {
    private ResultSetDrain() {
    }

    static void drain(Statement st) throws SQLException {
        ResultSet rs = st.getResultSet();
        if (rs != null) {
            try (rs) {
                while (rs.next()) {
                    // discard
                }
            }
        }
    }
}
