// Kafka's answers that carry error codes: the few codes the server acts on, and the answer itself when
// the client library turns an answer with any error code into a thrown error.
import { ResponseError } from "@platformatic/kafka";

/** Kafka's numeric error codes the server tells apart (Kafka's protocol guide names them). */
export const protocolErrorCodes = {
  OFFSET_OUT_OF_RANGE: 1,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  UNKNOWN_TOPIC_ID: 100,
} as const;

/** The answer of a request, also when some of its parts carry an error code: the caller reads those. */
export async function responseDespiteErrors<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ResponseError && error.response) return error.response as T;
    throw error;
  }
}

/** Whether an error, or any error it gathers, says a topic does not exist (any more). */
export function isUnknownTopic(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { apiId, errors, cause } = error as Error & { apiId?: string; errors?: unknown[] };
  if (apiId === "UNKNOWN_TOPIC_OR_PARTITION" || apiId === "UNKNOWN_TOPIC_ID" || /^Unknown topic /.test(error.message)) return true;
  return (errors ?? []).some(isUnknownTopic) || isUnknownTopic(cause);
}
