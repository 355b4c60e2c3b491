// kafkajs, set up for a short-lived command: quiet logs, few retries, errors that surface quickly.
import kafkajs from 'kafkajs';
import type { Admin, Kafka as KafkaClient, SASLOptions } from 'kafkajs';
import { clientSecurityFromEnv } from './security.js';

const { Kafka, logLevel } = kafkajs;

export function kafkaClient(bootstrap: string, env: NodeJS.ProcessEnv = process.env): KafkaClient {
  const level = env.SPS_DEBUG ? logLevel.DEBUG : logLevel.NOTHING;
  const { tls, sasl } = clientSecurityFromEnv(env);
  return new Kafka({
    ssl: tls ? (tls.ca ? { ca: [tls.ca] } : true) : undefined,
    sasl: sasl ? (sasl as SASLOptions) : undefined,
    clientId: 'sps-cli',
    brokers: bootstrap.split(','),
    logLevel: level,
    connectionTimeout: 3000,
    requestTimeout: 15000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

/** Runs `fn` with a connected admin client and always disconnects. */
export async function withAdmin<T>(
  bootstrap: string,
  env: NodeJS.ProcessEnv,
  fn: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = kafkaClient(bootstrap, env).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
