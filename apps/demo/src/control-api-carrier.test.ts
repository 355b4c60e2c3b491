// The control API's carrier switches (/api/carrier/…) are a thin proxy to the carrier's admin API.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlApi } from './control-api.js';
import { Supervisor } from './supervisor.js';
import { FIXTURE_APPS, fixtureRoot } from './testing/fixture-app.js';

const calls: Array<{ method: string; path: string; body: unknown }> = [];
const switches = { down: false, latencyMs: 0, errorRate: 0 };
let carrier: http.Server;
let control: http.Server;
let base: string;
let root: string;

beforeAll(async () => {
  carrier = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c));
    req.on('end', () => {
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
      calls.push({ method: req.method!, path: req.url!, body });
      if (req.url === '/admin/down') switches.down = body!.down as boolean;
      if (req.url === '/admin/latency') {
        if (typeof body?.ms !== 'number') {
          res.writeHead(400, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ message: 'ms: a number 0 … 600000' }));
        }
        switches.latencyMs = body.ms;
      }
      if (req.url === '/admin/error-rate') switches.errorRate = body!.rate as number;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(switches));
    });
  });
  await new Promise<void>((r) => carrier.listen(0, '127.0.0.1', r));
  root = fixtureRoot();
  const sup = new Supervisor({ rootDir: root, apps: FIXTURE_APPS, output: () => undefined });
  const route = createControlApi(sup, {
    carrierUrl: `http://127.0.0.1:${(carrier.address() as AddressInfo).port}`,
  });
  control = http.createServer(async (req, res) => {
    if (!(await route(req, res))) res.writeHead(404).end();
  });
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => control.close(() => r()));
  await new Promise<void>((r) => carrier.close(() => r()));
  rmSync(root, { recursive: true, force: true });
});

const post = async (path: string, body?: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('the carrier switches', () => {
  it('fail, slow, add errors and restore the carrier through its admin API', async () => {
    expect((await post('/api/carrier/down')).body.down).toBe(true);
    expect((await post('/api/carrier/latency', { ms: 2000 })).body.latencyMs).toBe(2000);
    expect((await post('/api/carrier/error-rate', { rate: 0.5 })).body.errorRate).toBe(0.5);
    const restored = await post('/api/carrier/restore');
    expect(restored.status).toBe(200);
    expect(restored.body).toEqual({ down: false, latencyMs: 0, errorRate: 0 });
    expect(calls.map((c) => c.path).slice(-3)).toEqual([
      '/admin/down',
      '/admin/latency',
      '/admin/error-rate',
    ]);
    expect(((await (await fetch(`${base}/api/carrier`)).json()) as { down: boolean }).down).toBe(false);
  });

  it("passes the carrier's refusals on, and names the actions for an unknown one", async () => {
    const bad = await post('/api/carrier/latency', { ms: 'slow' });
    expect(bad.status).toBe(400);
    const unknown = await post('/api/carrier/explode');
    expect(unknown.status).toBe(404);
    expect(String(unknown.body.error)).toContain('/restore');
  });
});
