export { startKinesisApi, type KinesisApiHandle, type KinesisApiOptions } from './server.js';
export type { KinesisLogger, StreamStore, StreamTopic } from './store.js';
export { decodeSequenceNumber, encodeSequenceNumber, partitionOf, shardIdOf } from './sequence.js';
export { hashKeyOf, hashKeyRange, partitionForHashKey } from './hash-keys.js';
