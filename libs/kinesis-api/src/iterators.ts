/**
 * Shard iterators: opaque to the client, as on AWS, and expiring 5 minutes after they were issued
 * (GetRecords then answers ExpiredIteratorException; every GetRecords hands out a fresh
 * NextShardIterator). Inside: the stream, its topic id, the partition and the next offset to read,
 * the issue time, and an HMAC so a hand-edited iterator is refused rather than misread.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { expiredIterator, invalidArgument } from './errors.js';

export const ITERATOR_LIFETIME_MS = 5 * 60 * 1000;

export interface IteratorState {
  stream: string;
  topicId: string;
  partition: number;
  offset: number;
  issuedAt: number;
}

export class IteratorCodec {
  constructor(private readonly key: Buffer) {}

  encode(state: IteratorState): string {
    const body = Buffer.from(
      JSON.stringify([state.stream, state.topicId, state.partition, state.offset, state.issuedAt]),
      'utf8',
    );
    return Buffer.concat([this.mac(body), body]).toString('base64');
  }

  /** The state an iterator carries; InvalidArgumentException if it is not ours, Expired… if too old. */
  decode(iterator: string, now: number): IteratorState {
    const raw = Buffer.from(iterator, 'base64');
    const mac = raw.subarray(0, 16);
    const body = raw.subarray(16);
    let fields: unknown;
    try {
      if (mac.length !== 16 || !timingSafeEqual(mac, this.mac(body))) throw new Error('bad mac');
      fields = JSON.parse(body.toString('utf8'));
    } catch {
      throw invalidArgument(
        `Invalid ShardIterator: ${iterator.slice(0, 64)}… was not issued by GetShardIterator or GetRecords here.`,
      );
    }
    const [stream, topicId, partition, offset, issuedAt] = fields as [string, string, number, number, number];
    if (now - issuedAt > ITERATOR_LIFETIME_MS)
      throw expiredIterator(
        `Iterator expired. The iterator was created at time ${new Date(issuedAt).toISOString()} while right now it is ${new Date(now).toISOString()} which is further in the future than the tolerated delay of ${ITERATOR_LIFETIME_MS} milliseconds.`,
      );
    return { stream, topicId, partition, offset, issuedAt };
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, 16);
  }
}
