import { describe, expect, it } from 'vitest';
import { closest, describeError, unknownTopicError } from './errors.js';

describe('errors people can act on', () => {
  it('an unknown topic lists the topics there are and the likely one', () => {
    expect(unknownTopicError('ordres', ['orders', 'orders.dlq', '__consumer_offsets']).message).toBe(
      "topic 'ordres' does not exist (did you mean 'orders'?); topics: orders, orders.dlq",
    );
    expect(unknownTopicError('payments', ['orders']).message).toBe(
      "topic 'payments' does not exist; topics: orders",
    );
    expect(unknownTopicError('x', []).message).toBe("topic 'x' does not exist; there are no topics yet");
  });

  it('suggests only close names', () => {
    expect(closest('order', ['orders', 'customers'])).toBe('orders');
    expect(closest('shipping', ['orders'])).toBeUndefined();
  });

  it('a connection the broker closes points at the TLS and SASL settings', () => {
    expect(describeError(new Error('Closed connection'), '127.0.0.1:9093')).toMatch(
      /^the broker at 127.0.0.1:9093 closed the connection: if it requires TLS or a SASL login, set KAFKA_SSL=true/,
    );
  });

  it('a refused connection says how to start a broker or point at one', () => {
    const err = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      originalError: Object.assign(new Error('connect ECONNREFUSED'), {
        name: 'KafkaJSConnectionError',
        code: 'ECONNREFUSED',
      }),
    });
    const text = describeError(err, '127.0.0.1:9092');
    expect(text).toContain('cannot connect to the broker at 127.0.0.1:9092 (connection refused)');
    expect(text).toContain('npx sps serve');
    expect(text).toContain('KAFKA_BROKERS');
  });

  it('broker error codes keep their Kafka name', () => {
    const err = Object.assign(new Error('Configuration is invalid'), { type: 'INVALID_CONFIG' });
    expect(describeError(err)).toBe('Configuration is invalid (INVALID_CONFIG)');
  });
});
