// Backpressure: a broker that stops answering. The storefront keeps at most STOREFRONT_MAX_QUEUED
// orders waiting for it and answers every order beyond that at once with 503 + Retry-After (nothing
// published, memory bounded); when the broker answers again, each waiting order gets its own 202.
import net from 'node:net';
import { bootstrapHttpApp, type RunningApp } from '@orders/messaging';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../../test/helpers/broker.js';
import { freePorts } from '../../../test/helpers/ports.js';
import { ORDERS_TOPIC } from '@orders/contracts';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { StorefrontModule } from './app.module.js';
import { OrderBatcher, Overloaded } from './order-batcher.js';

/** A TCP proxy in front of the broker that can hold back the broker's answers. */
class HoldingProxy {
  private held = false;
  private readonly backlog: [net.Socket, Buffer][] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;

  constructor(target: number) {
    this.server = net.createServer((client) => {
      const broker = net.connect(target, '127.0.0.1');
      for (const s of [client, broker]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => (client.destroy(), broker.destroy()));
      }
      client.on('data', (chunk) => broker.write(chunk));
      broker.on('data', (chunk) => (this.held ? this.backlog.push([client, chunk]) : client.write(chunk)));
    });
  }
  listen(port: number) {
    return new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }
  hold() {
    this.held = true;
  }
  release() {
    this.held = false;
    for (const [socket, chunk] of this.backlog.splice(0)) socket.write(chunk);
  }
  close() {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(resolve));
  }
}

const MAX_QUEUED = 5;
let broker: TestBroker;
let proxy: HoldingProxy;
let storefront: RunningApp;

beforeAll(async () => {
  const [proxyPort] = await freePorts(1);
  broker = await startTestBroker({ advertisedPort: proxyPort }); // every client goes through the proxy
  proxy = new HoldingProxy(broker.port);
  await proxy.listen(proxyPort!);
  process.env.KAFKA_BROKERS = `127.0.0.1:${proxyPort}`;
  process.env.STOREFRONT_MAX_QUEUED = String(MAX_QUEUED);
  process.env.STOREFRONT_MAX_WAIT_MS = '60000'; // this test's hold must not run into the wait limit
  storefront = await bootstrapHttpApp({
    name: 'storefront',
    module: StorefrontModule,
    port: 0,
    handleSignals: false,
  });
});
afterAll(async () => {
  proxy?.release();
  await storefront?.close();
  await proxy?.close();
  await broker?.destroy();
});

const order = (i: number) => ({
  customer: {
    email: `buyer-${i}@example.org`,
    name: `Buyer ${i}`,
    address: { line1: `${i} Queue Street`, city: 'Berlin', postalCode: '10115', country: 'DE' },
  },
  lines: [{ sku: 'MUG-001', qty: 1 }],
});
const post = (body: unknown) =>
  fetch(`${storefront.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

it('refuses orders beyond the queue with 503 and Retry-After while the broker is stuck, then places the queued ones', async () => {
  expect((await post(order(0))).status).toBe(202); // connected, partitions known

  proxy.hold();
  const answers = Array.from({ length: MAX_QUEUED + 7 }, (_, i) => post(order(i + 1)));
  // The orders beyond the queue are answered while the broker still says nothing…
  const settled: { status: number; retryAfter: string | null; body: Record<string, unknown> }[] = [];
  for (const a of answers)
    void a.then(async (res) =>
      settled.push({
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: (await res.json()) as Record<string, unknown>,
      }),
    );
  const deadline = Date.now() + 60_000;
  while (settled.filter((s) => s.status === 503).length < 7 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const refused = settled.filter((s) => s.status === 503);
  expect(refused).toHaveLength(7);
  for (const r of refused) {
    expect(r.retryAfter).toBe('1');
    expect(String(r.body.message)).toMatch(/^the shop is busy: 5 orders are waiting for the broker/);
  }
  const health = (await (await fetch(`${storefront.url}/health`)).json()) as { queued: number };
  expect(health.queued).toBe(MAX_QUEUED);
  expect(settled.filter((s) => s.status === 202)).toHaveLength(0);

  // …and once it answers, each waiting order learns where it landed.
  proxy.release();
  const all = await Promise.all(answers);
  const placed = settled.filter((s) => s.status === 202);
  expect(all.filter((r) => r.status === 202)).toHaveLength(MAX_QUEUED);
  while (placed.length < MAX_QUEUED) {
    await new Promise((r) => setTimeout(r, 20));
    placed.splice(0, placed.length, ...settled.filter((s) => s.status === 202));
  }
  const where = placed.map((p) => `${p.body.partition}@${p.body.offset}`);
  expect(new Set(where).size).toBe(MAX_QUEUED);
});

it('refuses an order that could not go out within maxWaitMs, and still places the one the broker took', async () => {
  const kafka = new Kafka({
    clientId: 'wait-test',
    brokers: [process.env.KAFKA_BROKERS!],
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  const { topics } = await admin.fetchTopicMetadata({ topics: [ORDERS_TOPIC] });
  await admin.disconnect();
  const batcher = new OrderBatcher(producer, () => topics[0]!.partitions, {
    topic: ORDERS_TOPIC,
    lingerMs: 0,
    maxBatch: 500,
    maxQueued: 100,
    maxWaitMs: 300,
  });
  try {
    proxy.hold();
    const first = batcher.send({ key: 'a', value: 'first' }); // goes out, the answer is held
    while (batcher.waiting > 0) await new Promise((r) => setTimeout(r, 5)); // sent, not answered yet
    const queued = [batcher.send({ key: 'b', value: 'second' }), batcher.send({ key: 'c', value: 'third' })];
    for (const q of queued) {
      const err = await q.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Overloaded);
      expect((err as Overloaded).message).toMatch(/has not taken the order within 0.3 s; try again in 1 s/);
    }
    proxy.release();
    expect(await first).toMatchObject({ partition: expect.any(Number), offset: expect.any(String) });
  } finally {
    proxy.release();
    await producer.disconnect();
  }
});
