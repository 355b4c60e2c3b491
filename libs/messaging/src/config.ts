/** Kafka client configuration from the environment: the one place apps get it from (12-factor). */
import { readFileSync } from 'node:fs';
import type { KafkaOptions } from '@nestjs/microservices';
import { Transport } from '@nestjs/microservices';
import type { GuardOptions } from '@orders/http-guard';
import { logLevel, Partitioners, type KafkaConfig, type SASLOptions } from 'kafkajs';
import './kafkajs-idle-loop.js';
import { kafkaLogCreator } from './log.js';

/** The broker when KAFKA_BROKERS is unset: the embedded broker's default port. */
export const DEFAULT_BROKERS = '127.0.0.1:9092';

/**
 * kafkajs config from
 * - `KAFKA_BROKERS`: comma-separated `host:port` list (default {@link DEFAULT_BROKERS});
 * - `KAFKA_SASL_MECHANISM` (`plain` | `scram-sha-256` | `scram-sha-512`), `KAFKA_SASL_USERNAME`,
 *   `KAFKA_SASL_PASSWORD`;
 * - `KAFKA_SSL`: `true`/`1` for TLS, checked against Node's CA list (public CAs: Event Hubs, MSK,
 *   Confluent Cloud, Redpanda Cloud);
 * - `KAFKA_SSL_CA_FILE`: a PEM file of the CA(s) to trust instead (a private CA, a self-signed
 *   cluster); implies TLS.
 * Throws with a message naming the variable when one is invalid. docs/managed-kafka.md has worked
 * examples for managed services.
 */
export function kafkaConfigFromEnv(clientId: string, env: NodeJS.ProcessEnv = process.env): KafkaConfig {
  const brokers = (env.KAFKA_BROKERS ?? DEFAULT_BROKERS)
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is empty: give host:port[,host:port…]');
  const config: KafkaConfig = {
    clientId,
    brokers,
    logLevel: env.LOG_LEVEL === 'debug' ? logLevel.INFO : logLevel.WARN,
    logCreator: kafkaLogCreator(clientId),
  };
  const ssl = (env.KAFKA_SSL ?? '').trim().toLowerCase();
  if (ssl !== '' && !['true', '1', 'false', '0'].includes(ssl))
    throw new Error(`KAFKA_SSL must be true or false, got "${env.KAFKA_SSL}"`);
  const caFile = env.KAFKA_SSL_CA_FILE?.trim();
  if (caFile) {
    if (ssl === 'false' || ssl === '0')
      throw new Error('KAFKA_SSL_CA_FILE is set but KAFKA_SSL is false: unset one of them');
    let ca: string;
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new Error(`KAFKA_SSL_CA_FILE: cannot read ${caFile} (${(err as Error).message})`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----'))
      throw new Error(`KAFKA_SSL_CA_FILE: ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    config.ssl = { ca: [ca] };
  } else if (ssl === 'true' || ssl === '1') config.ssl = true;
  const mechanism = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  if (!mechanism && (env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD))
    throw new Error(
      'KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD are set but KAFKA_SASL_MECHANISM is not: set it to plain, scram-sha-256 or scram-sha-512',
    );
  if (mechanism) {
    const username = env.KAFKA_SASL_USERNAME;
    const password = env.KAFKA_SASL_PASSWORD;
    if (!username || password === undefined) {
      throw new Error(
        'KAFKA_SASL_MECHANISM is set: KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are needed too',
      );
    }
    if (mechanism !== 'plain' && mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512') {
      throw new Error(
        `KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512, got "${mechanism}"`,
      );
    }
    config.sasl = { mechanism, username, password } as SASLOptions;
  }
  return config;
}

/**
 * Consumer timeouts: a dead instance's partitions move to the survivors within ~10 s. kafkajs sends
 * heartbeats only between fetches, so a new instance joins once every member's idle fetch (at most
 * `maxWaitTimeInMs`) has ended and its next heartbeat has heard of the rebalance: 1 s each makes
 * "start one more instance" take ~2 s instead of ~5 s, for one idle fetch a second per consumer.
 */
export const CONSUMER_TIMEOUTS = {
  sessionTimeout: 10_000,
  heartbeatInterval: 1_000,
  rebalanceTimeout: 30_000,
  maxWaitTimeInMs: 1_000,
};

/**
 * Nest microservice options for a consumer app: consumer group = client id = `app` exactly
 * (`postfixId: ''`), a new group reads the retained stream from the beginning, message values are
 * handed over as bytes (the contract parses them, see {@link OnOrder}).
 */
export function consumerTransportOptions(app: string, env: NodeJS.ProcessEnv = process.env): KafkaOptions {
  return {
    transport: Transport.KAFKA,
    options: {
      client: kafkaConfigFromEnv(app, env),
      // Never auto-create what it subscribes to: the topics are created with their partition counts (topics.ts).
      consumer: { groupId: app, allowAutoTopicCreation: false, ...CONSUMER_TIMEOUTS },
      subscribe: { fromBeginning: true },
      postfixId: '',
      parser: { keepBinary: true },
      // Nest's producer: used by @OnOrder() to dead-letter.
      producer: {
        idempotent: true,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      },
    },
  };
}

/**
 * What every app's HTTP port lets through (@orders/http-guard), from `ALLOWED_HOSTS` (comma-separated
 * names besides this machine's own) and `ADMIN_TOKEN` (writes from other machines), with hints that
 * name those variables. A route an app serves outside Nest's router (the storefront's POST /orders)
 * checks with the same options.
 */
export function httpGuardOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): GuardOptions {
  return {
    allowedHosts: (env.ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    token: env.ADMIN_TOKEN || undefined,
    hints: { allowedHost: 'ALLOWED_HOSTS={name}', token: 'ADMIN_TOKEN={secret}' },
  };
}
