// What a learner's SQL may do. Every statement is parsed by Flink's own parser into an operation, and
// only the operations the lessons need pass: CREATE TABLE over Kafka (or datagen/print/blackhole),
// CREATE VIEW, SELECT, INSERT, EXPLAIN and a few SET keys. Kafka tables get the learner's namespace,
// brokers and SCRAM login here, so the broker's ACLs apply to whatever the SQL asks for.
package dev.tributary.flink;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.operations.ExplainOperation;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.QueryOperation;
import org.apache.flink.table.operations.SinkModifyOperation;
import org.apache.flink.table.operations.command.SetOperation;
import org.apache.flink.table.operations.ddl.CreateTableOperation;
import org.apache.flink.table.operations.ddl.CreateViewOperation;

final class StatementPolicy {
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
    private static final Set<String> FORMATS = Set.of("json", "csv", "raw");
    /** Options a Kafka table may set; everything about where and as whom it connects is the server's. */
    private static final List<String> KAFKA_OPTIONS = List.of(
            "connector", "topic", "format", "key.format", "value.format", "key.fields", "key.fields-prefix",
            "value.fields-include", "scan.startup.mode", "scan.startup.timestamp-millis", "scan.startup.specific-offsets",
            "scan.bounded.mode", "scan.bounded.timestamp-millis", "scan.bounded.specific-offsets", "scan.watermark.idle-timeout",
            "scan.topic-partition-discovery.interval", "sink.partitioner", "sink.delivery-guarantee", "sink.buffer-flush.max-rows",
            "sink.buffer-flush.interval", "properties.group.id", "properties.auto.offset.reset", "scan.watermark.emit.strategy");
    /** When a source emits its watermark: after every record (deterministic, for the late-event lesson) or every 200 ms. */
    private static final Set<String> WATERMARK_EMIT_STRATEGIES = Set.of("on-event", "on-periodic");
    private static final List<String> FORMAT_OPTION_PREFIXES = List.of("json.", "csv.", "key.json.", "value.json.", "key.csv.", "value.csv.", "raw.", "key.raw.", "value.raw.");
    private static final Map<String, Long> DATAGEN_CAPS = Map.of("rows-per-second", 1000L, "number-of-rows", 1_000_000L);

    private final Learner learner;

    StatementPolicy(Learner learner) {
        this.learner = learner;
    }

    static List<String> settableKeys() {
        return List.of("'table.local-time-zone'", "'table.exec.source.idle-timeout'", "'table.exec.state.ttl'");
    }

    /** The operation to run in place of `operation`, or Refused. */
    Operation admit(Operation operation) throws Refused {
        if (operation instanceof CreateTableOperation create) return createTable(create);
        if (operation instanceof CreateViewOperation) return operation;
        if (operation instanceof QueryOperation) return operation;
        if (operation instanceof ExplainOperation) return operation;
        if (operation.getClass() == SinkModifyOperation.class) {
            if (!((SinkModifyOperation) operation).getDynamicOptions().isEmpty()) throw new Refused("Table hints (/*+ OPTIONS(...) */) are not allowed.");
            return operation;
        }
        if (operation instanceof SetOperation set) {
            String key = set.getKey().orElse("");
            if (settableKeys().contains("'" + key + "'")) return operation;
            throw new Refused(key.isEmpty() ? "SET without a key (listing settings) is not allowed." : "SET '" + key + "' is not allowed: the server sets it.");
        }
        throw new Refused("\"" + firstWords(operation.asSummaryString()) + "\" is not allowed.");
    }

    private static String firstWords(String summary) {
        String words = summary.split("[:(\\n]", 2)[0].trim();
        return words.length() > 60 ? words.substring(0, 60) : words;
    }

    private Operation createTable(CreateTableOperation create) throws Refused {
        ResolvedCatalogTable table = create.getCatalogTable();
        Map<String, String> options = table.getOptions();
        String name = create.getTableIdentifier().getObjectName();
        String connector = options.getOrDefault("connector", "");
        if (!CONNECTORS.contains(connector)) {
            throw new Refused("Table " + name + ": the '" + connector + "' connector is not allowed; tables read and write Kafka topics here.");
        }
        for (String key : List.of("format", "key.format", "value.format")) {
            String format = options.get(key);
            if (format != null && !FORMATS.contains(format)) throw new Refused("Table " + name + ": '" + key + "' = '" + format + "' is not allowed; use json, csv or raw.");
        }
        Map<String, String> admitted = switch (connector) {
            case "kafka", "upsert-kafka" -> kafkaOptions(name, options);
            case "datagen" -> datagenOptions(name, options);
            default -> options;
        };
        return new CreateTableOperation(create.getTableIdentifier(), table.copy(admitted), create.isIgnoreIfExists(), create.isTemporary());
    }

    private Map<String, String> kafkaOptions(String table, Map<String, String> options) throws Refused {
        Map<String, String> admitted = new HashMap<>();
        for (Map.Entry<String, String> option : options.entrySet()) {
            String key = option.getKey();
            boolean allowed = KAFKA_OPTIONS.contains(key) || FORMAT_OPTION_PREFIXES.stream().anyMatch(key::startsWith);
            if (!allowed) {
                throw new Refused("Table " + table + ": the option '" + key + "' is not allowed"
                        + (key.startsWith("properties.") || key.equals("topic-pattern") ? " (the server says where Kafka is and who you are on it)." : "."));
            }
            admitted.put(key, option.getValue());
        }
        String emitStrategy = options.get("scan.watermark.emit.strategy");
        if (emitStrategy != null && !WATERMARK_EMIT_STRATEGIES.contains(emitStrategy)) {
            throw new Refused("Table " + table + ": 'scan.watermark.emit.strategy' = '" + emitStrategy + "' is not allowed; use 'on-event' or 'on-periodic'.");
        }
        String topic = options.get("topic");
        if (topic == null || topic.isBlank()) throw new Refused("Table " + table + ": say which topic it reads or writes, with 'topic' = 'page-views'.");
        // A learner names topics as in the TypeScript lessons; the namespace is added here, like topic() does.
        admitted.put("topic", Stream.of(topic.split(";")).map(t -> learner.namespace() + t.trim()).collect(Collectors.joining(";")));
        if (options.containsKey("properties.group.id")) admitted.put("properties.group.id", learner.namespace() + options.get("properties.group.id"));
        if ("exactly-once".equals(options.get("sink.delivery-guarantee"))) {
            throw new Refused("Table " + table + ": 'sink.delivery-guarantee' = 'exactly-once' needs checkpoints, which these runs do not take; use 'at-least-once'.");
        }
        admitted.put("properties.bootstrap.servers", learner.brokers());
        if (learner.username() != null && !learner.username().isEmpty()) {
            admitted.put("properties.security.protocol", "SASL_PLAINTEXT");
            admitted.put("properties.sasl.mechanism", "SCRAM-SHA-256");
            admitted.put("properties.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                    + learner.username() + "\" password=\"" + learner.password() + "\";");
        }
        admitted.put("properties.client.id.prefix", learner.namespace() + "flink");
        return admitted;
    }

    private static Map<String, String> datagenOptions(String table, Map<String, String> options) throws Refused {
        for (Map.Entry<String, Long> cap : DATAGEN_CAPS.entrySet()) {
            String value = options.get(cap.getKey());
            if (value != null && parseLong(value) > cap.getValue()) {
                throw new Refused("Table " + table + ": '" + cap.getKey() + "' may be at most " + cap.getValue() + ".");
            }
        }
        return options;
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
