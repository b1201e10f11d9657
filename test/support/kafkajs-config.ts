// kafkajs, the client learners' programs use, configured for tests that look at the broker the way
// another tool would: the bootstrap addresses and, when the broker authenticates clients, its super user.
import { logLevel, type KafkaConfig } from "kafkajs";
import { SCRAM_MECHANISM, type BrokerAccess } from "../../sandbox-server/src/kafka/index.ts";

/** A quiet kafkajs configuration as the broker's super user (or anonymous, for a broker without logins). */
export function kafkajsConfig(access: BrokerAccess, clientId: string, tuning: Omit<KafkaConfig, "brokers" | "clientId" | "sasl"> = {}): KafkaConfig {
  return {
    clientId,
    brokers: access.bootstrap,
    logLevel: logLevel.NOTHING,
    // kafkajs spells the mechanism in lower case.
    ...(access.admin ? { sasl: { mechanism: SCRAM_MECHANISM.toLowerCase() as "scram-sha-256", ...access.admin } } : {}),
    ...tuning,
  };
}
