// The options a Kafka table (connector kafka or upsert-kafka) may set, each with its bounds. Where and
// as whom it connects is the server's: the runner adds the learner's namespace to its topics and its
// group, then the brokers and the learner's SCRAM login, so the broker's ACLs apply to whatever it asks.
package dev.tributary.flink;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

final class KafkaTableOptions {
    /** Kafka's longest topic name; the namespace takes part of it. */
    private static final int MAX_TOPIC_LENGTH = 249;
    private static final int MAX_TOPICS = 10;
    private static final String NAME_CHARACTERS = "[a-zA-Z0-9._-]";
    /** Up to the year 9999, in milliseconds since 1970. */
    private static final OptionRule TIMESTAMP = OptionRule.wholeNumber(0, 253_402_300_799_999L);
    private static final OptionRule SPECIFIC_OFFSETS = OptionRule.listOf(new OptionRule(
            "'partition:P,offset:O' with P from 0 to 999 and O from 0 to 999999999999",
            Pattern.compile("partition:\\d{1,3},offset:\\d{1,12}").asMatchPredicate()), ";", 100);

    /** Options both connectors admit. */
    private static final Map<String, OptionRule> SHARED = OptionRule.inOrder(
            "key.format", FormatOptions.FORMAT,
            "value.format", FormatOptions.FORMAT,
            "key.fields-prefix", OptionRule.text("[A-Za-z0-9_]", 64, "letters, digits or '_'"),
            "value.fields-include", OptionRule.oneOf("ALL", "EXCEPT_KEY"),
            "scan.bounded.mode", OptionRule.oneOf("unbounded", "latest-offset", "group-offsets", "timestamp", "specific-offsets"),
            "scan.bounded.timestamp-millis", TIMESTAMP,
            "scan.bounded.specific-offsets", SPECIFIC_OFFSETS,
            // Each discovery asks the brokers for metadata: not more often than every 10 s.
            "scan.topic-partition-discovery.interval", OptionRule.duration(Duration.ofSeconds(10), Duration.ofHours(1), true),
            // When a source emits its watermark: after every record (deterministic, for the late-event lesson) or every 200 ms.
            "scan.watermark.emit.strategy", OptionRule.oneOf("on-event", "on-periodic"),
            "scan.watermark.idle-timeout", OptionRule.duration(Duration.ofSeconds(1), Duration.ofHours(1), true),
            // Exactly once needs checkpoints, which these runs do not take: refused with its own reason (admit).
            "sink.delivery-guarantee", OptionRule.oneOf("at-least-once", "none"),
            "properties.auto.offset.reset", OptionRule.oneOf("earliest", "latest"));

    private static final Map<String, OptionRule> KAFKA_ONLY = OptionRule.inOrder(
            "format", FormatOptions.FORMAT,
            "scan.startup.mode", OptionRule.oneOf("earliest-offset", "latest-offset", "group-offsets", "timestamp", "specific-offsets"),
            "scan.startup.timestamp-millis", TIMESTAMP,
            "scan.startup.specific-offsets", SPECIFIC_OFFSETS,
            // Flink's named partitioners only: any other value is a class Flink would load and run.
            "sink.partitioner", OptionRule.oneOf("default", "fixed", "round-robin"));

    private static final Map<String, OptionRule> UPSERT_ONLY = OptionRule.inOrder(
            "sink.buffer-flush.max-rows", OptionRule.wholeNumber(0, 10_000),
            "sink.buffer-flush.interval", OptionRule.duration(Duration.ofMillis(100), Duration.ofMinutes(1), true));

    private KafkaTableOptions() {}

    /** The options to create `table` with, or Refused; `columns` are its physical columns. */
    static Map<String, String> admit(String table, String connector, Map<String, String> options, List<String> columns, StatementPolicy.Learner learner)
            throws StatementPolicy.Refused {
        if (options.containsKey("properties.client.id.prefix")) {
            // Only an admitted table has it: this one copies one with LIKE, and with it the server's options.
            throw StatementPolicy.Refused.because("Table " + table + ": CREATE TABLE ... LIKE a Kafka table is not allowed; write its columns and options out.");
        }
        if ("exactly-once".equals(options.get("sink.delivery-guarantee"))) {
            throw StatementPolicy.Refused.because("Table " + table
                    + ": 'sink.delivery-guarantee' = 'exactly-once' needs checkpoints, which these runs do not take; use 'at-least-once' or 'none'.");
        }
        Map<String, OptionRule> rules = rules(connector, columns, learner.namespace());
        TableOptions.checkEach(table, connector, options, key -> rules.containsKey(key) ? rules.get(key) : FormatOptions.ruleFor(key, options),
                TableOptions.listed(new TreeSet<>(rules.keySet())) + ", and " + FormatOptions.listed());
        String topic = options.get("topic");
        if (topic == null) throw StatementPolicy.Refused.because("Table " + table + ": say which topic it reads or writes, with 'topic' = 'page-views'.");

        Map<String, String> admitted = new HashMap<>(options);
        // A learner names topics as in the TypeScript lessons; the namespace is added here, as topic() does.
        admitted.put("topic", Stream.of(topic.split(";")).map(t -> learner.namespace() + t.trim()).collect(Collectors.joining(";")));
        String group = options.get("properties.group.id");
        if (group != null) admitted.put("properties.group.id", learner.namespace() + group);
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

    /** Every option `connector` admits, with its rule; topic, group and key fields depend on the table and the learner. */
    private static Map<String, OptionRule> rules(String connector, List<String> columns, String namespace) {
        int nameLength = MAX_TOPIC_LENGTH - namespace.length();
        Map<String, OptionRule> rules = new LinkedHashMap<>();
        rules.put("topic", OptionRule.listOf(OptionRule.text(NAME_CHARACTERS, nameLength, "a topic name: letters, digits, '.', '_' or '-',"), ";", MAX_TOPICS));
        rules.putAll(SHARED);
        rules.put("properties.group.id", OptionRule.text(NAME_CHARACTERS, nameLength, "a group name: letters, digits, '.', '_' or '-',"));
        if (connector.equals("kafka")) {
            rules.putAll(KAFKA_ONLY);
            rules.put("key.fields", OptionRule.listOf(OptionRule.oneOf(columns.toArray(String[]::new)), ";", columns.size()));
        } else {
            rules.putAll(UPSERT_ONLY);
        }
        return rules;
    }
}
