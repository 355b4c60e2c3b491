import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { bootstrapHttpApp, type RunningApp } from '@orders/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CarrierModule } from './app.module.js';

let dir: string;
let carrier: RunningApp;
const start = () =>
  bootstrapHttpApp({ name: 'carrier', module: CarrierModule, port: 0, handleSignals: false });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'carrier-'));
  process.env.CARRIER_DATA_FILE = path.join(dir, 'carrier.json');
  carrier = await start();
});
afterAll(async () => {
  await carrier?.close();
  await rm(dir, { recursive: true, force: true });
});

const book = (key?: string) =>
  fetch(`${carrier.url}/shipments`, { method: 'POST', headers: key ? { 'idempotency-key': key } : {} });
const admin = (what: string, body: unknown) =>
  fetch(`${carrier.url}/admin/${what}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('carrier', () => {
  it('gives the same tracking number for a repeated idempotency key, also after a restart', async () => {
    const first = await book('order-1');
    expect(first.status).toBe(201);
    const shipment = (await first.json()) as { trackingNumber: string; carrier: string };
    expect(shipment.trackingNumber).toMatch(/^PSX\d{11}$/);
    const again = await book('order-1');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(shipment);
    expect(((await (await book('order-2')).json()) as { trackingNumber: string }).trackingNumber).not.toBe(
      shipment.trackingNumber,
    );

    await carrier.close();
    carrier = await start();
    expect(await (await book('order-1')).json()).toEqual(shipment);
  });

  it('needs the Idempotency-Key header', async () => {
    expect((await book()).status).toBe(400);
  });

  it('can be taken down and brought back', async () => {
    expect((await admin('down', { down: true })).status).toBe(200);
    expect((await book('order-3')).status).toBe(503);
    await admin('down', { down: false });
    expect((await book('order-3')).status).toBe(201);
  });

  it('fails at the configured error rate and adds the configured latency', async () => {
    await admin('error-rate', { rate: 1 });
    expect((await book('order-4')).status).toBe(500);
    await admin('error-rate', { rate: 0 });
    await admin('latency', { ms: 150 });
    const t = Date.now();
    expect((await book('order-4')).status).toBe(201);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    await admin('latency', { ms: 0 });
    const state = (await (await fetch(`${carrier.url}/admin/state`)).json()) as Record<string, unknown>;
    expect(state).toMatchObject({ latencyMs: 0, errorRate: 0, down: false, shipments: 4 });
  });

  it('refuses a bad switch value with the reason', async () => {
    const res = await admin('error-rate', { rate: 2 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/rate/);
  });
});

describe('booking a batch (POST /shipments/batch)', () => {
  const batch = (keys: unknown[]) =>
    fetch(`${carrier.url}/shipments/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bookings: keys.map((idempotencyKey) => ({ idempotencyKey })) }),
    });
  type Result = { idempotencyKey: string; status: number; trackingNumber?: string; error?: string };
  const results = async (res: Response) => ((await res.json()) as { results: Result[] }).results;

  it('answers each booking in order, a key seen before (in a batch or not) with its shipment, also after a restart', async () => {
    const single = (await (await book('batch-0')).json()) as { trackingNumber: string };
    const res = await batch(['batch-1', 'batch-0', 'batch-2', 'batch-1']);
    expect(res.status).toBe(200);
    const answered = await results(res);
    expect(answered.map((r) => [r.idempotencyKey, r.status])).toEqual([
      ['batch-1', 201],
      ['batch-0', 200],
      ['batch-2', 201],
      ['batch-1', 200],
    ]);
    expect(answered[1]!.trackingNumber).toBe(single.trackingNumber);
    expect(answered[3]!.trackingNumber).toBe(answered[0]!.trackingNumber);
    expect(answered[2]!.trackingNumber).toMatch(/^PSX\d{11}$/);

    await carrier.close();
    carrier = await start();
    const again = await results(await batch(['batch-2', 'batch-1']));
    expect(again.map((r) => r.trackingNumber)).toEqual([
      answered[2]!.trackingNumber,
      answered[0]!.trackingNumber,
    ]);
    expect(((await (await book('batch-1')).json()) as { trackingNumber: string }).trackingNumber).toBe(
      answered[0]!.trackingNumber,
    );
  });

  it('fails each booking at the error rate, refuses the whole batch while down, and adds the latency once', async () => {
    await admin('error-rate', { rate: 1 });
    const failed = await results(await batch(['batch-3', 'batch-4']));
    expect(failed).toEqual([
      { idempotencyKey: 'batch-3', status: 500, error: 'simulated failure (error rate 1)' },
      { idempotencyKey: 'batch-4', status: 500, error: 'simulated failure (error rate 1)' },
    ]);
    await admin('error-rate', { rate: 0 });
    await admin('down', { down: true });
    expect((await batch(['batch-3'])).status).toBe(503);
    await admin('down', { down: false });
    await admin('latency', { ms: 150 });
    const t = Date.now();
    expect((await results(await batch(['batch-3', 'batch-4', 'batch-5']))).map((r) => r.status)).toEqual([
      201, 201, 201,
    ]);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    await admin('latency', { ms: 0 });
  });

  it('refuses a batch that is empty, too big or has a booking without a key, and books nothing of it', async () => {
    const { shipments } = (await (await fetch(`${carrier.url}/admin/state`)).json()) as { shipments: number };
    for (const keys of [[], Array.from({ length: 501 }, (_, i) => `big-${i}`), ['batch-6', '']]) {
      const res = await batch(keys);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/bookings/);
    }
    expect(
      ((await (await fetch(`${carrier.url}/admin/state`)).json()) as { shipments: number }).shipments,
    ).toBe(shipments);
  });
});

describe("the carrier's admin switches", () => {
  const raw = (method: string, p: string, headers: Record<string, string>, payload?: string) =>
    new Promise<{ status: number; error?: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: carrier.port, method, path: p, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, ...(JSON.parse(text) as { error?: string }) }),
        );
      });
      req.on('error', reject);
      req.end(payload);
    });

  it('refuse a write from another site, a text/plain body and a rebinding Host; nothing changes', async () => {
    const local = { host: `localhost:${carrier.port}` };
    const down = JSON.stringify({ down: true });
    const foreign = await raw(
      'POST',
      '/admin/down',
      { ...local, origin: 'http://localhost:1', 'content-type': 'application/json' },
      down,
    );
    expect(foreign.status).toBe(403);
    expect((await raw('POST', '/admin/down', { ...local, 'content-type': 'text/plain' }, down)).status).toBe(
      415,
    );
    const rebound = await raw('GET', '/admin/state', { host: 'evil.example' });
    expect(rebound.status).toBe(403);
    expect(rebound.error).toContain('ALLOWED_HOSTS=evil.example');
    expect((await raw('GET', '/health', { host: 'evil.example' })).status).toBe(403);
    expect(((await (await fetch(`${carrier.url}/admin/state`)).json()) as { down: boolean }).down).toBe(
      false,
    );
  });

  it('listen on 127.0.0.1 unless HOST says otherwise', async () => {
    expect(carrier.url).toBe(`http://127.0.0.1:${carrier.port}`);
    expect((carrier.app.getHttpServer() as net.Server).address()).toMatchObject({ address: '127.0.0.1' });
  });
});
