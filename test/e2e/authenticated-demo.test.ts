/**
 * The demo with a SASL login on its embedded broker (`npm run demo -- --sasl user:password`): the
 * apps log in through KAFKA_SASL_* exactly as against a managed Kafka, and an order still flows
 * from the storefront to order-db. A client without the login gets nothing.
 *
 * Run once, on SQLite: skipped with E2E_KAFKA (that broker is plaintext) and on PostgreSQL (the
 * login does not depend on the database).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startDemo, type RunningDemo } from '@orders/demo';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Shop } from './shop.js';
import { EXTERNAL_KAFKA, REPO, waitFor } from './system.js';

const skip = !!EXTERNAL_KAFKA || !!process.env.DATABASE_URL?.startsWith('postgres');
const LOGIN = { username: 'learner', password: 'rehearse-managed-kafka' };
const APPS_USED = ['storefront', 'order-db', 'carrier'];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe.skipIf(skip)('the demo with SASL on the Kafka port', () => {
  let demo: RunningDemo;
  let workDir: string;
  const lines: string[] = [];
  const appPorts: Record<string, number> = {};

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-sasl-'));
    for (const app of APPS_USED) appPorts[app] = await freePort();
    demo = await startDemo({
      rootDir: REPO,
      workDir,
      dataDir: path.join(workDir, 'sps'),
      ports: {
        kafka: await freePort(),
        http: await freePort(),
        control: await freePort(),
        smtp: await freePort(),
        mailHttp: await freePort(),
        kinesis: null,
        apps: appPorts,
      },
      without: ['email', 'shipping', 'erp-stock', 'crm', 'promo-counter'],
      load: false,
      sasl: { ...LOGIN, mechanism: 'scram-sha-512' },
      restart: 'never',
      color: false,
      output: (l) => lines.push(l),
    });
  });

  afterAll(async () => {
    await demo?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('says the broker requires SASL, and an order reaches order-db through authenticated apps', async () => {
    expect(lines.join('\n')).toMatch(/broker listening: Kafka \S+ \(SASL_PLAINTEXT, user learner\)/);
    const url = (app: string) => `http://127.0.0.1:${appPorts[app]}`;
    const log = () => lines.slice(-30).join('\n');
    // order-db answers /health with 200 once its consumer has logged in and joined its group.
    await waitFor(
      null,
      'order-db to join its group',
      async () => (await fetch(`${url('order-db')}/health`)).ok,
      60_000,
      log,
    );
    const shop = new Shop(url('storefront'));
    const order = await waitFor(null, 'the storefront to take an order', () => shop.place(), 60_000, log);
    await waitFor(
      null,
      `order ${order.orderId} in order-db`,
      async () => (await fetch(`${url('order-db')}/orders/${order.orderId}`)).status === 200,
      60_000,
      log,
    );
  });

  it('a client without the login cannot list topics', async () => {
    const admin = new Kafka({
      brokers: [demo.broker!.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect();
  });
});
