/**
 * The broker's side of the Kinesis API's port (libs/kinesis-api StreamStore): the same topic
 * registry, logs and append notifier the Kafka handlers use, so a record written in one dialect is
 * read in the other.
 */
import { AppendNotifier } from './appends.js';
import type { StreamStore, StreamTopic } from '@orders/kinesis-api';
import type { BrokerState } from './state.js';
import { deleteTopic } from './topic-deletion.js';

export function kinesisStore(state: BrokerState, dataDir: string): StreamStore {
  const topics = state.topics;
  return {
    dataDir,
    logger: state.logger,
    defaultRetentionMs: () => state.settings.log.retentionMs,
    list: (): StreamTopic[] => topics.list(),
    get: (name) => topics.get(name),
    creating: (name) => topics.pending(name) !== undefined,
    create: (name, partitions) => topics.create(name, partitions),
    delete: (name) => deleteTopic(state, name),
    addPartitions: (name, total) => topics.addPartitions(name, total),
    async setRetentionMs(name, ms) {
      const topic = topics.get(name);
      if (!topic) throw new Error(`topic '${name}' does not exist`);
      await topics.setOverrides(name, { ...topic.overrides, 'retention.ms': String(ms) });
    },
    appended(topic, partition, bytes) {
      state.stats.producedBatches++;
      state.stats.producedBytes += bytes;
      state.appends.notify(topic, partition);
    },
    waitForAppend: (topic, partitions, timeoutMs) =>
      state.appends.wait(
        partitions.map((p) => AppendNotifier.key(topic, p)),
        timeoutMs,
      ),
  };
}
