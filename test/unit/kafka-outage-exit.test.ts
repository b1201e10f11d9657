// The line the course's kits end a program with when too few brokers answer makes the run's reason
// "Kafka stopped answering", though the server itself still reaches a broker; Kafka's refusals keep theirs.
import { describe, expect, it } from "vitest";
import { kafkaRefusalIn } from "../../sandbox-server/src/runs/exit-diagnosis.ts";

describe("what a failed program's last output says of Kafka", () => {
  it("is an outage when the kit's line ends the output, from TypeScript or Python", () => {
    const typescript =
      "Kafka could not be reached: only 1 of 3 brokers answer (KafkaJSConnectionClosedError: Closed connection), fewer than the 2 the cluster needs to serve.\n";
    expect(kafkaRefusalIn(typescript)).toBe("kafka-unavailable");
    const python = "sending 10 messages\nKafka could not be reached: no broker answers (KafkaConnectionError: Connection refused).\n";
    expect(kafkaRefusalIn(python)).toBe("kafka-unavailable");
  });

  it("is not an outage when a program prints those words inside a line of its own", () => {
    expect(kafkaRefusalIn('console: "Kafka could not be reached: " is what the course says\n')).toBeUndefined();
  });

  it("keeps a refused policy and a refused access", () => {
    expect(kafkaRefusalIn("KafkaJSProtocolError: Topic creation do not satisfy the configured policy")).toBe("kafka-limit");
    expect(kafkaRefusalIn("TopicAuthorizationFailedError: Not authorized to access topics")).toBe("kafka-denied");
  });
});
