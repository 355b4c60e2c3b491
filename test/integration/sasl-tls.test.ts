/**
 * Authentication and TLS on the Kafka port, proven with kafkajs 2.2.4 (as the apps use it) and
 * with raw frames where the exact protocol answer matters: PLAIN and SCRAM-SHA-256/512, with and
 * without TLS, wrong passwords, unauthenticated requests, and the v0 (unframed) token exchange.
 */
import { rm } from 'node:fs/promises';
import kafkajs from 'kafkajs';
import type { SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { kafkaConfigFromEnv } from '@orders/messaging';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { RawConnection } from '../helpers/raw-client.js';
import { selfSignedCert, type TestCert } from '../helpers/tls.js';

const { Kafka, logLevel } = kafkajs;

const USERS = { alice: 'alice-secret', bob: 'p:a,ss=w0rd' };
const MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

function client(broker: TestBroker, sasl: SASLOptions | undefined, ca?: string) {
  return new Kafka({
    clientId: 'sasl-tls-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    sasl,
    ssl: ca ? { ca: [ca], servername: 'localhost' } : undefined,
    connectionTimeout: 5000,
    retry: { retries: 0 },
  });
}

async function produceAndRead(kafka: InstanceType<typeof Kafka>, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: `hello ${topic}` }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `g-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return values;
}

describe('SASL on a plaintext Kafka port (SASL_PLAINTEXT)', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ saslUsers: USERS, groups: { initialRebalanceDelayMs: 0 } });
  });
  afterAll(() => broker?.destroy());

  it('reports SASL_PLAINTEXT and the three mechanisms', () => {
    expect(broker.kafkaListener.securityProtocol).toBe('SASL_PLAINTEXT');
    expect(broker.kafkaListener.saslMechanisms).toEqual(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
  });

  for (const mechanism of MECHANISMS)
    it(`kafkajs with ${mechanism} creates a topic, produces and consumes in a group`, async () => {
      const kafka = client(broker, { mechanism, username: 'bob', password: USERS.bob } as SASLOptions);
      const topic = `t-${mechanism}`;
      expect(await produceAndRead(kafka, topic)).toEqual([`hello ${topic}`]);
    });

  for (const mechanism of MECHANISMS)
    it(`a wrong ${mechanism} password fails with the broker's message, not a retry loop`, async () => {
      const admin = client(broker, {
        mechanism,
        username: 'alice',
        password: 'wrong',
      } as SASLOptions).admin();
      const err = await admin.connect().then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.name).toBe('KafkaJSSASLAuthenticationError');
      expect(err?.message).toMatch(/invalid username or password/);
    });

  it('an unknown user is refused like a wrong password', async () => {
    const admin = client(broker, { mechanism: 'scram-sha-256', username: 'mallory', password: 'x' }).admin();
    await expect(admin.connect()).rejects.toThrow(/invalid username or password/);
  });

  it('answers ApiVersions before login but closes the connection on any other request, as Kafka', async () => {
    const conn = await RawConnection.connect(broker.port);
    const versions = await conn.request(ApiKey.ApiVersions, 0, {});
    expect(versions.errorCode).toBe(ErrorCode.NONE);
    const keys = versions.apiKeys.map((a: { apiKey: number }) => a.apiKey);
    expect(keys).toContain(ApiKey.SaslHandshake);
    expect(keys).toContain(ApiKey.SaslAuthenticate);
    await expect(conn.request(ApiKey.Metadata, 1, { topics: null })).rejects.toThrow(/closed/);
  });

  it('a kafkajs client without SASL settings cannot reach topics', async () => {
    const admin = client(broker, undefined).admin();
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect();
  });

  it('an unsupported mechanism gets UNSUPPORTED_SASL_MECHANISM listing the enabled ones, then a close', async () => {
    const conn = await RawConnection.connect(broker.port);
    const res = await conn.request(ApiKey.SaslHandshake, 1, { mechanism: 'GSSAPI' });
    expect(res.errorCode).toBe(ErrorCode.UNSUPPORTED_SASL_MECHANISM);
    expect(res.mechanisms).toEqual(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
    await conn.onceClosed();
  });

  it('SaslAuthenticate v2 (flexible, as the Java client sends it) logs in with PLAIN', async () => {
    const conn = await RawConnection.connect(broker.port);
    expect((await conn.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode).toBe(0);
    const res = await conn.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: Buffer.from('\0alice\0alice-secret'),
    });
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(Number(res.sessionLifetimeMs)).toBe(0);
    const meta = await conn.request(ApiKey.Metadata, 1, { topics: null });
    expect(meta.brokers).toHaveLength(1);
    conn.close();
  });

  it('a failed SaslAuthenticate answers SASL_AUTHENTICATION_FAILED with a message, then closes', async () => {
    const conn = await RawConnection.connect(broker.port);
    await conn.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' });
    const res = await conn.request(ApiKey.SaslAuthenticate, 1, { authBytes: Buffer.from('\0alice\0nope') });
    expect(res.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(res.errorMessage).toMatch(/invalid username or password \(SASL PLAIN, user 'alice'\)/);
    await conn.onceClosed();
  });

  it('after SaslHandshake v0 the token travels unframed (the pre-KIP-152 exchange) and a good one logs in', async () => {
    const conn = await RawConnection.connect(broker.port);
    const hs = await conn.request(ApiKey.SaslHandshake, 0, { mechanism: 'PLAIN' });
    expect(hs.errorCode).toBe(ErrorCode.NONE);
    const token = Buffer.from('\0alice\0alice-secret');
    const frame = Buffer.alloc(4 + token.length);
    frame.writeInt32BE(token.length);
    token.copy(frame, 4);
    const answer = await conn.sendRaw(frame);
    expect(answer.length).toBe(0); // PLAIN's server token is empty
    const meta = await conn.request(ApiKey.Metadata, 1, { topics: null });
    expect(meta.brokers).toHaveLength(1);
    conn.close();
  });

  it('a wrong unframed token closes the connection (that exchange has no error frame)', async () => {
    const conn = await RawConnection.connect(broker.port);
    await conn.request(ApiKey.SaslHandshake, 0, { mechanism: 'PLAIN' });
    const token = Buffer.from('\0alice\0bad');
    const frame = Buffer.concat([Buffer.alloc(4), token]);
    frame.writeInt32BE(token.length);
    conn.writeRaw(frame);
    await conn.onceClosed();
  });
});

describe('a broker without SASL', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(() => broker?.destroy());

  it('answers SaslHandshake with ILLEGAL_SASL_STATE, as a Kafka PLAINTEXT listener does', async () => {
    const conn = await RawConnection.connect(broker.port);
    const res = await conn.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' });
    expect(res.errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    const meta = await conn.request(ApiKey.Metadata, 1, { topics: null });
    expect(meta.brokers).toHaveLength(1);
    conn.close();
  });
});

describe('TLS on the Kafka port (SSL and SASL_SSL)', () => {
  let cert: TestCert;
  let tlsOnly: TestBroker;
  let saslSsl: TestBroker;
  beforeAll(async () => {
    cert = await selfSignedCert();
    const tls = { cert: cert.cert, key: cert.key };
    tlsOnly = await startTestBroker({ tls, groups: { initialRebalanceDelayMs: 0 } });
    saslSsl = await startTestBroker({ tls, saslUsers: USERS, groups: { initialRebalanceDelayMs: 0 } });
  });
  afterAll(async () => {
    await tlsOnly?.destroy();
    await saslSsl?.destroy();
    if (cert) await rm(cert.dir, { recursive: true, force: true });
  });

  it('kafkajs over TLS without SASL (SSL) produces and consumes', async () => {
    expect(tlsOnly.kafkaListener.securityProtocol).toBe('SSL');
    expect(await produceAndRead(client(tlsOnly, undefined, cert.cert), 'tls-only')).toEqual([
      'hello tls-only',
    ]);
  });

  for (const mechanism of MECHANISMS)
    it(`kafkajs SASL_SSL with ${mechanism} produces and consumes`, async () => {
      const kafka = client(
        saslSsl,
        { mechanism, username: 'alice', password: USERS.alice } as SASLOptions,
        cert.cert,
      );
      const topic = `ssl-${mechanism}`;
      expect(await produceAndRead(kafka, topic)).toEqual([`hello ${topic}`]);
    });

  it('a plaintext client on the TLS port gets no Kafka answer and the broker keeps serving', async () => {
    const conn = await RawConnection.connect(saslSsl.port);
    await expect(conn.request(ApiKey.ApiVersions, 0, {})).rejects.toThrow(/closed/);
    const admin = client(
      saslSsl,
      { mechanism: 'plain', username: 'alice', password: USERS.alice },
      cert.cert,
    ).admin();
    await admin.connect();
    expect(Array.isArray(await admin.listTopics())).toBe(true);
    await admin.disconnect();
  });

  it('a client that does not trust the certificate fails the TLS handshake', async () => {
    const admin = new Kafka({
      brokers: [saslSsl.bootstrap],
      logLevel: logLevel.NOTHING,
      ssl: true, // Node's public CAs only
      sasl: { mechanism: 'plain', username: 'alice', password: USERS.alice },
      retry: { retries: 0 },
    }).admin();
    await expect(admin.connect()).rejects.toThrow(/certificate/i);
  });

  it("the apps' KAFKA_SSL / KAFKA_SSL_CA_FILE / KAFKA_SASL_* settings (kafkaConfigFromEnv) connect with SCRAM-SHA-512", async () => {
    const config = kafkaConfigFromEnv('env-app', {
      KAFKA_BROKERS: `localhost:${saslSsl.port}`,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: cert.caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'alice',
      KAFKA_SASL_PASSWORD: USERS.alice,
    });
    const kafka = new Kafka({ ...config, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    expect(await produceAndRead(kafka, 'from-env')).toEqual(['hello from-env']);
  });
});
