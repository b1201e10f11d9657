// What a learner's SQL may do. Every statement is parsed by Flink's own parser into an operation, and
// only the operations the lessons need pass: CREATE TABLE over Kafka (or datagen/print/blackhole),
// CREATE VIEW, SELECT, INSERT, EXPLAIN and a few SET keys. Joins, deduplication, Top-N and
// MATCH_RECOGNIZE are queries like any other. Every option a table or SET names must be on an
// allow-list with bounds (KafkaTableOptions, DatagenTableOptions, FormatOptions); Kafka tables get
// the learner's namespace, brokers and SCRAM login, so the broker's ACLs apply to whatever the SQL asks for.
package dev.tributary.flink;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.operations.ExplainOperation;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.QueryOperation;
import org.apache.flink.table.operations.SinkModifyOperation;
import org.apache.flink.table.operations.command.SetOperation;
import org.apache.flink.table.operations.ddl.CreateTableOperation;
import org.apache.flink.table.operations.ddl.CreateViewOperation;

final class StatementPolicy {
    /** The keys a script may SET, with the values each admits (before ALLOWED, which names them). */
    private static final Map<String, OptionRule> SETTABLE = OptionRule.inOrder(
            "table.local-time-zone", OptionRule.timeZone(),
            "table.exec.source.idle-timeout", OptionRule.duration(Duration.ofMillis(100), Duration.ofHours(1), true),
            "table.exec.state.ttl", OptionRule.duration(Duration.ofSeconds(1), Duration.ofDays(1), true));
    static final String ALLOWED =
            "Allowed here: CREATE TABLE (connector kafka, upsert-kafka, datagen, print or blackhole), CREATE VIEW, SELECT, "
                    + "INSERT INTO, EXPLAIN, and SET of " + String.join(", ", settableKeys()) + ".";

    /** A statement the course does not run; the message says what is allowed instead. */
    static final class Refused extends Exception {
        Refused(String message) {
            this(message, true);
        }

        private Refused(String message, boolean sayWhatIsAllowed) {
            super(sayWhatIsAllowed ? message + " " + ALLOWED : message);
        }

        /** A statement of an allowed kind, refused for a reason of its own that `message` gives whole. */
        static Refused because(String message) {
            return new Refused(message, false);
        }
    }

    /** Who the learner is on Kafka. */
    record Learner(String namespace, String brokers, String username, String password) {}

    private static final Set<String> CONNECTORS = Set.of("kafka", "upsert-kafka", "datagen", "print", "blackhole");
    /** The options of the sinks that write nowhere but the terminal, or nowhere at all. */
    private static final Map<String, Map<String, OptionRule>> SINK_OPTIONS = Map.of(
            "print", OptionRule.inOrder(
                    "print-identifier", OptionRule.text("[A-Za-z0-9 ._:-]", 64, "letters, digits, spaces, '.', '_', ':' or '-'"),
                    "standard-error", OptionRule.bool()),
            "blackhole", Map.of());

    private final Learner learner;

    StatementPolicy(Learner learner) {
        this.learner = learner;
    }

    static List<String> settableKeys() {
        return SETTABLE.keySet().stream().map(key -> "'" + key + "'").toList();
    }

    /** The operation to run in place of `operation`, or Refused. */
    Operation admit(Operation operation) throws Refused {
        if (operation instanceof CreateTableOperation create) return createTable(create);
        if (operation instanceof CreateViewOperation) return operation;
        if (operation instanceof QueryOperation) return operation;
        if (operation instanceof ExplainOperation) return operation;
        if (operation.getClass() == SinkModifyOperation.class) {
            SinkModifyOperation insert = (SinkModifyOperation) operation;
            // DELETE and UPDATE arrive as the same operation as INSERT.
            if (insert.isDelete() || insert.isUpdate()) throw new Refused("\"" + (insert.isDelete() ? "DELETE" : "UPDATE") + "\" is not allowed.");
            if (!insert.getDynamicOptions().isEmpty()) throw new Refused("Table hints (/*+ OPTIONS(...) */) are not allowed.");
            return operation;
        }
        if (operation instanceof SetOperation set) return set(set);
        throw new Refused("\"" + firstWords(operation.asSummaryString()) + "\" is not allowed.");
    }

    private static String firstWords(String summary) {
        String words = summary.split("[:(\\n]", 2)[0].trim();
        return words.length() > 60 ? words.substring(0, 60) : words;
    }

    private static Operation set(SetOperation set) throws Refused {
        String key = set.getKey().orElse("");
        OptionRule rule = SETTABLE.get(key);
        if (rule == null) throw new Refused(key.isEmpty() ? "SET without a key (listing settings) is not allowed." : "SET '" + key + "' is not allowed: the server sets it.");
        String value = set.getValue().orElse("");
        if (!rule.admits().test(value)) throw Refused.because("SET '" + key + "' = '" + TableOptions.shown(value) + "' is not allowed: use " + rule.allowed() + ".");
        return set;
    }

    private Operation createTable(CreateTableOperation create) throws Refused {
        ResolvedCatalogTable table = create.getCatalogTable();
        Map<String, String> options = table.getOptions();
        String name = create.getTableIdentifier().getObjectName();
        String connector = options.getOrDefault("connector", "");
        if (!CONNECTORS.contains(connector)) {
            throw new Refused("Table " + name + ": the '" + connector + "' connector is not allowed; tables read and write Kafka topics here.");
        }
        List<String> columns = table.getResolvedSchema().getColumns().stream().filter(Column::isPhysical).map(Column::getName).toList();
        Map<String, String> admitted = switch (connector) {
            case "kafka", "upsert-kafka" -> KafkaTableOptions.admit(name, connector, options, columns, learner);
            case "datagen" -> DatagenTableOptions.admit(name, options, columns);
            default -> {
                Map<String, OptionRule> rules = SINK_OPTIONS.get(connector);
                TableOptions.checkEach(name, connector, options, rules::get, rules.isEmpty() ? "none but 'connector'" : TableOptions.listed(rules.keySet()));
                yield options;
            }
        };
        return new CreateTableOperation(create.getTableIdentifier(), table.copy(admitted), create.isIgnoreIfExists(), create.isTemporary());
    }
}
