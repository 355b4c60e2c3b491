import type { BrokerState } from './state.js';

/**
 * Deletes a topic and everything hung on it: its logs, its idempotent producers' state and the
 * groups' committed offsets; fetches waiting on it are woken (and then see it gone). DeleteTopics
 * and the Kinesis API's DeleteStream both go through here. Throws if the topic itself could not be
 * deleted (storage failure); the offsets left behind by a failure after that are harmless.
 */
export async function deleteTopic(state: BrokerState, name: string): Promise<void> {
  await state.topics.delete(name);
  state.producers.forgetTopic(name);
  // the topic is gone either way; offsets left behind for it are harmless and dropped later
  await state.groups.offsets.deleteTopic(name).catch((err) =>
    state.logger.warn('committed offsets of a deleted topic not dropped', {
      topic: name,
      error: String(err),
    }),
  );
  state.appends.notifyAll();
}
