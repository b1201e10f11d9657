// What the runner does before its run begins, so the learner's first statement does not pay for it:
// a one-row job (parser, planner, code generation, the cluster's job path), and the plan of a Kafka
// table read and written as JSON (the connector, its format and the Kafka client's classes).
package dev.tributary.flink;

import java.util.Properties;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

final class WarmUp {
    private static final String TABLE = "tributary_warm_up";

    private WarmUp() {}

    static void run(TableEnvironmentInternal tables) throws Exception {
        try (CloseableIterator<Row> rows = tables.executeSql("SELECT 1").collect()) {
            rows.forEachRemaining(row -> {});
        }
        // Planned, never run; the broker address is a closed port, and the table is gone before the learner's script.
        tables.executeSql("CREATE TEMPORARY TABLE " + TABLE + " (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) "
                + "WITH ('connector' = 'kafka', 'topic' = 'warm-up', 'properties.bootstrap.servers' = '127.0.0.1:9', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json')");
        tables.explainSql("INSERT INTO " + TABLE + " SELECT id, window_start FROM TABLE(TUMBLE(TABLE " + TABLE
                + ", DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY id, window_start, window_end");
        tables.executeSql("DROP TEMPORARY TABLE " + TABLE);
        kafkaClients();
    }

    /** A consumer and a producer made and closed without connecting: the classes every Kafka job loads. */
    private static void kafkaClients() {
        Properties config = new Properties();
        config.put("bootstrap.servers", "127.0.0.1:9");
        config.put("key.deserializer", ByteArrayDeserializer.class.getName());
        config.put("value.deserializer", ByteArrayDeserializer.class.getName());
        config.put("key.serializer", ByteArraySerializer.class.getName());
        config.put("value.serializer", ByteArraySerializer.class.getName());
        config.put("security.protocol", "SASL_PLAINTEXT");
        config.put("sasl.mechanism", "SCRAM-SHA-256");
        config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"warm-up\" password=\"warm-up\";");
        new KafkaConsumer<byte[], byte[]>(config).close();
        new KafkaProducer<byte[], byte[]>(config).close(java.time.Duration.ZERO);
    }
}
