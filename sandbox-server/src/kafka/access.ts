// How a client reaches the course's Kafka: the bootstrap addresses and, when the broker
// authenticates clients (SASL/SCRAM), whose credentials to present.
import { logLevel, type KafkaConfig } from "kafkajs";

export interface KafkaCredentials {
  username: string;
  password: string;
}

export interface BrokerAccess {
  bootstrap: string[];
  /** The broker's super user. Absent when the broker takes unauthenticated clients (a Docker or external broker). */
  admin?: KafkaCredentials;
}

/** The one SASL mechanism the course's brokers enable, spelled as Kafka and kafkajs each spell it. */
export const SCRAM = { kafka: "SCRAM-SHA-256", kafkajs: "scram-sha-256" } as const;

/** A quiet kafkajs configuration for the server's own clients (health, grading, readiness). */
export function kafkajsConfig(access: BrokerAccess, clientId: string, tuning: Omit<KafkaConfig, "brokers" | "clientId" | "sasl"> = {}): KafkaConfig {
  return {
    clientId,
    brokers: access.bootstrap,
    logLevel: logLevel.NOTHING,
    ...(access.admin ? { sasl: { mechanism: SCRAM.kafkajs, ...access.admin } } : {}),
    ...tuning,
  };
}
