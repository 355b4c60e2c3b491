import { describe, expect, it } from 'vitest';
import { consumerTransportOptions, kafkaConfigFromEnv } from './config.js';

describe('Kafka config from the environment', () => {
  it('defaults to the embedded broker, no SASL, no TLS', () => {
    const c = kafkaConfigFromEnv('order-db', {});
    expect(c).toMatchObject({ clientId: 'order-db', brokers: ['127.0.0.1:9092'] });
    expect(c.sasl).toBeUndefined();
    expect(c.ssl).toBeUndefined();
  });

  it('reads brokers, SASL/SCRAM and TLS', () => {
    const c = kafkaConfigFromEnv('crm', {
      KAFKA_BROKERS: 'a:9093, b:9093',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
      KAFKA_SSL: 'true',
    });
    expect(c).toMatchObject({
      brokers: ['a:9093', 'b:9093'],
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    });
  });

  it('names the variable that is wrong', () => {
    expect(() =>
      kafkaConfigFromEnv('x', {
        KAFKA_SASL_MECHANISM: 'gssapi',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }),
    ).toThrow(/KAFKA_SASL_MECHANISM/);
    expect(() => kafkaConfigFromEnv('x', { KAFKA_SASL_MECHANISM: 'plain' })).toThrow(/KAFKA_SASL_USERNAME/);
    expect(() => kafkaConfigFromEnv('x', { KAFKA_SSL: 'yes' })).toThrow(/KAFKA_SSL/);
  });

  it('makes the consumer group exactly the app name and reads the retained stream from the start', () => {
    const o = consumerTransportOptions('order-db', {}).options!;
    expect(o.postfixId).toBe('');
    expect(o.consumer?.groupId).toBe('order-db');
    expect(o.client?.clientId).toBe('order-db');
    expect(o.subscribe?.fromBeginning).toBe(true);
  });
});
