import type { BrokerState } from './state.js';

/**
 * Deletes a topic and everything hung on it: its logs, its idempotent producers' state and the
 * groups' committed offsets; fetches waiting on it are woken (and then see it gone). DeleteTopics
 * and the Kinesis API's DeleteStream both go through here.
 */
export async function deleteTopic(state: BrokerState, name: string): Promise<void> {
  await state.topics.delete(name);
  state.producers.forgetTopic(name);
  await state.groups.offsets.deleteTopic(name);
  state.appends.notifyAll();
}
