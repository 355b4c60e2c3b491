// The real carrier app (apps/carrier), started in-process on a free port, with its admin switches.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { bootstrapHttpApp, type RunningApp } from '@orders/messaging';
import { CarrierModule } from '../../carrier/src/app.module.js';

export interface TestCarrier {
  url: string;
  /** POST /admin/down: the carrier answers 503 to every booking while down. */
  setDown(down: boolean): Promise<void>;
  /** POST /admin/latency: added to every booking. */
  setLatency(ms: number): Promise<void>;
  /** GET /admin/state: switches, number of shipments, stats {created, repeated, failed}. */
  state(): Promise<{ shipments: number; stats: { created: number; repeated: number; failed: number } }>;
  close(): Promise<void>;
}

export async function startCarrier(): Promise<TestCarrier> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'carrier-'));
  process.env.CARRIER_DATA_FILE = path.join(dir, 'carrier.json');
  const app: RunningApp = await bootstrapHttpApp({
    name: 'carrier',
    module: CarrierModule,
    port: 0,
    handleSignals: false,
  });
  const admin = async (what: string, body: unknown) => {
    const res = await fetch(`${app.url}/admin/${what}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`carrier /admin/${what}: ${res.status}`);
  };
  return {
    url: app.url,
    setDown: (down) => admin('down', { down }),
    setLatency: (ms) => admin('latency', { ms }),
    async state() {
      return (await (await fetch(`${app.url}/admin/state`)).json()) as Awaited<
        ReturnType<TestCarrier['state']>
      >;
    },
    async close() {
      // A booking the client gave up on (timeout test) leaves its connection open for seconds; drop it.
      (app.app.getHttpServer() as Server).closeAllConnections();
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
