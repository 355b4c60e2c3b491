import { describe, expect, it } from 'vitest';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from './consumer-protocol.js';

describe('consumer protocol', () => {
  it('round-trips a subscription and an assignment', () => {
    expect(decodeSubscription(encodeSubscription(['orders', 'orders.dlq']))).toEqual({
      version: 0,
      topics: ['orders', 'orders.dlq'],
    });
    const parts = [{ topic: 'orders', partitions: [0, 3, 4] }];
    expect(decodeAssignment(encodeAssignment(parts))).toEqual({ version: 0, partitions: parts });
  });

  it('reads empty assignment bytes as nothing assigned, and garbage as not-a-consumer', () => {
    expect(decodeAssignment(Buffer.alloc(0))).toEqual({ version: 0, partitions: [] });
    expect(decodeAssignment(Buffer.from([0, 0, 0, 0, 0, 9]))).toBeNull();
    expect(decodeSubscription(Buffer.from([1]))).toBeNull();
  });
});
