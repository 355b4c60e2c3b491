/** The workshop's labs in order; docs/workshop/<id>-<slug>.md explains each. */
import type { Lab } from '../lab.js';
import { setup } from './00-setup.js';
import { streamTtl } from './01-stream-ttl.js';
import { partitionsKeys } from './02-partitions-keys.js';
import { offsets } from './03-offsets.js';
import { consumerGroups } from './04-consumer-groups.js';
import { idleConsumers } from './05-idle-consumers.js';
import { consumerCrash } from './06-consumer-crash.js';
import { producerRetry } from './07-producer-retry.js';
import { decoupling } from './08-decoupling.js';
import { newConsumer } from './09-new-consumer.js';
import { replay } from './10-replay.js';
import { spikes } from './11-spikes.js';
import { morePartitions } from './12-more-partitions.js';
import { words } from './13-words.js';
import { kinesisApi } from './14-kinesis-api.js';
import { movingToKafka } from './15-moving-to-kafka.js';
import { compactedTopics } from './16-compacted-topics.js';

export const LABS: readonly Lab[] = [
  setup,
  streamTtl,
  partitionsKeys,
  offsets,
  consumerGroups,
  idleConsumers,
  consumerCrash,
  producerRetry,
  decoupling,
  newConsumer,
  replay,
  spikes,
  morePartitions,
  words,
  kinesisApi,
  movingToKafka,
  compactedTopics,
];

/** Numbers kept free for labs that land with other work. */
export const RESERVED: Readonly<Record<string, string>> = {};

export function findLab(n: string): Lab | undefined {
  const id = n.padStart(2, '0');
  return LABS.find((l) => l.id === id || l.slug === n);
}
