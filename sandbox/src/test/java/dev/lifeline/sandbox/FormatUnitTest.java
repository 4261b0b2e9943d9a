package dev.lifeline.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FormatUnitTest {

    @Test
    void numbersPrintAsJavaScriptWould() {
        assertThat(JsNumbers.ofLong(9223372036854775807L)).isEqualTo("9223372036854776000");
        assertThat(JsNumbers.ofLong(-9223372036854775808L)).isEqualTo("-9223372036854776000");
        assertThat(JsNumbers.ofLong(9007199254740993L)).isEqualTo("9007199254740992");
        assertThat(JsNumbers.ofLong(9007199254740991L)).isEqualTo("9007199254740991");
        assertThat(JsNumbers.ofDouble(1e300)).isEqualTo("1e+300");
        assertThat(JsNumbers.ofDouble(0.1)).isEqualTo("0.1");
        assertThat(JsNumbers.ofDouble(2.5)).isEqualTo("2.5");
        assertThat(JsNumbers.ofDouble(3.0)).isEqualTo("3");
        assertThat(JsNumbers.ofDouble(1e21)).isEqualTo("1e+21");
        assertThat(JsNumbers.ofDouble(1e20)).isEqualTo("100000000000000000000");
        assertThat(JsNumbers.ofDouble(1.5e-7)).isEqualTo("1.5e-7");
        assertThat(JsNumbers.ofDouble(0.000001)).isEqualTo("0.000001");
        assertThat(JsNumbers.ofDouble(-0.0)).isEqualTo("0");
        assertThat(JsNumbers.ofDouble(5e-324)).isEqualTo("5e-324");
        assertThat(JsNumbers.ofDouble(1.7976931348623157e308)).isEqualTo("1.7976931348623157e+308");
        assertThat(JsNumbers.ofDouble(123.456)).isEqualTo("123.456");
    }

    @Test
    void stringsUseTheExportersEscaping() {
        assertThat(D1DumpWriter.quotedEscapedString("O'Brien")).isEqualTo("'O''Brien'");
        assertThat(D1DumpWriter.quotedEscapedString("a\r\nb")).isEqualTo("replace(replace('a\\r\\nb','\\r',char(13)),'\\n',char(10))");
    }

    static List<String> split(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (SqlStatementReader r = new SqlStatementReader(new StringReader(sql), 1_000_000)) {
            String s;
            while ((s = r.next()) != null) {
                out.add(s);
            }
        }
        return out;
    }

    @Test
    void statementsSplitLikeSqlite3Complete() throws Exception {
        assertThat(split("SELECT 1; SELECT ';' AS x ;\n-- c;\n/* b; */ SELECT \"a;b\" FROM [x;y];;"))
                .containsExactly("SELECT 1", "SELECT ';' AS x", "SELECT \"a;b\" FROM [x;y]");
        String trigger = "CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO u VALUES(1); "
                + "UPDATE u SET x = CASE WHEN 1 THEN 2 ELSE 3 END; END";
        assertThat(split(trigger + ";\nINSERT INTO t VALUES('it''s');")).containsExactly(trigger, "INSERT INTO t VALUES('it''s')");
        assertThat(split("SELECT 1")).containsExactly("SELECT 1");
        assertThat(split("  -- only a comment\n")).isEmpty();
        assertThat(SqlStatementReader.leadingKeywords("/* x */ begin  transaction", 2)).isEqualTo("BEGIN TRANSACTION");
    }
}
