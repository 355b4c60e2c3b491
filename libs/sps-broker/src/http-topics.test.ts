// The console's topic writes on the broker's HTTP port: create a topic, add partitions, change its
// configs (TTL), with the broker's own rules and messages and the loopback-or-token rule.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type BrokerHandle } from './broker.js';
import { silentLogger } from './logger.js';

/** Responses are checked field by field below, so they are read loosely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const body = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

let broker: BrokerHandle;
let dataDir: string;
let base: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sps-http-topics-'));
  broker = await startBroker({
    port: 0,
    httpPort: 0,
    dataDir,
    logger: silentLogger,
    consoleToken: 's3cret',
  });
  base = `http://127.0.0.1:${broker.httpPort}`;
});

afterAll(async () => {
  await broker?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const call = (method: string, p: string, json: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${p}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(json),
  });

describe('POST /api/topics', () => {
  it('creates a topic with its partitions and configs, visible to Kafka clients too', async () => {
    const res = await call('POST', '/api/topics', {
      name: 'made-here',
      partitions: 3,
      configs: { 'retention.ms': '60000' },
    });
    expect(res.status).toBe(201);
    expect(await body(res)).toEqual({
      name: 'made-here',
      partitionCount: 3,
      overrides: { 'retention.ms': '60000' },
    });
    const detail = await body(fetch(`${base}/api/topics/made-here`));
    expect(detail.partitions).toHaveLength(3);
    expect(detail.retention.retentionMs).toBe(60_000);

    const kafka = new Kafka({ clientId: 't', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: ['made-here'] });
    await admin.disconnect();
    expect(meta.topics[0]!.partitions).toHaveLength(3);
    // The list is still a GET on the same path.
    const list = await body(fetch(`${base}/api/topics`));
    expect(list.topics.map((t: { name: string }) => t.name)).toContain('made-here');
  });

  it('answers 409 when it exists and 400 naming what is wrong', async () => {
    await call('POST', '/api/topics', { name: 'twice', partitions: 1 });
    const again = await call('POST', '/api/topics', { name: 'twice', partitions: 1 });
    expect(again.status).toBe(409);
    expect((await body(again)).error).toBe("Topic 'twice' already exists.");

    const cases: Array<[unknown, string]> = [
      [{ name: 'bad name!', partitions: 1 }, 'characters other than'],
      [{ name: '', partitions: 1 }, 'topic name is empty'],
      [{ partitions: 1 }, 'name'],
      [{ name: 'zero', partitions: 0 }, 'Number of partitions must be larger than 0.'],
      [{ name: 'half', partitions: 1.5 }, 'partitions'],
      [
        { name: 'cfg', partitions: 1, configs: { 'retention.ms': 'soon' } },
        "invalid value 'soon' for retention.ms",
      ],
      [{ name: 'cfg', partitions: 1, configs: { 'colour.ms': '1' } }, "unknown topic config 'colour.ms'"],
      [[], 'send JSON'],
    ];
    for (const [json, message] of cases) {
      const res = await call('POST', '/api/topics', json);
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect((await body(res)).error).toContain(message);
    }
    expect(broker.state.topics.get('cfg')).toBeUndefined();
    expect(broker.state.topics.get('zero')).toBeUndefined();
  });
});

describe('POST /api/topics/:name/partitions', () => {
  it('adds partitions, and refuses anything but an increase in Kafka’s words', async () => {
    await call('POST', '/api/topics', { name: 'grow', partitions: 3 });
    const res = await call('POST', '/api/topics/grow/partitions', { total: 5 });
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ name: 'grow', partitionCount: 5, added: 2 });
    expect(broker.state.topics.get('grow')!.partitions).toHaveLength(5);

    const same = await call('POST', '/api/topics/grow/partitions', { total: 5 });
    expect(same.status).toBe(400);
    expect((await body(same)).error).toBe('The topic grow already has 5 partition(s).');
    const fewer = await call('POST', '/api/topics/grow/partitions', { total: 2 });
    expect(fewer.status).toBe(400);
    expect((await body(fewer)).error).toBe(
      'The topic grow currently has 5 partition(s); 2 would not be an increase.',
    );
    expect((await call('POST', '/api/topics/grow/partitions', { total: 'six' })).status).toBe(400);
    const missing = await call('POST', '/api/topics/nope/partitions', { total: 2 });
    expect(missing.status).toBe(404);
    expect((await body(missing)).error).toContain("topic 'nope' does not exist");
    expect((await call('GET', '/api/topics/grow/partitions', undefined)).status).toBe(405);
  });
});

describe('PATCH /api/topics/:name/configs', () => {
  it('merges overrides, deletes one with null (back to the default), and refuses invalid configs', async () => {
    await call('POST', '/api/topics', {
      name: 'ttl',
      partitions: 1,
      configs: { 'segment.bytes': '1048576' },
    });
    const defaultMs = (await body(fetch(`${base}/api/topics/ttl`))).retention.retentionMs;
    const set = await call('PATCH', '/api/topics/ttl/configs', { 'retention.ms': '60000' });
    expect(set.status).toBe(200);
    expect((await body(set)).overrides).toEqual({ 'segment.bytes': '1048576', 'retention.ms': '60000' });
    // The live logs use it at once.
    expect(broker.state.topics.get('ttl')!.partitions[0]!.config.retentionMs).toBe(60_000);
    const detail = await body(fetch(`${base}/api/topics/ttl`));
    expect(detail.configs).toContainEqual({ name: 'retention.ms', value: '60000', source: 'topic' });

    const bad = await call('PATCH', '/api/topics/ttl/configs', { 'retention.ms': '-5' });
    expect(bad.status).toBe(400);
    expect((await body(bad)).error).toContain("invalid value '-5' for retention.ms");
    const unknown = await call('PATCH', '/api/topics/ttl/configs', { 'colour.ms': null });
    expect(unknown.status).toBe(400);
    expect((await body(unknown)).error).toContain("unknown topic config 'colour.ms'");
    expect((await call('PATCH', '/api/topics/ttl/configs', {})).status).toBe(400);
    expect((await call('PATCH', '/api/topics/nope/configs', { 'retention.ms': '1' })).status).toBe(404);
    expect(broker.state.topics.get('ttl')!.overrides['retention.ms']).toBe('60000'); // unchanged

    const reset = await call('PATCH', '/api/topics/ttl/configs', { 'retention.ms': null });
    expect((await body(reset)).overrides).toEqual({ 'segment.bytes': '1048576' });
    expect((await body(fetch(`${base}/api/topics/ttl`))).retention.retentionMs).toBe(defaultMs);
    expect((await call('POST', '/api/topics/ttl/configs', { 'retention.ms': '1' })).status).toBe(405);
  });
});

describe('who may create, grow and change topics', () => {
  it('refuses a foreign Origin and a form body, accepts the token and a same-site Origin', async () => {
    const foreign = await call(
      'POST',
      '/api/topics',
      { name: 'evil', partitions: 1 },
      { origin: 'http://evil.example' },
    );
    expect(foreign.status).toBe(403);
    expect((await body(foreign)).error).toContain('another site');
    for (const [method, p] of [
      ['POST', '/api/topics/grow/partitions'],
      ['PATCH', '/api/topics/grow/configs'],
    ] as const) {
      const res = await call(method, p, { total: 9, 'retention.ms': '1' }, { origin: 'http://evil.example' });
      expect(res.status, p).toBe(403);
    }
    expect(broker.state.topics.get('evil')).toBeUndefined();
    expect(broker.state.topics.get('grow')!.partitions).toHaveLength(5);

    const form = await fetch(`${base}/api/topics`, { method: 'POST', body: 'name=form' });
    expect(form.status).toBe(415);

    const sameSite = await call(
      'POST',
      '/api/topics',
      { name: 'same-site', partitions: 1 },
      { origin: base, authorization: 'Bearer s3cret' },
    );
    expect(sameSite.status).toBe(201);
  });
});

/** node:http, which (unlike fetch) may set Host, as a DNS-rebinding page's requests carry it. */
function raw(method: string, p: string, headers: Record<string, string>, payload?: string) {
  return new Promise<{ status: number; error?: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: broker.httpPort!, method, path: p, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, ...(JSON.parse(text) as { error?: string }) }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('the HTTP port against DNS rebinding and cross-site pages', () => {
  it('refuses POST /api/topics and record reads when Host is not a name of this server', async () => {
    const created = await raw(
      'POST',
      '/api/topics',
      { host: 'evil.example', origin: 'http://evil.example', 'content-type': 'application/json' },
      JSON.stringify({ name: 'rebound', partitions: 1 }),
    );
    expect(created.status).toBe(403);
    expect(created.error).toMatch(/Host 'evil\.example' is not a name of this server/);
    expect(broker.state.topics.get('rebound')).toBeUndefined();
    const read = await raw('GET', '/api/topics/grow/partitions/0/records', { host: 'evil.example:9080' });
    expect(read.status).toBe(403);
    const ok = await raw('GET', '/api/topics/grow/partitions/0/records', {
      host: `localhost:${broker.httpPort}`,
    });
    expect(ok.status).toBe(200);
  });

  it('refuses Origin: null and text/plain bodies (a no-preflight cross-site request)', async () => {
    const sandboxed = await call(
      'POST',
      '/api/topics',
      { name: 'sandboxed', partitions: 1 },
      { origin: 'null' },
    );
    expect(sandboxed.status).toBe(403);
    const plain = await fetch(`${base}/api/topics`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ name: 'plain', partitions: 1 }),
    });
    expect(plain.status).toBe(415);
    expect((await body(plain)).error).toContain('Content-Type: application/json');
    expect(broker.state.topics.get('sandboxed')).toBeUndefined();
    expect(broker.state.topics.get('plain')).toBeUndefined();
  });

  it('answers a malformed %-escape in the path with 400, not 500', async () => {
    for (const p of ['/api/topics/%E0%A4%A', '/api/topics/%zz/partitions/0/records', '/api/groups/%']) {
      const res = await fetch(`${base}${p}`);
      expect(res.status, p).toBe(400);
      expect((await body(res)).error).toMatch(/malformed %-escape/);
    }
    expect((await call('POST', '/api/topics/%zz/partitions', { total: 9 })).status).toBe(400);
  });
});
