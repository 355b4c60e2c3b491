/**
 * The terminology switch: the console's words in Kafka's, Kinesis' or Event Hubs' vocabulary.
 * The seed's correlate table (DESIGN.md, libs/contracts TERMINOLOGY) is the source; the console needs
 * a few more words (checkpoint, worker, trim horizon …), each kept next to its counterparts here.
 */

import { encodeSequenceNumber, shardIdOf } from '@orders/kinesis-api/positions';

export type System = 'kafka' | 'kinesis' | 'eventhubs';

export const SYSTEMS: ReadonlyArray<{ id: System; label: string }> = [
  { id: 'kafka', label: 'Kafka' },
  { id: 'kinesis', label: 'Kinesis' },
  { id: 'eventhubs', label: 'Event Hubs' },
];

type Forms = [singular: string, plural: string];

export const WORDS = {
  topic: {
    kafka: ['topic', 'topics'],
    kinesis: ['stream', 'streams'],
    eventhubs: ['event hub', 'event hubs'],
  },
  partition: {
    kafka: ['partition', 'partitions'],
    kinesis: ['shard', 'shards'],
    eventhubs: ['partition', 'partitions'],
  },
  // Event Hubs has both a byte offset and a sequence number; ours is the ordinal, its sequence number.
  offset: {
    kafka: ['offset', 'offsets'],
    kinesis: ['sequence number', 'sequence numbers'],
    eventhubs: ['sequence number', 'sequence numbers'],
  },
  group: {
    kafka: ['consumer group', 'consumer groups'],
    kinesis: ['application', 'applications'],
    eventhubs: ['consumer group', 'consumer groups'],
  },
  member: {
    kafka: ['consumer', 'consumers'],
    kinesis: ['worker', 'workers'],
    eventhubs: ['event processor', 'event processors'],
  },
  committed: {
    kafka: ['committed offset', 'committed offsets'],
    kinesis: ['checkpoint', 'checkpoints'],
    eventhubs: ['checkpoint', 'checkpoints'],
  },
  record: { kafka: ['record', 'records'], kinesis: ['record', 'records'], eventhubs: ['event', 'events'] },
  key: {
    kafka: ['key', 'keys'],
    kinesis: ['partition key', 'partition keys'],
    eventhubs: ['partition key', 'partition keys'],
  },
  logStart: {
    kafka: ['log start offset', 'log start offsets'],
    kinesis: ['trim horizon', 'trim horizons'],
    eventhubs: ['earliest retained event', 'earliest retained events'],
  },
  highWatermark: {
    kafka: ['high watermark', 'high watermarks'],
    kinesis: ['latest sequence number', 'latest sequence numbers'],
    eventhubs: ['last enqueued sequence number', 'last enqueued sequence numbers'],
  },
  retention: {
    kafka: ['retention (retention.ms)', 'retention'],
    kinesis: ['retention period', 'retention periods'],
    eventhubs: ['retention', 'retention'],
  },
  rebalance: {
    kafka: ['rebalance', 'rebalances'],
    kinesis: ['lease rebalance', 'lease rebalances'],
    eventhubs: ['load balancing', 'load balancing'],
  },
  owns: { kafka: ['assigned', 'assigned'], kinesis: ['leases', 'leases'], eventhubs: ['owns', 'owns'] },
  earliest: {
    kafka: ['earliest', 'earliest'],
    kinesis: ['TRIM_HORIZON', 'TRIM_HORIZON'],
    eventhubs: ['earliest', 'earliest'],
  },
  latest: { kafka: ['latest', 'latest'], kinesis: ['LATEST', 'LATEST'], eventhubs: ['latest', 'latest'] },
  lag: { kafka: ['lag', 'lag'], kinesis: ['records behind', 'records behind'], eventhubs: ['lag', 'lag'] },
  producer: {
    kafka: ['producer', 'producers'],
    kinesis: ['producer', 'producers'],
    eventhubs: ['event publisher', 'event publishers'],
  },
} satisfies Record<string, Record<System, Forms>>;

export type Word = keyof typeof WORDS;

export interface TermOptions {
  plural?: boolean;
  /** Capitalise the first letter (titles, column heads). */
  title?: boolean;
}

/** `term('kinesis', 'partition', { plural: true })` → 'shards'. */
export function term(system: System, word: Word, options: TermOptions = {}): string {
  const forms = WORDS[word][system] as Forms;
  const text = forms[options.plural ? 1 : 0];
  return options.title ? capitalise(text) : text;
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A bound translator for one system: `t('partition')`, `t('partition', { plural: true, title: true })`. */
export function translator(system: System) {
  return (word: Word, options?: TermOptions) => term(system, word, options);
}

export type Translate = ReturnType<typeof translator>;

/**
 * Real Kinesis values for the broker's own positions, with the Kinesis API's encoding
 * (libs/kinesis-api positions): under the Kinesis words a partition is its shard id.
 */
export function partitionId(system: System, partition: number): string {
  return system === 'kinesis' ? shardIdOf(partition) : String(partition);
}

/** `partition 2`, or Kinesis' `shardId-000000000002`. */
export function partitionName(system: System, partition: number): string {
  return system === 'kinesis' ? shardIdOf(partition) : `${term(system, 'partition')} ${partition}`;
}

/**
 * The sequence number the Kinesis API gives the record at (partition, offset); null under other
 * words, or for no record (a negative offset: e.g. the checkpoint before offset 0).
 */
export function sequenceNumberAt(system: System, partition: number, offset: number | null): string | null {
  if (system !== 'kinesis' || offset === null || offset < 0) return null;
  return encodeSequenceNumber(partition, offset);
}

export function isSystem(value: unknown): value is System {
  return value === 'kafka' || value === 'kinesis' || value === 'eventhubs';
}
