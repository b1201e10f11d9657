// `SqlRunner --check a.sql b.sql ...`: what a run would admit of each script, without running it. Every
// statement is parsed and admitted as in a run; tables, views and SETs are made (in this JVM's catalog
// only), queries and INSERTs are planned but start no job, and nothing connects to Kafka. One line a
// statement:
//   a.sql:3:1: admitted CREATE TABLE ticks WITH ('connector' = 'datagen', 'rows-per-second' = '1000')
//   a.sql:5:1: refused Table t: 'rows-per-second' = '-1' is not allowed: use a whole number from 1 to 1000.
//   a.sql:6:1: error Object 't' not found
// (refused: the policy said no; error: Flink could not parse or plan it, as a run would say).
// Exit code 0 when every statement was admitted, 4 (as a run's refusal) otherwise.
package dev.tributary.flink;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.QueryOperation;
import org.apache.flink.table.operations.SinkModifyOperation;
import org.apache.flink.table.operations.command.SetOperation;
import org.apache.flink.table.operations.ddl.CreateTableOperation;

final class PolicyCheck {
    /** A learner as the check admits scripts for: a namespace shaped like a run's, so names are bounded alike, and no login. */
    static final StatementPolicy.Learner LEARNER = new StatementPolicy.Learner("l00000000000000000000-", "127.0.0.1:9", "", "");

    private PolicyCheck() {}

    /** Checks each script in turn, each against a table environment of its own; the exit code. */
    static int run(List<String> scripts) throws Exception {
        boolean allAdmitted = true;
        for (String script : scripts) {
            TableEnvironmentInternal tables = (TableEnvironmentInternal) StreamTableEnvironment.create(
                    StreamExecutionEnvironment.getExecutionEnvironment(SqlRunner.flinkConfiguration()),
                    EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(SqlRunner.flinkConfiguration()).build());
            StatementPolicy policy = new StatementPolicy(LEARNER);
            for (SqlScript.Statement statement : SqlScript.split(Files.readString(Path.of(script), StandardCharsets.UTF_8))) {
                String verdict = check(tables, policy, statement);
                allAdmitted &= verdict.startsWith("admitted");
                System.out.println(script + ":" + statement.line() + ":" + statement.column() + ": " + verdict);
            }
        }
        return allAdmitted ? 0 : SqlRunner.REFUSED;
    }

    /** "admitted ...", "refused <why>" (by the policy) or "error <Flink's message>" (did not parse or plan), on one line. */
    private static String check(TableEnvironmentInternal tables, StatementPolicy policy, SqlScript.Statement statement) {
        try {
            List<Operation> parsed = tables.getParser().parse(statement.text());
            if (parsed.size() != 1) throw new StatementPolicy.Refused("One statement at a time, each ending with a semicolon.");
            Operation operation = policy.admit(parsed.get(0));
            if (operation instanceof QueryOperation || operation instanceof SinkModifyOperation) {
                tables.explainInternal(List.of(operation));
            } else if (operation instanceof SetOperation set) {
                SqlRunner.applySet(tables, set);
            } else {
                tables.executeInternal(operation);
            }
            return "admitted " + (operation instanceof CreateTableOperation create ? described(create) : oneLine(statement.text()));
        } catch (StatementPolicy.Refused refused) {
            return "refused " + oneLine(statement.locate(refused.getMessage()));
        } catch (Exception error) {
            return "error " + oneLine(statement.locate(SqlRunner.rootMessage(error)));
        }
    }

    /** The table as the run creates it: its name and every option, the runner's own included, in key order. */
    private static String described(CreateTableOperation create) {
        Map<String, String> options = new TreeMap<>(create.getCatalogTable().getOptions());
        return "CREATE TABLE " + create.getTableIdentifier().getObjectName() + " WITH ("
                + options.entrySet().stream().map(o -> "'" + o.getKey() + "' = '" + o.getValue() + "'").collect(Collectors.joining(", ")) + ")";
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").trim();
    }
}
