/**
 * The whole orders stream for the end-to-end suite, started the way `npm run demo` starts it (its own
 * `startDemo`: embedded broker, mail catcher, supervisor, control API), but on free ports and in a
 * throwaway working directory, so it neither clashes with nor touches a demo you have running. The
 * apps are real processes (`node apps/<app>/dist/main.js`).
 *
 * Apps that are not built yet are left out and reported as skipped; with CI set, every app must exist.
 * DATABASE_URL=postgresql://… runs the apps on PostgreSQL, in a fresh database dropped afterwards.
 * E2E_KAFKA=host:port runs them against that broker (e.g. Apache Kafka) instead of the embedded one:
 * only KAFKA_BROKERS changes for the apps. Everything the suite reads from the broker (group state,
 * members, committed offsets, high watermarks) goes through the Kafka protocol, so it reads the same
 * on both.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ORDERS_PARTITIONS, ORDERS_TOPIC, TOPICS } from '@orders/contracts';
import { adapterFactory } from '@orders/db';
import { APPS, startDemo, type RunningDemo } from '@orders/demo';
import { Kafka, logLevel, type Admin } from 'kafkajs';

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

/** E2E_KAFKA=host:port: an external broker (Apache Kafka, Redpanda, …) instead of the embedded one. */
export const EXTERNAL_KAFKA = process.env.E2E_KAFKA?.trim() || undefined;

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
  /** The broker: Kafka bootstrap and its port; `external` when it is E2E_KAFKA, not the embedded one. */
  bootstrap: string;
  kafkaPort: number;
  external: boolean;
  /** A connected Kafka admin client on the broker: how the suite reads groups, offsets and lag. */
  admin: Admin;
  /** The demo's control API (on the embedded broker's HTTP port, or its own port). */
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

function kafkaAdmin(bootstrap: string): Admin {
  return new Kafka({
    clientId: 'e2e',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5 },
  }).admin();
}

/**
 * A fresh start on an external broker, as the embedded broker's fresh data directory gives: deletes the
 * system's topics and the six consumer groups left by an earlier run, so that `startDemo` creates the
 * topics anew and every group reads the stream from its beginning. Don't point E2E_KAFKA at a broker
 * whose `orders` you want to keep.
 */
async function resetExternalBroker(bootstrap: string, say: (line: string) => void): Promise<void> {
  const admin = kafkaAdmin(bootstrap);
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const stale = groups.map((g) => g.groupId).filter((g) => (CONSUMERS as readonly string[]).includes(g));
    if (stale.length) {
      await admin.deleteGroups(stale);
      say(`deleted consumer groups left from an earlier run: ${stale.join(', ')}`);
    }
    const names = TOPICS.map((t) => t.name);
    const existing = (await admin.listTopics()).filter((t) => names.includes(t));
    if (existing.length) {
      await admin.deleteTopics({ topics: existing, timeout: 30_000 });
      await waitFor(
        null,
        `the broker to forget the deleted topics ${existing.join(', ')}`,
        async () => !(await admin.listTopics()).some((t) => existing.includes(t)),
        30_000,
      );
      say(`deleted topics left from an earlier run: ${existing.join(', ')}`);
    }
  } finally {
    await admin.disconnect();
  }
}

export async function startSystem(): Promise<System> {
  const names = APPS.map((a) => a.name);
  const [kafka, http, control, smtp, mailHttp, ...appPorts] = await freePorts(5 + names.length);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'orders-e2e-'));
  const logDir = path.join(REPO, 'test-results', 'e2e');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(
    logDir,
    `demo${process.env.DATABASE_URL?.startsWith('postgres') ? '-postgres' : ''}${EXTERNAL_KAFKA ? '-kafka' : ''}.log`,
  );
  const lines: string[] = [];
  const flush = () => writeFileSync(logFile, lines.join('\n') + '\n');
  const output = (line: string) => lines.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
  if (EXTERNAL_KAFKA) await resetExternalBroker(EXTERNAL_KAFKA, (l) => output(`[e2e] ${l}`));

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
    kafka: EXTERNAL_KAFKA,
    workDir,
    dataDir: path.join(workDir, 'sps'),
    ports: ports as Parameters<typeof startDemo>[0]['ports'],
    without: MISSING as string[],
    load: false,
    databaseUrl: pgDb?.url,
    restart: 'never',
    color: false,
    output,
  });
  const url = (app: string) => `http://127.0.0.1:${ports.apps[app]}`;
  const bootstrap = EXTERNAL_KAFKA ?? demo.broker!.bootstrap;
  const admin = kafkaAdmin(bootstrap);
  await admin.connect();
  return {
    demo,
    url,
    bootstrap,
    kafkaPort: Number(bootstrap.split(',')[0]!.split(':').at(-1)),
    external: Boolean(EXTERNAL_KAFKA),
    admin,
    controlUrl: demo.controlUrl,
    mailUrl: demo.mail!.httpUrl,
    databaseUrl: pgDb?.url,
    postgresTables: async () => (pgDb ? pgDb.tables() : null),
    logFile,
    logTail: (n = 40) => (flush(), lines.slice(-n).join('\n')),
    async stop() {
      await admin.disconnect().catch(() => undefined);
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

/**
 * A consumer group as the broker sees it, read over the Kafka protocol (DescribeGroups, OffsetFetch,
 * ListOffsets: what `kafka-consumer-groups --describe` does), so it reads the same on our broker and on
 * Apache Kafka; null if the broker does not know the group.
 */
export async function group(system: System, id: string): Promise<GroupView | null> {
  const { admin } = system;
  const [{ groups }, committed, ends] = await Promise.all([
    admin.describeGroups([id]),
    admin.fetchOffsets({ groupId: id, topics: [ORDERS_TOPIC] }),
    admin.fetchTopicOffsets(ORDERS_TOPIC),
  ]);
  const g = groups.find((x) => x.groupId === id);
  // Kafka answers an unknown group with state Dead (and no error); so does a deleted one.
  if (!g || g.state === 'Dead') return null;
  const high = new Map(ends.map((p) => [p.partition, Number(p.high)]));
  const partitions = (committed.find((t) => t.topic === ORDERS_TOPIC)?.partitions ?? []).map((p) => {
    const committedOffset = Number(p.offset) >= 0 ? Number(p.offset) : null; // -1: nothing committed
    const highWatermark = high.get(p.partition) ?? null;
    return {
      topic: ORDERS_TOPIC,
      partition: p.partition,
      committedOffset,
      highWatermark,
      lag: highWatermark === null ? null : highWatermark - (committedOffset ?? 0),
    };
  });
  const lags = partitions.map((p) => p.lag);
  return {
    id,
    state: g.state,
    members: g.members,
    lag: lags.some((l) => l === null) ? null : lags.reduce((a: number, b) => a + b!, 0),
    partitions,
  };
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
