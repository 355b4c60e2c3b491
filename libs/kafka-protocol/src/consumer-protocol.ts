/**
 * The "consumer" embedded protocol: what Kafka consumers put in JoinGroup metadata (their
 * subscription) and SyncGroup assignments. The broker treats these as opaque bytes, but decodes
 * them to show who owns which partition (describe, lag, the console) and to refuse OffsetDelete
 * for a topic a group still consumes.
 *
 * Subscription: version int16, topics [string], user_data nullable bytes (v1+: owned partitions).
 * Assignment:   version int16, [topic string, partitions [int32]], user_data nullable bytes.
 */
import { Reader, Writer } from './primitives.js';

export interface ConsumerSubscription {
  version: number;
  topics: string[];
}

export interface ConsumerAssignment {
  version: number;
  partitions: Array<{ topic: string; partitions: number[] }>;
}

/** Returns null for bytes that are not a consumer subscription (another protocol type). */
export function decodeSubscription(bytes: Buffer | null): ConsumerSubscription | null {
  if (!bytes || bytes.length < 2) return null;
  try {
    const r = new Reader(bytes);
    const version = r.int16();
    const n = r.arrayLength();
    const topics: string[] = [];
    for (let i = 0; i < n; i++) topics.push(r.string());
    return { version, topics };
  } catch {
    return null;
  }
}

/** Returns null for bytes that are not a consumer assignment; empty bytes mean "nothing assigned". */
export function decodeAssignment(bytes: Buffer | null): ConsumerAssignment | null {
  if (!bytes || bytes.length === 0) return { version: 0, partitions: [] };
  try {
    const r = new Reader(bytes);
    const version = r.int16();
    const n = r.arrayLength();
    const partitions: ConsumerAssignment['partitions'] = [];
    for (let i = 0; i < n; i++) {
      const topic = r.string();
      const count = r.arrayLength();
      const ps: number[] = [];
      for (let j = 0; j < count; j++) ps.push(r.int32());
      partitions.push({ topic, partitions: ps });
    }
    return { version, partitions };
  } catch {
    return null;
  }
}

export function encodeSubscription(topics: string[], userData: Buffer | null = null): Buffer {
  const w = new Writer().int16(0).int32(topics.length);
  for (const t of topics) w.string(t);
  return w.bytes(userData).toBuffer();
}

export function encodeAssignment(
  partitions: Array<{ topic: string; partitions: number[] }>,
  userData: Buffer | null = null,
): Buffer {
  const w = new Writer().int16(0).int32(partitions.length);
  for (const p of partitions) {
    w.string(p.topic).int32(p.partitions.length);
    for (const id of p.partitions) w.int32(id);
  }
  return w.bytes(userData).toBuffer();
}
