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
