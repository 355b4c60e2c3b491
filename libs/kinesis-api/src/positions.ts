/**
 * Sequence numbers and shard ids: how a Kinesis position maps onto a Kafka (partition, offset).
 * Pure, with no Node imports: the console imports it (`@orders/kinesis-api/positions`) to show the
 * same values the Kinesis API serves.
 *
 * A sequence number here is 56 decimal digits, as long as AWS's, laid out so a person can read it:
 *
 *     49 | pppppppppp (10) | 000000000000000000000000 (24, reserved) | oooooooooooooooooooo (20)
 *
 * "49" is a fixed prefix, then the partition (shard index), 24 reserved zeros, then the Kafka offset,
 * all zero-padded. Within a shard the number grows with the offset (as Kinesis' do) and decodes back
 * exactly, so a record written through Kafka at partition 2 offset 41 is sequence number
 * `49000000000200000000000000000000000000000000000000000041` through Kinesis, and back.
 * Unlike AWS's, ours are dense (offset 41 is followed by 42) and deterministic.
 */
const PREFIX = '49';
const PARTITION_DIGITS = 10;
const RESERVED = '0'.repeat(24);
const OFFSET_DIGITS = 20;
export const SEQUENCE_NUMBER_LENGTH = PREFIX.length + PARTITION_DIGITS + RESERVED.length + OFFSET_DIGITS;
const SEQUENCE_PATTERN = new RegExp(
  `^${PREFIX}(\\d{${PARTITION_DIGITS}})${RESERVED}(\\d{${OFFSET_DIGITS}})$`,
);

export function encodeSequenceNumber(partition: number, offset: number): string {
  return (
    PREFIX +
    String(partition).padStart(PARTITION_DIGITS, '0') +
    RESERVED +
    String(offset).padStart(OFFSET_DIGITS, '0')
  );
}

export interface Position {
  partition: number;
  offset: number;
}

/** The (partition, offset) a sequence number names, or undefined if it is not one of ours. */
export function decodeSequenceNumber(sequenceNumber: string): Position | undefined {
  const m = SEQUENCE_PATTERN.exec(sequenceNumber);
  if (!m) return undefined;
  const partition = Number(m[1]);
  const offset = Number(m[2]);
  if (!Number.isSafeInteger(offset)) return undefined;
  return { partition, offset };
}

const SHARD_ID = /^shardId-(\d{12})$/;

export function shardIdOf(partition: number): string {
  return `shardId-${String(partition).padStart(12, '0')}`;
}

/**
 * The partition a shard id names. Kinesis accepts shard ids without the prefix too ("1" means
 * shardId-000000000001); so do we. Undefined if it is not a shard id.
 */
export function partitionOf(shardId: string): number | undefined {
  const m = SHARD_ID.exec(shardId) ?? /^(\d{1,12})$/.exec(shardId);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}
