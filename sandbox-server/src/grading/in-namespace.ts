// Checkpoints name topics and groups as the lesson does ("messages"); on the broker they live
// in the learner's namespace ("l3f9a0c2d71be-messages"). Graders ask with the lesson's names.
import type { BrokerState } from "../broker/index.ts";

/** The broker as one learner sees it: every name is looked up inside their namespace. */
export function inNamespace(broker: BrokerState, namespace: string): BrokerState {
  return {
    topic: async (name) => {
      const topic = await broker.topic(namespace + name);
      return topic && { ...topic, name };
    },
    groupOffsets: async (group, topic) => ({ ...(await broker.groupOffsets(namespace + group, namespace + topic)), group }),
    topicConfig: (topic, config) => broker.topicConfig(namespace + topic, config),
    brokerCount: () => broker.brokerCount(),
  };
}
