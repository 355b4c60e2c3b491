// The real carrier app (apps/carrier), started in-process on a free port, with its admin switches.
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
  /** POST /admin/error-rate: the share of bookings that fail with 500. */
  setErrorRate(rate: number): Promise<void>;
  /** The paths of the POST requests it was sent, oldest first. */
  requests(): { path: string }[];
  /** While true, answers POST /shipments/batch with 404, like a carrier that books one order per request. */
  withoutBatches(on: boolean): void;
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
  // In front of the app's own request handler: note each POST, and play a carrier without batches.
  const server = app.app.getHttpServer() as Server;
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  const requests: { path: string }[] = [];
  let noBatches = false;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'POST') requests.push({ path });
    if (noBatches && path === '/shipments/batch') {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ message: 'Cannot POST /shipments/batch' }));
    }
    for (const handle of handlers) handle(req, res);
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
    setErrorRate: (rate) => admin('error-rate', { rate }),
    requests: () => [...requests],
    withoutBatches: (on) => void (noBatches = on),
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
