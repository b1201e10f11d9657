// Every option a Flink SQL table or SET may name, with values beyond its edges (too small, too large,
// negative, not numbers, class names, empty, blank, namespace-only) and values within them, for the
// policy's test (test/processes/flink-policy.test.ts) to check through the runner's check mode.

export const NAMESPACE = "l00000000000000000000-";
const x = (n: number) => "x".repeat(n);
export const quoted = (value: string) => `'${value.replaceAll("'", "''")}'`;

export type Connector = "kafka" | "upsert-kafka" | "datagen" | "print" | "blackhole";
type Options = Record<string, string | undefined>;

/** Each connector's table t, the options it needs, and statements that make Flink plan it as a source and as a sink. */
const SHAPES: Record<Connector, { columns: string; needs: Options; uses: string[] }> = {
  kafka: {
    columns: "k STRING, k_v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts",
    needs: { connector: "kafka", topic: "orders", format: "json", "scan.startup.mode": "earliest-offset" },
    uses: ["SELECT * FROM t", "INSERT INTO t VALUES ('a', 1, TIMESTAMP '2024-01-01 00:00:00')"],
  },
  "upsert-kafka": {
    columns: "k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts, PRIMARY KEY (k) NOT ENFORCED",
    needs: { connector: "upsert-kafka", topic: "orders", "key.format": "json", "value.format": "json" },
    uses: ["SELECT * FROM t", "INSERT INTO t VALUES ('a', 1, TIMESTAMP '2024-01-01 00:00:00')"],
  },
  datagen: { columns: "id BIGINT, name STRING, price DOUBLE, ts TIMESTAMP(3)", needs: { connector: "datagen" }, uses: ["SELECT * FROM t"] },
  print: { columns: "v STRING", needs: { connector: "print" }, uses: ["INSERT INTO t VALUES ('x')"] },
  blackhole: { columns: "v STRING", needs: { connector: "blackhole" }, uses: ["INSERT INTO t VALUES ('x')"] },
};

export function tableScript(connector: Connector, options: Options): string {
  const shape = SHAPES[connector];
  const all = Object.entries({ ...shape.needs, ...options }).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const withs = all.map(([key, value]) => `${quoted(key)} = ${quoted(value)}`).join(", ");
  return [`CREATE TABLE t (${shape.columns}) WITH (${withs})`, ...shape.uses].map((s) => `${s};`).join("\n");
}

/** One option walked to its edges: `refused` values must be refused naming `bounds`; `allowed` ones admitted (with `beside` them, if named). */
export interface OptionCase {
  connector: Connector;
  option: string;
  bounds: string;
  refused: string[];
  allowed: string[];
  /** Options every script of the case sets too. */
  with?: Options;
  /** Options an allowed value needs beside it. */
  beside?: Record<string, Options>;
}

const DURATION = "(written like '30 s', '5 min' or '500 ms')";
const NOT_NUMBERS = ["", " ", "1.5", "1e3", "ten", "0x10", " 5"];
const NOT_DURATIONS = ["", " ", "-1 s", "PT-5S", "soon", "1.5 s", "1h 30min"];
const CLASS_NAMES = ["com.example.Evil", "org.apache.flink.streaming.connectors.kafka.partitioner.FlinkFixedPartitioner"];
const OFFSETS = [
  "partition:0",
  "partition:-1,offset:0",
  "partition:1000,offset:0",
  "partition:0,offset:-1",
  "partition:0,offset:1000000000000",
  "partition:0,offset:x",
  "",
  " ",
  Array(101).fill("partition:0,offset:1").join(";"),
];
const OFFSETS_BOUNDS = "at most 100 items separated by ';', each 'partition:P,offset:O' with P from 0 to 999 and O from 0 to 999999999999";
const TIMESTAMPS = ["-1", "253402300800000", "99999999999999999999", ...NOT_NUMBERS];
const TOPIC_BOUNDS = "at most 10 items separated by ';', each a topic name: letters, digits, '.', '_' or '-', of at most 227 characters";

export const optionCases: OptionCase[] = [
  {
    connector: "kafka",
    option: "topic",
    bounds: TOPIC_BOUNDS,
    refused: ["", " ", " ;x", ";", "orders;", "a b", "orders/x", "../orders", x(228), "a;b;c;d;e;f;g;h;i;j;k", ...CLASS_NAMES.map((c) => `${c}$1`)],
    allowed: ["orders", " orders ", "a.b_c-D9", x(227), "orders;payments"],
  },
  { connector: "upsert-kafka", option: "topic", bounds: TOPIC_BOUNDS, refused: ["", " ", " ;x", x(228)], allowed: ["rates", x(227)] },
  {
    connector: "kafka",
    option: "properties.group.id",
    bounds: "a group name: letters, digits, '.', '_' or '-', of at most 227 characters",
    refused: ["", " ", "a b", "g/x", x(228), "readers;other"],
    allowed: ["readers", x(227)],
  },
  {
    connector: "kafka",
    option: "properties.auto.offset.reset",
    bounds: "one of 'earliest', 'latest'",
    refused: ["none", "EARLIEST", "smallest", ""],
    allowed: ["earliest", "latest"],
  },
  {
    connector: "kafka",
    option: "format",
    bounds: "one of 'json', 'raw'",
    refused: ["csv", "avro", "debezium-json", "canal-json", "JSON", "", ...CLASS_NAMES],
    allowed: ["json"],
  },
  {
    connector: "kafka",
    option: "value.format",
    bounds: "one of 'json', 'raw'",
    refused: ["csv", "", ...CLASS_NAMES],
    allowed: ["json"],
    with: { format: undefined },
  },
  {
    connector: "kafka",
    option: "key.format",
    bounds: "one of 'json', 'raw'",
    refused: ["csv", "", ...CLASS_NAMES],
    allowed: ["json", "raw"],
    with: { "key.fields": "k" },
  },
  { connector: "upsert-kafka", option: "key.format", bounds: "one of 'json', 'raw'", refused: ["avro", ...CLASS_NAMES], allowed: ["json", "raw"] },
  {
    connector: "kafka",
    option: "key.fields",
    bounds: "at most 3 items separated by ';', each one of 'k', 'k_v', 'ts'",
    refused: ["nope", "k;nope", "", "v", "k;k_v;ts;k"],
    allowed: ["k", "k;k_v"],
    with: { "key.format": "json" },
  },
  {
    connector: "kafka",
    option: "key.fields-prefix",
    bounds: "letters, digits or '_' of at most 64 characters",
    refused: ["a b", "a.b", x(65), ""],
    allowed: ["k_"],
    with: { "key.format": "json", "key.fields": "k_v", "value.fields-include": "EXCEPT_KEY" },
  },
  {
    connector: "kafka",
    option: "value.fields-include",
    bounds: "one of 'ALL', 'EXCEPT_KEY'",
    refused: ["all", "NONE", ""],
    allowed: ["ALL", "EXCEPT_KEY"],
    with: { "key.format": "json", "key.fields": "k" },
  },
  {
    connector: "kafka",
    option: "scan.startup.mode",
    bounds: "one of 'earliest-offset', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets'",
    refused: ["earliest", "EARLIEST-OFFSET", "now", ""],
    allowed: ["earliest-offset", "latest-offset", "group-offsets", "timestamp", "specific-offsets"],
    beside: {
      "group-offsets": { "properties.group.id": "readers" },
      timestamp: { "scan.startup.timestamp-millis": "0" },
      "specific-offsets": { "scan.startup.specific-offsets": "partition:0,offset:0" },
    },
  },
  {
    connector: "kafka",
    option: "scan.startup.timestamp-millis",
    bounds: "a whole number from 0 to 253402300799999",
    refused: TIMESTAMPS,
    allowed: ["0", "253402300799999"],
    with: { "scan.startup.mode": "timestamp" },
  },
  {
    connector: "kafka",
    option: "scan.startup.specific-offsets",
    bounds: OFFSETS_BOUNDS,
    refused: OFFSETS,
    allowed: ["partition:0,offset:42;partition:1,offset:300", "partition:999,offset:999999999999"],
    with: { "scan.startup.mode": "specific-offsets" },
  },
  {
    connector: "kafka",
    option: "scan.bounded.mode",
    bounds: "one of 'unbounded', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets'",
    refused: ["earliest-offset", "LATEST-OFFSET", ""],
    allowed: ["unbounded", "latest-offset", "group-offsets", "timestamp", "specific-offsets"],
    beside: {
      "group-offsets": { "properties.group.id": "readers" },
      timestamp: { "scan.bounded.timestamp-millis": "0" },
      "specific-offsets": { "scan.bounded.specific-offsets": "partition:0,offset:0" },
    },
  },
  {
    connector: "upsert-kafka",
    option: "scan.bounded.timestamp-millis",
    bounds: "a whole number from 0 to 253402300799999",
    refused: TIMESTAMPS,
    allowed: ["0", "253402300799999"],
    with: { "scan.bounded.mode": "timestamp" },
  },
  {
    connector: "kafka",
    option: "scan.bounded.specific-offsets",
    bounds: OFFSETS_BOUNDS,
    refused: OFFSETS,
    allowed: ["partition:0,offset:42"],
    with: { "scan.bounded.mode": "specific-offsets" },
  },
  {
    connector: "kafka",
    option: "scan.topic-partition-discovery.interval",
    bounds: `a duration from '10 s' to '1 h' ${DURATION}, or '0' to turn it off`,
    refused: ["1 ms", "9 s", "10", "61 min", "2 h", "9999999999 d", ...NOT_DURATIONS],
    allowed: ["0", "10 s", "5 min", "1 h", "PT30S", "10000 ms"],
  },
  {
    connector: "upsert-kafka",
    option: "scan.topic-partition-discovery.interval",
    bounds: `a duration from '10 s' to '1 h' ${DURATION}, or '0' to turn it off`,
    refused: ["1 s", "2 h"],
    allowed: ["0", "1 h"],
  },
  {
    connector: "kafka",
    option: "scan.watermark.emit.strategy",
    bounds: "one of 'on-event', 'on-periodic'",
    refused: ["on-anything", "ON-EVENT", ""],
    allowed: ["on-event", "on-periodic"],
  },
  {
    connector: "upsert-kafka",
    option: "scan.watermark.emit.strategy",
    bounds: "one of 'on-event', 'on-periodic'",
    refused: ["sometimes"],
    allowed: ["on-event", "on-periodic"],
  },
  {
    connector: "kafka",
    option: "scan.watermark.idle-timeout",
    bounds: `a duration from '1 s' to '1 h' ${DURATION}, or '0' to turn it off`,
    refused: ["500 ms", "2 h", ...NOT_DURATIONS],
    allowed: ["0", "1 s", "1 h"],
  },
  {
    connector: "kafka",
    option: "sink.partitioner",
    bounds: "one of 'default', 'fixed', 'round-robin'",
    refused: [...CLASS_NAMES, "FIXED", "Default", "", " ", "fixed "],
    allowed: ["default", "fixed", "round-robin"],
  },
  {
    connector: "kafka",
    option: "sink.delivery-guarantee",
    bounds: "one of 'at-least-once', 'none'",
    refused: ["EXACTLY_ONCE", "at-most-once", ""],
    allowed: ["at-least-once", "none"],
  },
  {
    connector: "upsert-kafka",
    option: "sink.delivery-guarantee",
    bounds: "one of 'at-least-once', 'none'",
    refused: ["at-most-once"],
    allowed: ["at-least-once", "none"],
  },
  {
    connector: "upsert-kafka",
    option: "sink.buffer-flush.max-rows",
    bounds: "a whole number from 0 to 10000",
    refused: ["-1", "10001", "2147483648", ...NOT_NUMBERS],
    allowed: ["0", "1", "10000"],
    beside: { "1": { "sink.buffer-flush.interval": "1 s" }, "10000": { "sink.buffer-flush.interval": "1 s" } },
  },
  {
    connector: "upsert-kafka",
    option: "sink.buffer-flush.interval",
    bounds: `a duration from '100 ms' to '1 min' ${DURATION}, or '0' to turn it off`,
    refused: ["50 ms", "2 min", ...NOT_DURATIONS],
    allowed: ["0", "100 ms", "1 min"],
    beside: { "100 ms": { "sink.buffer-flush.max-rows": "100" }, "1 min": { "sink.buffer-flush.max-rows": "100" } },
  },
  {
    connector: "kafka",
    option: "json.ignore-parse-errors",
    bounds: "one of 'true', 'false'",
    refused: ["yes", "1", "TRUE", ""],
    allowed: ["true", "false"],
  },
  { connector: "kafka", option: "json.fail-on-missing-field", bounds: "one of 'true', 'false'", refused: ["no"], allowed: ["true", "false"] },
  {
    connector: "kafka",
    option: "json.timestamp-format.standard",
    bounds: "one of 'SQL', 'ISO-8601'",
    refused: ["iso", "RFC-3339"],
    allowed: ["SQL", "ISO-8601"],
  },
  {
    connector: "kafka",
    option: "json.map-null-key.mode",
    bounds: "one of 'FAIL', 'DROP', 'LITERAL'",
    refused: ["fail", "KEEP"],
    allowed: ["FAIL", "DROP", "LITERAL"],
  },
  {
    connector: "kafka",
    option: "json.map-null-key.literal",
    bounds: "letters, digits, spaces, '.', '_' or '-' of at most 64 characters",
    refused: ["", x(65), "a\nb", "${jndi:x}"],
    allowed: ["null", x(64)],
  },
  {
    connector: "kafka",
    option: "json.encode.decimal-as-plain-number",
    bounds: "one of 'true', 'false'",
    refused: ["maybe"],
    allowed: ["true", "false"],
  },
  { connector: "kafka", option: "json.encode.ignore-null-fields", bounds: "one of 'true', 'false'", refused: ["maybe"], allowed: ["true", "false"] },
  { connector: "kafka", option: "json.decode.json-parser.enabled", bounds: "one of 'true', 'false'", refused: ["maybe"], allowed: ["true", "false"] },
  {
    connector: "kafka",
    option: "key.json.ignore-parse-errors",
    bounds: "one of 'true', 'false'",
    refused: ["yes"],
    allowed: ["true"],
    with: { "key.format": "json", "key.fields": "k" },
  },
  {
    connector: "upsert-kafka",
    option: "value.json.ignore-parse-errors",
    bounds: "one of 'true', 'false'",
    refused: ["yes"],
    allowed: ["true", "false"],
  },
  {
    connector: "upsert-kafka",
    option: "key.raw.charset",
    bounds: "one of 'UTF-8', 'UTF-16', 'UTF-16BE', 'UTF-16LE', 'US-ASCII', 'ISO-8859-1'",
    refused: ["EBCDIC", "utf8", "x-evil", "", ...CLASS_NAMES],
    allowed: ["UTF-8", "UTF-16", "UTF-16BE", "UTF-16LE", "US-ASCII", "ISO-8859-1"],
    with: { "key.format": "raw" },
  },
  {
    connector: "upsert-kafka",
    option: "key.raw.endianness",
    bounds: "one of 'big-endian', 'little-endian'",
    refused: ["middle-endian", "BIG-ENDIAN"],
    allowed: ["big-endian", "little-endian"],
    with: { "key.format": "raw" },
  },
  {
    connector: "datagen",
    option: "rows-per-second",
    bounds: "a whole number from 1 to 1000",
    refused: ["0", "-1", "1001", "10000", "9223372036854775808", ...NOT_NUMBERS],
    allowed: ["1", "1000"],
  },
  {
    connector: "datagen",
    option: "number-of-rows",
    bounds: "a whole number from 0 to 1000000",
    refused: ["-1", "1000001", "2000000000", ...NOT_NUMBERS],
    allowed: ["0", "1", "1000000"],
  },
  {
    connector: "datagen",
    option: "fields.name.length",
    bounds: "a whole number from 1 to 1000",
    refused: ["0", "-1", "1001", "100000000", ...NOT_NUMBERS],
    allowed: ["1", "1000"],
  },
  {
    connector: "datagen",
    option: "fields.id.kind",
    bounds: "one of 'random', 'sequence'",
    refused: ["constant", "RANDOM", "", ...CLASS_NAMES],
    allowed: ["random", "sequence"],
    beside: { sequence: { "fields.id.start": "1", "fields.id.end": "10" } },
  },
  {
    connector: "datagen",
    option: "fields.id.start",
    bounds: "a whole number from -1000000000000 to 1000000000000",
    refused: ["-1000000000001", "1000000000001", ...NOT_NUMBERS],
    allowed: ["-1000000000000", "0", "999999000001"],
    with: { "fields.id.kind": "sequence" },
    beside: {
      "-1000000000000": { "fields.id.end": "-999999000001" },
      "0": { "fields.id.end": "999999" },
      "999999000001": { "fields.id.end": "1000000000000" },
    },
  },
  {
    connector: "datagen",
    option: "fields.id.end",
    bounds: "a whole number from -1000000000000 to 1000000000000",
    refused: ["1000000000001", "-1000000000001", ...NOT_NUMBERS],
    allowed: ["1", "1000000"],
    with: { "fields.id.kind": "sequence", "fields.id.start": "1" },
  },
  {
    connector: "datagen",
    option: "fields.price.min",
    bounds: "a number from -1000000000000 to 1000000000000",
    refused: ["-1000000000000.5", "1000000000001", "NaN", "Infinity", "1e3", "", " "],
    allowed: ["-1000000000000", "0.5", "1000000000000"],
    beside: { "1000000000000": { "fields.price.max": "1000000000000" } },
  },
  {
    connector: "datagen",
    option: "fields.price.max",
    bounds: "a number from -1000000000000 to 1000000000000",
    refused: ["1000000000000.1", "-Infinity", "max"],
    allowed: ["0", "99.99", "1000000000000"],
    with: { "fields.price.min": "-1" },
  },
  {
    connector: "datagen",
    option: "fields.name.null-rate",
    bounds: "a number from 0 to 1",
    refused: ["-0.1", "1.5", "2", "half"],
    allowed: ["0", "0.5", "1"],
  },
  { connector: "datagen", option: "fields.name.var-len", bounds: "one of 'true', 'false'", refused: ["yes"], allowed: ["true", "false"] },
  {
    connector: "datagen",
    option: "fields.ts.max-past",
    bounds: `a duration from '1 ms' to '365 d' ${DURATION}`,
    refused: ["0", "366 d", "9999999999 d", ...NOT_DURATIONS],
    allowed: ["1 ms", "1 min", "365 d"],
  },
  {
    connector: "print",
    option: "print-identifier",
    bounds: "letters, digits, spaces, '.', '_', ':' or '-' of at most 64 characters",
    refused: ["", x(65), "a\nb", "[job 1234abcd finished]"],
    allowed: ["out", "orders: ", x(64)],
  },
  { connector: "print", option: "standard-error", bounds: "one of 'true', 'false'", refused: ["yes", ""], allowed: ["true", "false"] },
];

/** Options no table may set (not on its connector's list), each with a value Flink would otherwise take. */
export const notListed: [Connector, string, string][] = [
  ["kafka", "topic-pattern", ".*"],
  ["kafka", "properties.bootstrap.servers", "127.0.0.1:9092"],
  ["kafka", "properties.security.protocol", "PLAINTEXT"],
  ["kafka", "properties.sasl.jaas.config", "x"],
  ["kafka", "properties.client.id", "me"],
  ["kafka", "properties.interceptor.classes", "com.example.Evil"],
  ["kafka", "properties.max.poll.records", "1"],
  ["kafka", "sink.transactional-id-prefix", "tx"],
  ["kafka", "sink.transaction-naming-strategy", "POOLING"],
  ["kafka", "sink.semantic", "exactly-once"],
  ["kafka", "sink.parallelism", "8"],
  ["kafka", "scan.parallelism", "8"],
  ["kafka", "sink.buffer-flush.max-rows", "10"],
  ["kafka", "scan.watermark.alignment.group", "g"],
  ["kafka", "json.unknown", "x"],
  ["kafka", "raw.charset", "UTF-8"],
  ["kafka", "value.json.ignore-parse-errors", "true"],
  ["upsert-kafka", "format", "json"],
  ["upsert-kafka", "key.fields", "k"],
  ["upsert-kafka", "scan.startup.mode", "earliest-offset"],
  ["upsert-kafka", "sink.partitioner", "fixed"],
  ["upsert-kafka", "properties.bootstrap.servers", "127.0.0.1:9092"],
  ["datagen", "scan.parallelism", "8"],
  ["datagen", "fields.nope.length", "10"],
  ["datagen", "fields.name.size", "10"],
  ["datagen", "rows", "10"],
  ["print", "sink.parallelism", "2"],
  ["print", "path", "/tmp/x"],
  ["blackhole", "path", "/tmp/x"],
];

/** SET keys a script may name, walked to their edges like table options. */
export const setCases: { key: string; bounds: string; refused: string[]; allowed: string[] }[] = [
  {
    key: "table.local-time-zone",
    bounds: "a time zone database name such as 'Europe/Berlin', 'UTC', or a fixed offset such as 'GMT+03:00'",
    refused: ["UTC+8", "PST", "Mars/Olympus", "", " ", "default", x(65), "com.example.Zone"],
    allowed: ["UTC", "Europe/Berlin", "America/Los_Angeles", "GMT+03:00"],
  },
  {
    key: "table.exec.state.ttl",
    bounds: `a duration from '1 s' to '1 d' ${DURATION}, or '0' to turn it off`,
    refused: ["500 ms", "2 d", "25 h", "forever", ...NOT_DURATIONS],
    allowed: ["0", "1 s", "1 h", "1 d"],
  },
  {
    key: "table.exec.source.idle-timeout",
    bounds: `a duration from '100 ms' to '1 h' ${DURATION}, or '0' to turn it off`,
    refused: ["50 ms", "2 h", ...NOT_DURATIONS],
    allowed: ["0", "100 ms", "1 h"],
  },
];

export const settingsNotAllowed = [
  "parallelism.default",
  "table.dynamic-table-options.enabled",
  "pipeline.classpaths",
  "pipeline.jars",
  "table.exec.resource.default-parallelism",
  "rest.port",
];
