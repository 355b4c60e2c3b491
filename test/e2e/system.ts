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
 * E2E_COMPOSE=1 starts nothing: the suite runs against the docker-compose stack that
 * `scripts/compose/compose.sh test` has just brought up fresh (profile COMPOSE_PROFILES, PostgreSQL as
 * the compose file configures it), through the ports it publishes on 127.0.0.1 (deploy/docker-compose.e2e.yml);
 * a consumer is killed and started again with `docker-compose kill/start`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CUSTOMERS_TOPIC, ORDERS_PARTITIONS, ORDERS_TOPIC, TOPICS } from '@orders/contracts';
import { adapterFactory } from '@orders/db';
import { APPS, startDemo } from '@orders/demo';
import { Kafka, logLevel, type Admin, type ISocketFactory } from 'kafkajs';
import { freePorts } from '../helpers/ports.js';

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
/**
 * E2E_TIMEOUT_SCALE (default 1): every bounded wait, and vitest's test timeout, times this — for a slow
 * or busy machine (containers behind docker's port proxy are slower than processes on loopback).
 */
export const TIMEOUT_SCALE = Math.max(1, Number(process.env.E2E_TIMEOUT_SCALE) || 1);
/** E2E_COMPOSE=1: the docker-compose stack (scripts/compose/compose.sh test) instead of processes. */
export const COMPOSE = process.env.E2E_COMPOSE === '1';
/** The apps keep their tables in PostgreSQL (DATABASE_URL=postgresql://…, or the compose stack). */
export const POSTGRES = COMPOSE || Boolean(process.env.DATABASE_URL?.startsWith('postgres'));

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

/** One instance (process or container) of a consumer app, for killing it and starting it again. */
export interface Instance {
  app: string;
  id: string;
}

export interface System {
  /** How it runs: `npm run demo`'s processes, or the docker-compose stack. */
  mode: 'processes' | 'compose';
  /** Base URL of an app's first instance (restarted instances are found again). */
  url(app: string): string;
  /** The demo's control API (processes only; the compose stack has none). */
  controlUrl?: string;
  /** A running instance of each given consumer app. */
  runningInstances(apps: readonly string[]): Promise<Instance[]>;
  /** SIGKILL, no goodbye. */
  kill(instance: Instance): Promise<void>;
  /** Its state once it has exited (status `exited`, the signal that ended it), else null. */
  exited(instance: Instance): Promise<{ signal: string | null } | null>;
  /** The app started again after the kill. */
  startAgain(instance: Instance): Promise<void>;
  /** Compose only: runs `count` instances of the app (`docker-compose up --scale app=count`). */
  scale(app: string, count: number): Promise<void>;
  /** A kafkajs client on the broker (reached through its published port under compose). */
  kafka(): Kafka;
  /** The broker: Kafka bootstrap and its port; `external` when it is E2E_KAFKA, not the embedded one. */
  bootstrap: string;
  kafkaPort: number;
  external: boolean;
  /** A connected Kafka admin client on the broker: how the suite reads groups, offsets and lag. */
  admin: Admin;
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

/** DATABASE_URL=postgres…: a fresh database for this run on that server (dropped by `drop`). */
async function freshPostgresDatabase(url: string) {
  const name = `orders_e2e_${Date.now()}_${process.pid}`;
  const run = async (sql: string) => {
    const adapter = await (await adapterFactory({ provider: 'postgres', url })).connect();
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
      const adapter = await (await adapterFactory({ provider: 'postgres', url: fresh.toString() })).connect();
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

/**
 * Under compose the broker advertises an address inside the compose network (`broker:9092`, a
 * container's IP): every connection goes to the port it publishes on 127.0.0.1 instead (one broker).
 */
function publishedSocket(published: string): ISocketFactory {
  const [host, port] = [published.slice(0, published.lastIndexOf(':')), Number(published.split(':').at(-1))];
  return ({ onConnect }) => {
    const socket = net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };
}

function kafkaClient(bootstrap: string, socketFactory?: ISocketFactory): Kafka {
  return new Kafka({
    clientId: 'e2e',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5 },
    ...(socketFactory ? { socketFactory } : {}),
  });
}

function kafkaAdmin(bootstrap: string): Admin {
  return kafkaClient(bootstrap).admin();
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
    const names = [...TOPICS.map((t) => t.name), CUSTOMERS_TOPIC]; // crm's table too: it starts empty
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
  if (COMPOSE) return attachToCompose();
  const names = APPS.map((a) => a.name);
  const [kafka, http, control, smtp, mailHttp, kinesis, ...appPorts] = await freePorts(6 + names.length);
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
    // As `npm run demo` does: the broker serves the Kinesis API too (lab 14 reads orders through it).
    kinesis,
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
    // Every app at one OS priority: these tests check what the apps do (labels rendered on download,
    // exactly-once effects), not who wins the cores, and a shared CI machine starves a niced consumer.
    consumerNiceness: 0,
    color: false,
    output,
  });
  const url = (app: string) => `http://127.0.0.1:${ports.apps[app]}`;
  const bootstrap = EXTERNAL_KAFKA ?? demo.broker!.bootstrap;
  const admin = kafkaAdmin(bootstrap);
  await admin.connect();
  const controlUrl = demo.controlUrl;
  return {
    mode: 'processes',
    url,
    controlUrl,
    // The demo's control API: the supervisor's instances, killed and started like `npm run demo`'s.
    async runningInstances(apps) {
      return Promise.all(
        apps.map(async (app) => {
          const { body } = await getJson<{ instances: { id: number; status: string }[] }>(
            `${controlUrl}/api/apps/${app}`,
          );
          const live = body.instances.find((i) => i.status === 'running');
          if (!live) throw new Error(`no running instance of ${app}`);
          return { app, id: String(live.id) };
        }),
      );
    },
    async kill({ app, id }) {
      const res = await postJson(`${controlUrl}/api/apps/${app}/instances/${id}/kill`);
      if (res.status !== 202) throw new Error(`kill ${app}#${id}: ${res.status}`);
    },
    async exited({ app, id }) {
      const { body } = await getJson<{ status: string; signal: string | null }>(
        `${controlUrl}/api/apps/${app}/instances/${id}`,
      );
      return body.status === 'exited' ? { signal: body.signal } : null;
    },
    async startAgain({ app }) {
      const res = await postJson(`${controlUrl}/api/apps/${app}/instances`);
      if (res.status !== 201) throw new Error(`start ${app} again: ${res.status}`);
    },
    scale: () => Promise.reject(new Error('scaling is a compose-only scenario')),
    kafka: () => kafkaClient(bootstrap),
    bootstrap,
    kafkaPort: Number(bootstrap.split(',')[0]!.split(':').at(-1)),
    external: Boolean(EXTERNAL_KAFKA),
    admin,
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

// ---- the docker-compose stack (E2E_COMPOSE=1) -----------------------------------------------------

const COMPOSE_SH = path.join(REPO, 'scripts', 'compose', 'compose.sh');

/** `scripts/compose/compose.sh <args>` (docker-compose with the project's files); its stdout. */
function compose(args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      COMPOSE_SH,
      args,
      { cwd: REPO, timeout: timeoutMs, maxBuffer: 64 << 20 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`compose.sh ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

function docker(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('docker', args, { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`docker ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

/**
 * The 127.0.0.1 address a service's container port is published on (what `docker-compose port` says),
 * read with one `docker ps` over the project's containers: much faster than docker-compose 1.29 (Python)
 * on a busy machine.
 */
async function published(service: string, port: number, index = 1): Promise<string> {
  const project = process.env.COMPOSE_PROJECT_NAME?.trim() || 'orders-stream';
  const rows = (
    await docker([
      'ps',
      '--filter',
      `label=com.docker.compose.project=${project}`,
      '--filter',
      `label=com.docker.compose.service=${service}`,
      '--format',
      '{{.Label "com.docker.compose.container-number"}}\t{{.Ports}}',
    ])
  )
    .trim()
    .split('\n')
    .filter(Boolean);
  const ports = rows.find((r) => r.split('\t')[0] === String(index))?.split('\t')[1] ?? '';
  const match = new RegExp(`(127\\.0\\.0\\.1:\\d+)->${port}/tcp`).exec(ports);
  if (!match)
    throw new Error(`${service}#${index}:${port} is not published on 127.0.0.1 (docker ps says '${ports}')`);
  return match[1]!;
}

async function attachToCompose(): Promise<System> {
  const profile = process.env.COMPOSE_PROFILES?.trim() || 'sps';
  const broker = profile === 'kafka' ? 'kafka' : 'sps';
  const logDir = path.join(REPO, 'test-results', 'e2e');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `compose-${broker}.log`);
  const appPorts = Object.fromEntries(APPS.map((a) => [a.name, a.port]));
  const urls = new Map<string, string>();
  const findUrl = async (app: string) => urls.set(app, `http://${await published(app, appPorts[app]!)}`);
  await Promise.all([...REQUIRED_HTTP_APPS, ...PRESENT].map(findUrl));
  const mailUrl = `http://${await published('mailpit', 8025)}`;
  const kafkaAddress = await published(broker, 9092);
  const socketFactory = publishedSocket(kafkaAddress);
  const admin = kafkaClient(kafkaAddress, socketFactory).admin();
  await admin.connect();
  const project = process.env.COMPOSE_PROJECT_NAME?.trim() || 'orders-stream';
  const containerOf = async (app: string, index = 1) =>
    (
      await docker([
        'ps',
        '-q',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--filter',
        `label=com.docker.compose.service=${app}`,
        '--filter',
        `label=com.docker.compose.container-number=${index}`,
      ])
    ).trim() || undefined;
  const logs = (n: number) => {
    try {
      return execFileSync(COMPOSE_SH, ['logs', '--no-color', `--tail=${n}`], {
        cwd: REPO,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        timeout: 60_000,
      });
    } catch (err) {
      return `(docker-compose logs failed: ${String(err)})`;
    }
  };
  return {
    mode: 'compose',
    url: (app) => {
      const u = urls.get(app);
      if (!u) throw new Error(`${app} has no published port`);
      return u;
    },
    async runningInstances(apps) {
      return Promise.all(
        apps.map(async (app) => {
          const id = await containerOf(app);
          if (!id) throw new Error(`no container of ${app}`);
          return { app, id };
        }),
      );
    },
    // Asynchronously: a test process that blocks its event loop for seconds finds its keep-alive
    // sockets to the storefront closed under it.
    async kill({ id }) {
      await docker(['kill', '--signal=KILL', id]);
    },
    async exited({ id }) {
      const [status, code] = (await docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id]))
        .trim()
        .split(' ');
      // A container's exit code is 128 + the signal that ended its main process.
      return status === 'exited' ? { signal: code === '137' ? 'SIGKILL' : `exit ${code}` } : null;
    },
    async startAgain({ app, id }) {
      await docker(['start', id]);
      await findUrl(app); // a restarted container may get another ephemeral port
    },
    async scale(app, count) {
      await compose(
        ['dc', 'up', '-d', '--no-deps', '--no-build', '--no-recreate', '--scale', `${app}=${count}`, app],
        180_000,
      );
    },
    kafka: () => kafkaClient(kafkaAddress, socketFactory),
    bootstrap: kafkaAddress,
    kafkaPort: Number(kafkaAddress.split(':').at(-1)),
    external: true,
    admin,
    mailUrl,
    databaseUrl: undefined,
    async postgresTables() {
      const out = await compose([
        'exec',
        '-T',
        'postgres',
        'psql',
        '-U',
        'orders',
        '-d',
        'orders',
        '-AtF',
        ' ',
        '-c',
        `SELECT table_schema, table_name FROM information_schema.tables
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
      ]);
      const tables: Record<string, string[]> = {};
      for (const line of out.split('\n').filter(Boolean)) {
        const [schema, table] = line.split(' ');
        (tables[schema!] ??= []).push(table!);
      }
      return tables;
    },
    logFile,
    logTail: (n = 40) => logs(n),
    async stop() {
      await admin.disconnect().catch(() => undefined);
      writeFileSync(logFile, logs(100_000));
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
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/**
 * The apps' `/admin/*` switches (the carrier's) take writes from other machines only with
 * `ADMIN_TOKEN`; through docker's port proxy a request comes from the gateway, not loopback, so
 * under compose the suite sends the token the stack was started with.
 */
export function adminHeaders(): Record<string, string> {
  const token = process.env.ADMIN_TOKEN;
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * Polls `check` until it returns something truthy; after `ms` fails with `what`, the last value seen
 * (`describe`) and the tail of the system's log.
 */
export async function waitFor<T>(
  system: System | null,
  what: string,
  check: () => Promise<T | undefined | null | false>,
  givenMs: number,
  describe?: () => Promise<string> | string,
): Promise<T> {
  const ms = givenMs * TIMEOUT_SCALE;
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
