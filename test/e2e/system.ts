/**
 * The whole orders stream for the end-to-end suite, started the way `npm run demo` starts it (its own
 * `startDemo`: embedded broker, mail catcher, supervisor, control API), but on free ports and in a
 * throwaway working directory, so it neither clashes with nor touches a demo you have running. The
 * apps are real processes (`node apps/<app>/dist/main.js`).
 *
 * Apps that are not built yet are left out and reported as skipped; with CI set, every app must exist.
 * DATABASE_URL=postgresql://… runs the apps on PostgreSQL, in a fresh database dropped afterwards.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ORDERS_PARTITIONS, ORDERS_TOPIC } from '@orders/contracts';
import { adapterFactory } from '@orders/db';
import { APPS, startDemo, type RunningDemo } from '@orders/demo';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The six consumer groups, one app each (DESIGN.md). */
export const CONSUMERS = ['order-db', 'email', 'shipping', 'erp-stock', 'crm', 'promo-counter'] as const;
export type Consumer = (typeof CONSUMERS)[number];

const built = (app: string) => existsSync(path.join(REPO, 'apps', app, 'dist', 'main.js'));

/** Which consumer apps are built, decided once, when the suite is loaded. */
export const PRESENT: readonly Consumer[] = CONSUMERS.filter(built);
export const MISSING: readonly Consumer[] = CONSUMERS.filter((a) => !built(a));
/** The storefront and the carrier are the system itself: never skipped. */
export const REQUIRED_HTTP_APPS = ['storefront', 'carrier'] as const;
export const has = (app: Consumer) => PRESENT.includes(app);

export interface GroupView {
  id: string;
  state: string;
  members: unknown[];
  lag: number | null;
  partitions: {
    topic: string;
    partition: number;
    committedOffset: number | null;
    highWatermark: number | null;
    lag: number | null;
  }[];
}

export interface System {
  demo: RunningDemo;
  /** Base URL of an app's first instance (restarted instances get the same port back). */
  url(app: string): string;
  /** The broker: Kafka bootstrap, its Kafka port, and its HTTP admin API (which also serves the control API). */
  bootstrap: string;
  kafkaPort: number;
  brokerUrl: string;
  controlUrl: string;
  /** The mail catcher's HTTP API (Mailpit's shape). */
  mailUrl: string;
  databaseUrl: string | undefined;
  /** PostgreSQL only: tables per schema in this run's database (null on SQLite). */
  postgresTables(): Promise<Record<string, string[]> | null>;
  /** Every log line of the demo and its apps, also written to `logFile`. */
  logFile: string;
  logTail(n?: number): string;
  stop(): Promise<void>;
}

/** Ports the OS says are free, all different (held open together while they are picked). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** DATABASE_URL=postgres…: a fresh database for this run on that server (dropped by `drop`). */
async function freshPostgresDatabase(url: string) {
  const name = `orders_e2e_${Date.now()}_${process.pid}`;
  const run = async (sql: string) => {
    const adapter = await adapterFactory({ provider: 'postgres', url }).connect();
    try {
      await adapter.executeScript(sql);
    } finally {
      await adapter.dispose();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return {
    url: fresh.toString(),
    drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    /** The schemas in the fresh database that hold tables, with their tables. */
    async tables(): Promise<Record<string, string[]>> {
      const adapter = await adapterFactory({ provider: 'postgres', url: fresh.toString() }).connect();
      try {
        const result = await adapter.queryRaw({
          sql: `SELECT table_schema::text, table_name::text FROM information_schema.tables
                WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
          args: [],
          argTypes: [],
        });
        const out: Record<string, string[]> = {};
        for (const [schema, table] of result.rows) (out[String(schema)] ??= []).push(String(table));
        return out;
      } finally {
        await adapter.dispose();
      }
    },
  };
}

export async function startSystem(): Promise<System> {
  const names = APPS.map((a) => a.name);
  const [kafka, http, control, smtp, mailHttp, ...appPorts] = await freePorts(5 + names.length);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'orders-e2e-'));
  const logDir = path.join(REPO, 'test-results', 'e2e');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(
    logDir,
    `demo${process.env.DATABASE_URL?.startsWith('postgres') ? '-postgres' : ''}.log`,
  );
  const lines: string[] = [];
  const flush = () => writeFileSync(logFile, lines.join('\n') + '\n');

  const pgDb = process.env.DATABASE_URL?.startsWith('postgres')
    ? await freshPostgresDatabase(process.env.DATABASE_URL)
    : null;
  const ports = {
    kafka,
    http,
    control,
    smtp,
    mailHttp,
    apps: Object.fromEntries(names.map((n, i) => [n, appPorts[i]!])),
  };
  const demo = await startDemo({
    rootDir: REPO,
    workDir,
    dataDir: path.join(workDir, 'sps'),
    ports: ports as Parameters<typeof startDemo>[0]['ports'],
    without: MISSING as string[],
    load: false,
    databaseUrl: pgDb?.url,
    restart: 'never',
    color: false,
    output: (line) => lines.push(`${new Date().toISOString().slice(11, 23)} ${line}`),
  });
  const url = (app: string) => `http://127.0.0.1:${ports.apps[app]}`;
  return {
    demo,
    url,
    bootstrap: demo.broker!.bootstrap,
    kafkaPort: kafka!,
    brokerUrl: `http://127.0.0.1:${demo.broker!.httpPort}`,
    controlUrl: demo.controlUrl,
    mailUrl: demo.mail!.httpUrl,
    databaseUrl: pgDb?.url,
    postgresTables: async () => (pgDb ? pgDb.tables() : null),
    logFile,
    logTail: (n = 40) => (flush(), lines.slice(-n).join('\n')),
    async stop() {
      await demo.stop();
      flush();
      await pgDb?.drop().catch(() => undefined);
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

// ---- reading the system, with bounded waits ------------------------------------------------------

export async function getJson<T = unknown>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function postJson<T = unknown>(
  url: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/**
 * Polls `check` until it returns something truthy; after `ms` fails with `what`, the last value seen
 * (`describe`) and the tail of the system's log.
 */
export async function waitFor<T>(
  system: System | null,
  what: string,
  check: () => Promise<T | undefined | null | false>,
  ms: number,
  describe?: () => Promise<string> | string,
): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const state = describe ? await Promise.resolve(describe()).catch((e: unknown) => String(e)) : '';
      throw new Error(
        [
          `timed out after ${ms / 1000} s waiting for ${what}`,
          state && `last seen: ${state}`,
          lastError ? `last error: ${String(lastError)}` : '',
          system ? `log (${system.logFile}), last lines:\n${system.logTail()}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A consumer group as the broker sees it (`GET /api/groups/:id`); null if the broker does not know it. */
export async function group(system: System, id: string): Promise<GroupView | null> {
  const { status, body } = await getJson<GroupView>(
    `${system.brokerUrl}/api/groups/${encodeURIComponent(id)}`,
  );
  return status === 200 ? body : null;
}

/** The group's lag on `orders`: high watermark − committed offset, summed over the partitions. */
export function ordersLag(g: GroupView | null): number | null {
  if (!g) return null;
  const parts = g.partitions.filter((p) => p.topic === ORDERS_TOPIC);
  if (parts.length < ORDERS_PARTITIONS) return null; // not yet assigned everywhere
  return parts.reduce((sum, p) => sum + Math.max(0, (p.highWatermark ?? 0) - (p.committedOffset ?? 0)), 0);
}

/** True when the group has a live member and has committed everything on `orders`. */
export async function caughtUp(system: System, app: string): Promise<boolean> {
  const g = await group(system, app);
  return g !== null && g.state === 'Stable' && g.members.length > 0 && ordersLag(g) === 0;
}

/** Waits until every given consumer group has read and committed everything on `orders`. */
export async function waitCaughtUp(system: System, apps: readonly string[], ms: number): Promise<void> {
  await waitFor(
    system,
    `${apps.join(', ')} to catch up with the stream`,
    async () => (await Promise.all(apps.map((a) => caughtUp(system, a)))).every(Boolean),
    ms,
    async () =>
      (
        await Promise.all(
          apps.map(async (a) => {
            const g = await group(system, a);
            return `${a}: ${g ? `${g.state}, ${g.members.length} member(s), lag ${ordersLag(g)}` : 'unknown'}`;
          }),
        )
      ).join('; '),
  );
}
