// The one failure a Check reports instead of a verdict: Kafka could not give a true picture just now.

/**
 * Kafka, or enough of it to judge, did not answer: too few brokers answer, a partition has no leader,
 * or a request failed on the way. Retriable: the same question may be answered in a moment.
 */
export class KafkaUnavailable extends Error {
  readonly retriable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KafkaUnavailable";
  }
}
