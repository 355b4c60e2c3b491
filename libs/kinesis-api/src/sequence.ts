/** Sequence numbers as the Kinesis API checks them; the encoding itself is in positions.ts. */
import { invalidArgument } from './errors.js';
import { decodeSequenceNumber, SEQUENCE_NUMBER_LENGTH, shardIdOf } from './positions.js';

export * from './positions.js';

/** Decodes a sequence number the client says belongs to `shardId`, with Kinesis' error when not. */
export function sequenceNumberIn(
  sequenceNumber: string,
  partition: number,
  shardId: string,
  stream: string,
): number {
  const position = decodeSequenceNumber(sequenceNumber);
  if (!position)
    throw invalidArgument(
      `StartingSequenceNumber ${sequenceNumber} used in GetShardIterator on shard ${shardId} in stream ${stream} is invalid: ` +
        `sequence numbers here are ${SEQUENCE_NUMBER_LENGTH}-digit numbers that GetRecords, PutRecord or PutRecords returned.`,
    );
  if (position.partition !== partition)
    throw invalidArgument(
      `Invalid StartingSequenceNumber. It encodes shard ${shardIdOf(position.partition)}, but was used in GetShardIterator on shard ${shardId} in stream ${stream}.`,
    );
  return position.offset;
}
