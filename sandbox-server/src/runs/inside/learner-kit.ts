// The module learners import as "tributary": where their Kafka is, who they are on it, and the
// namespace their topics and groups live in. The sandbox server bundles this file into every
// program, and the editor shows it to the type checker, so both see the same names.
//
// This file runs inside learners' programs: it may use only kafkajs's types and `process.env`.
import type { KafkaConfig } from "kafkajs";

const env = process.env;

/**
 * The prefix of every topic and consumer group you may use, such as "l3f9a0c2d71be-".
 * The broker refuses any other name, so learners sharing a server never see each other's data.
 */
export const namespace: string = env.KAFKA_NAMESPACE ?? "";

/**
 * Brokers, credentials and retries for `new Kafka({ clientId, ...connection })`. The retries outlast a
 * broker's failover (about 25 s in all; kafkajs alone gives up after about 10 s), as a production client would.
 */
export const connection: Pick<KafkaConfig, "brokers" | "sasl" | "retry"> = {
  brokers: (env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(","),
  retry: { retries: 8, maxRetryTime: 5000 },
  ...(env.KAFKA_USERNAME && env.KAFKA_PASSWORD
    ? { sasl: { mechanism: "scram-sha-256", username: env.KAFKA_USERNAME, password: env.KAFKA_PASSWORD } }
    : {}),
};

/** Your topic called `name`: the name inside your namespace. */
export function topic(name: string): string {
  return namespace + name;
}

/** Your consumer group called `name`: the name inside your namespace. */
export function group(name: string): string {
  return namespace + name;
}
