import { ErrorCode } from '@orders/kafka-protocol';
import type { BrokerState } from './state.js';
import { topicNameProblem, type Topic } from './topics.js';

/** Creates a topic a client asked for by name, when the broker allows it (Kafka's auto.create.topics.enable). */
export async function autoCreateTopic(
  state: BrokerState,
  name: string,
): Promise<{ topic?: Topic; errorCode: number }> {
  const existing = state.topics.get(name);
  if (existing) return { topic: existing, errorCode: ErrorCode.NONE };
  const pending = state.topics.pending(name);
  if (pending)
    return pending.then(
      (topic) => ({ topic, errorCode: ErrorCode.NONE }),
      () => ({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE }),
    );
  if (!state.settings.autoCreateTopics) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  if (topicNameProblem(name)) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION };
  try {
    const topic = await state.topics.create(name, state.settings.defaultPartitions);
    return { topic, errorCode: ErrorCode.NONE };
  } catch {
    // Lost a race with another request creating it: that one wins.
    const topic = state.topics.get(name);
    return topic ? { topic, errorCode: ErrorCode.NONE } : { errorCode: ErrorCode.LEADER_NOT_AVAILABLE };
  }
}
