package dev.lifeline.activities.backup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Stands in for D1's {@code /raw} API over a local SQLite connection: params are bound as strings
 * (D1's REST API types them so), values come back as JSON would carry them.
 */
final class JdbcSource implements LossyExportDetector.SourceQuery {
  private final Connection c;
  final List<String> statements = new ArrayList<>();

  JdbcSource(Connection c) {
    this.c = c;
  }

  @Override
  public List<List<Object>> rows(String sql, List<String> params) {
    statements.add(sql);
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        ps.setString(i + 1, params.get(i));
      }
      List<List<Object>> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<Object> row = new ArrayList<>(n);
          for (int i = 1; i <= n; i++) {
            row.add(rs.getObject(i));
          }
          out.add(row);
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage() + " in: " + sql, e);
    }
  }
}
