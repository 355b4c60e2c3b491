// The console's side of the broker's HTTP port: static files at /, the live feed (/api/stream), the
// records of a partition, and resetting an inactive group's offsets (with the loopback-or-token rule).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type BrokerHandle } from './broker.js';
import { LiveFeed, Ring } from './live.js';
import { silentLogger } from './logger.js';

/** Responses are checked field by field below, so they are read loosely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const body = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

let broker: BrokerHandle;
let dataDir: string;
let consoleDir: string;
let kafka: Kafka;
let base: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sps-http-console-'));
  consoleDir = await mkdtemp(path.join(os.tmpdir(), 'sps-console-dist-'));
  await mkdir(path.join(consoleDir, 'assets'));
  await writeFile(path.join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(path.join(consoleDir, 'assets', 'index-abc123.js'), 'console.log(1)');
  broker = await startBroker({
    port: 0,
    httpPort: 0,
    dataDir,
    consoleDir,
    logger: silentLogger,
    groups: { initialRebalanceDelayMs: 0 },
    live: { intervalMs: 200 },
  });
  base = `http://127.0.0.1:${broker.httpPort}`;
  kafka = new Kafka({ clientId: 'console-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await broker?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(consoleDir, { recursive: true, force: true });
});

async function produce(topic: string, count: number, partition = 0): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: count }, (_, i) => ({
      key: `k${i}`,
      value: JSON.stringify({ n: i }),
      partition,
      headers: { 'schema-version': '1' },
    })),
  });
  await producer.disconnect();
}

describe('the console at /', () => {
  it('serves index.html at / and for client-side routes, hashed assets as immutable, and 404s missing files', async () => {
    const root = await fetch(`${base}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(root.headers.get('cache-control')).toBe('no-cache');
    expect(await root.text()).toContain('<title>console</title>');

    const route = await fetch(`${base}/groups/order-db`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>console</title>');

    const asset = await fetch(`${base}/assets/index-abc123.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const again = await fetch(`${base}/assets/index-abc123.js`, {
      headers: { 'if-none-match': asset.headers.get('etag')! },
    });
    expect(again.status).toBe(304);

    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    // A path cannot climb out of the directory: it stays inside (here: the page's fallback).
    expect(await (await fetch(`${base}/..%2f..%2f..%2fetc/passwd`)).text()).not.toContain('root:');
    // The admin API is unaffected.
    expect((await fetch(`${base}/api/health`)).headers.get('content-type')).toContain('application/json');
  });
});

describe('GET /api/stream', () => {
  it('sends the history, then a snapshot of topics and groups every interval', async () => {
    await broker.state.topics.create('live-a', 2);
    await produce('live-a', 4, 1);
    const events = await readEvents(`${base}/api/stream`, 3, 5000);
    expect(events[0]!.event).toBe('history');
    expect(events[1]!.event).toBe('snapshot');
    const snap = events[2]!.data as {
      topics: Array<{ name: string; partitions: Array<{ highWatermark: number }> }>;
    };
    const topic = snap.topics.find((t) => t.name === 'live-a')!;
    expect(topic.partitions.map((p) => p.highWatermark)).toEqual([0, 4]);
  });
});

describe('the live feed', () => {
  it('keeps lag history per group and records in/out per topic per second', async () => {
    await broker.state.topics.create('live-b', 1);
    const feed = new LiveFeed(broker.state, { historySize: 3 });
    feed.sample(1000);
    await produce('live-b', 10);
    await broker.state.groups.commit(
      {
        groupId: 'live-g',
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        offsets: [{ topic: 'live-b', partition: 0, offset: 4, leaderEpoch: -1, metadata: null }],
      },
      () => true,
    );
    feed.sample(3000); // 2 s later: 10 records in, the group now at 4 (it had nothing)
    await broker.state.groups.commit(
      {
        groupId: 'live-g',
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        offsets: [{ topic: 'live-b', partition: 0, offset: 10, leaderEpoch: -1, metadata: null }],
      },
      () => true,
    );
    feed.sample(4000);
    const h = feed.history();
    expect(h.throughput['live-b']!.map((p) => p.in)).toEqual([0, 5, 0]);
    expect(h.throughput['live-b']!.at(-1)!.out).toBe(6);
    expect(h.lag['live-g']!.map((p) => p.lag)).toEqual([6, 0]);
    expect(h.lag['live-g']![0]!.partitions).toEqual({ 'live-b:0': 6 });
    feed.sample(5000);
    feed.sample(6000);
    expect(feed.history().throughput['live-b']).toHaveLength(3); // bounded
    feed.close();
  });

  it('keeps a ring buffer bounded, oldest first', () => {
    const r = new Ring<number>(3);
    for (let i = 1; i <= 5; i++) r.push(i);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.last()).toBe(5);
  });
});

describe('GET /api/topics/:name/partitions/:p/records', () => {
  it('answers the newest records, or from an offset, with key, headers, value and timestamp', async () => {
    await broker.state.topics.create('inspect-a', 1);
    await produce('inspect-a', 30);
    const latest = await body(fetch(`${base}/api/topics/inspect-a/partitions/0/records?limit=5`));
    expect(latest.highWatermark).toBe(30);
    expect(latest.records.map((r: { offset: number }) => r.offset)).toEqual([25, 26, 27, 28, 29]);
    expect(latest.records[0]).toMatchObject({
      key: 'k25',
      value: '{"n":25}',
      encoding: 'utf8',
      headers: [{ key: 'schema-version', value: '1' }],
    });
    const one = await body(fetch(`${base}/api/topics/inspect-a/partitions/0/records?offset=7&limit=1`));
    expect(one.records).toHaveLength(1);
    expect(one.records[0].offset).toBe(7);
    const out = await fetch(`${base}/api/topics/inspect-a/partitions/0/records?offset=99`);
    expect(out.status).toBe(416);
    expect((await body(out)).error).toContain('0 … 30');
    expect((await fetch(`${base}/api/topics/nope/partitions/0/records`)).status).toBe(404);
    expect((await fetch(`${base}/api/topics/inspect-a/partitions/3/records`)).status).toBe(404);
  });
});

describe('POST /api/groups/:id/reset-offsets', () => {
  const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('moves an inactive group to earliest, an offset, a time or latest, and is refused while it has members', async () => {
    await broker.state.topics.create('reset-a', 2);
    await produce('reset-a', 10, 0);
    await produce('reset-a', 6, 1);
    const consumer = kafka.consumer({ groupId: 'reset-g', sessionTimeout: 6000, heartbeatInterval: 300 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'reset-a', fromBeginning: true });
    let seen = 0;
    await consumer.run({ autoCommitInterval: 50, eachMessage: async () => void seen++ });
    await expect.poll(() => seen, { timeout: 15_000 }).toBe(16);

    const busy = await post('/api/groups/reset-g/reset-offsets', { topic: 'reset-a', to: 'earliest' });
    expect(busy.status).toBe(409);
    expect((await body(busy)).error).toContain('active member');
    await consumer.disconnect();

    await expect
      .poll(async () => (await fetch(`${base}/api/groups/reset-g`).then(body)).lag, {
        timeout: 10_000,
      })
      .toBe(0);
    const earliest = await post('/api/groups/reset-g/reset-offsets', { topic: 'reset-a', to: 'earliest' });
    expect(earliest.status).toBe(200);
    expect((await body(earliest)).partitions).toEqual([
      { partition: 0, from: 10, to: 0 },
      { partition: 1, from: 6, to: 0 },
    ]);
    const detail = await fetch(`${base}/api/groups/reset-g`).then(body);
    expect(detail.lag).toBe(16);

    const offset = await body(
      post('/api/groups/reset-g/reset-offsets', {
        topic: 'reset-a',
        to: { offset: 8 },
        partitions: [0],
      }),
    );
    expect(offset.partitions).toEqual([{ partition: 0, from: 0, to: 8 }]);
    const clamped = await body(
      post('/api/groups/reset-g/reset-offsets', {
        topic: 'reset-a',
        to: { offset: 999 },
        partitions: [1],
      }),
    );
    expect(clamped.partitions).toEqual([{ partition: 1, from: 0, to: 6 }]);
    const future = await body(
      post('/api/groups/reset-g/reset-offsets', {
        topic: 'reset-a',
        to: { timestamp: Date.now() + 60_000 },
        dryRun: true,
      }),
    );
    expect(future.partitions.map((p: { to: number }) => p.to)).toEqual([10, 6]);
    expect(future.dryRun).toBe(true);

    expect(
      (await post('/api/groups/reset-g/reset-offsets', { topic: 'reset-a', to: 'sideways' })).status,
    ).toBe(400);
    expect((await post('/api/groups/reset-g/reset-offsets', { topic: 'nope', to: 'earliest' })).status).toBe(
      404,
    );
    expect(
      (await post('/api/groups/nobody/reset-offsets', { topic: 'reset-a', to: 'earliest' })).status,
    ).toBe(404);
    const foreign = await post(
      '/api/groups/reset-g/reset-offsets',
      { topic: 'reset-a', to: 'earliest' },
      { origin: 'http://evil.example' },
    );
    expect(foreign.status).toBe(403);
    const form = await fetch(`${base}/api/groups/reset-g/reset-offsets`, {
      method: 'POST',
      body: 'topic=reset-a',
    });
    expect(form.status).toBe(415);
  });
});

/** Reads the first `count` server-sent events. */
function readEvents(
  url: string,
  count: number,
  timeoutMs: number,
): Promise<Array<{ event: string; data: unknown }>> {
  return new Promise((resolve, reject) => {
    const out: Array<{ event: string; data: unknown }> = [];
    const req = http.get(url, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) out.push({ event, data: JSON.parse(data) });
          if (out.length >= count) {
            req.destroy();
            resolve(out);
            return;
          }
        }
      });
    });
    req.on('error', (err) => (out.length >= count ? undefined : reject(err)));
    setTimeout(() => {
      req.destroy();
      reject(new Error(`only ${out.length} events within ${timeoutMs} ms`));
    }, timeoutMs).unref();
  });
}
