import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { consumerTransportOptions, kafkaConfigFromEnv } from './config.js';

// A PEM-shaped file: kafkaConfigFromEnv only reads it and hands it to Node's TLS as the trusted CA list.
const dir = mkdtempSync(path.join(os.tmpdir(), 'kafka-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n';
const caFile = path.join(dir, 'ca.pem');
writeFileSync(caFile, PEM);
const notPem = path.join(dir, 'not.pem');
writeFileSync(notPem, 'hello');

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

  it('Azure Event Hubs: SASL PLAIN over TLS, user $ConnectionString, the connection string as password', () => {
    const connectionString =
      'Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=abc=';
    const c = kafkaConfigFromEnv('email', {
      KAFKA_BROKERS: 'shop.servicebus.windows.net:9093',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: '$ConnectionString',
      KAFKA_SASL_PASSWORD: connectionString,
    });
    expect(c).toMatchObject({
      brokers: ['shop.servicebus.windows.net:9093'],
      ssl: true,
      sasl: { mechanism: 'plain', username: '$ConnectionString', password: connectionString },
    });
  });

  it('SCRAM-SHA-256 and SCRAM-SHA-512 (Amazon MSK, Redpanda), mechanism in any case', () => {
    for (const [given, mechanism] of [
      ['SCRAM-SHA-256', 'scram-sha-256'],
      ['scram-sha-512', 'scram-sha-512'],
    ] as const) {
      const c = kafkaConfigFromEnv('x', {
        KAFKA_SASL_MECHANISM: given,
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
        KAFKA_SSL: '1',
      });
      expect(c.sasl).toEqual({ mechanism, username: 'u', password: 'p' });
      expect(c.ssl).toBe(true);
    }
  });

  it('TLS without SASL; KAFKA_SSL=false or 0 is no TLS', () => {
    expect(kafkaConfigFromEnv('x', { KAFKA_SSL: 'TRUE' }).ssl).toBe(true);
    expect(kafkaConfigFromEnv('x', { KAFKA_SSL: 'false' }).ssl).toBeUndefined();
    expect(kafkaConfigFromEnv('x', { KAFKA_SSL: '0' }).ssl).toBeUndefined();
  });

  it('KAFKA_SSL_CA_FILE: trusts that CA instead of the public ones, and implies TLS', () => {
    expect(kafkaConfigFromEnv('x', { KAFKA_SSL_CA_FILE: caFile }).ssl).toEqual({ ca: [PEM] });
    expect(kafkaConfigFromEnv('x', { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: caFile }).ssl).toEqual({
      ca: [PEM],
    });
    expect(() => kafkaConfigFromEnv('x', { KAFKA_SSL_CA_FILE: path.join(dir, 'missing.pem') })).toThrow(
      /KAFKA_SSL_CA_FILE: cannot read .*missing\.pem/,
    );
    expect(() => kafkaConfigFromEnv('x', { KAFKA_SSL_CA_FILE: notPem })).toThrow(
      /KAFKA_SSL_CA_FILE: .* holds no PEM certificate/,
    );
    expect(() => kafkaConfigFromEnv('x', { KAFKA_SSL_CA_FILE: caFile, KAFKA_SSL: 'false' })).toThrow(
      /KAFKA_SSL_CA_FILE is set but KAFKA_SSL is false/,
    );
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
    expect(() => kafkaConfigFromEnv('x', { KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toThrow(
      /KAFKA_SASL_MECHANISM is not/,
    );
    expect(() => kafkaConfigFromEnv('x', { KAFKA_BROKERS: ' , ' })).toThrow(/KAFKA_BROKERS/);
  });

  it('makes the consumer group exactly the app name and reads the retained stream from the start', () => {
    const o = consumerTransportOptions('order-db', {}).options!;
    expect(o.postfixId).toBe('');
    expect(o.consumer?.groupId).toBe('order-db');
    expect(o.client?.clientId).toBe('order-db');
    expect(o.subscribe?.fromBeginning).toBe(true);
  });
});
