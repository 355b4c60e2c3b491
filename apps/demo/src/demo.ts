/**
 * `npm run demo`: the whole orders stream on one machine. The embedded broker (its HTTP port also
 * serves the control API), the mail catcher, the carrier, the storefront and the six consumer apps as
 * child processes, and a gentle order trickle. Ctrl-C stops it all: apps first (gracefully), then the
 * broker.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isLoopback } from '@orders/http-guard';
import { TOPICS } from '@orders/contracts';
import { startBroker, type BrokerHandle, type BrokerOptions, type Logger } from '@orders/sps-broker';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { APPS, discoverApps, type AppDefinition } from './apps.js';
import { createControlApi, type HttpRoute } from './control-api.js';
import { runWhenIdle } from './cpu-priority.js';
import { OrderTrickle } from './load.js';
import type { MailCatcher } from './mail-catcher.js';
import { startSideServices } from './side-services.js';
import { Supervisor, type InstanceInfo, type RestartPolicy } from './supervisor.js';
import { tracesApi, type TraceQueries } from './traces.js';

/** OTLP/HTTP, where the demo receives traces when no collector is configured. */
const OTLP_PORT = 4318;

export interface DemoOptions {
  /** Repository root: apps run there and `.data/` lives there. */
  rootDir: string;
  /** Apps not to start. */
  without?: string[];
  /** An external broker (`host:port`); then no embedded broker. */
  kafka?: string;
  /** The order trickle: orders per second (default 0.5); 0 or load=false turns it off. */
  rate?: number;
  load?: boolean;
  /**
   * Lets write actions (control API, console) come from other machines with
   * `Authorization: Bearer <token>`; without it only this machine may write.
   */
  token?: string;
  /**
   * Interface for the broker's HTTP port (console, admin and control API); default 127.0.0.1. The
   * Kafka port and the apps stay on loopback.
   */
  host?: string;
  /** Names other machines may use to reach the HTTP port besides its addresses and hostname. */
  allowedHosts?: readonly string[];
  /**
   * SASL login for the Kafka port: the embedded broker then requires it (PLAIN, SCRAM-SHA-256/512)
   * with this one user, and every app logs in through KAFKA_SASL_* (mechanism default
   * scram-sha-256). With `kafka`, the credentials for that broker.
   */
  sasl?: { username: string; password: string; mechanism?: 'plain' | 'scram-sha-256' | 'scram-sha-512' };
  /** Broker data directory (default `<root>/.data/sps`). */
  dataDir?: string;
  /** Passed to the apps as DATABASE_URL (default: unset, so they use SQLite under .data/). */
  databaseUrl?: string;
  restart?: RestartPolicy;
  /**
   * The console's built files, served at `/` by the embedded broker's HTTP port (default
   * `<root>/apps/console/dist` when built; null: none).
   */
  consoleDir?: string | null;
  /** Port of the control API when the broker's HTTP port cannot serve it (default 9081). */
  controlPort?: number;
  /**
   * Niceness the consumer apps run at above the demo's own ({@link CONSUMER_NICENESS} by default; 0:
   * the same OS priority as the storefront and the broker). See {@link lowerConsumerPriority}.
   */
  consumerNiceness?: number;
  /** Ports to use instead of the defaults ({@link DEFAULT_PORTS}), e.g. from {@link offsetPorts}. */
  ports?: Partial<Omit<DemoPorts, 'apps'>> & { apps?: Record<string, number> };
  /** Where the apps run and keep their `.data/` (SQLite files, labels, …); default `rootDir`. */
  workDir?: string;
  /** Where the demo's and the apps' lines go (default stdout). */
  output?: (line: string) => void;
  color?: boolean;
}

export interface RunningDemo {
  broker: BrokerHandle | null;
  mail: MailCatcher | null;
  /** The demo's OTLP/HTTP trace receiver the apps export to; null when a collector is configured. */
  otlpUrl: string | null;
  supervisor: Supervisor;
  trickle: OrderTrickle;
  /** Base URL of the control API. */
  controlUrl: string;
  stop(): Promise<void>;
}

/** Every port the demo listens on or hands to the apps. */
export interface DemoPorts {
  /** The embedded broker's Kafka listener. */
  kafka: number;
  /** The broker's HTTP port: console, admin API and the control API. */
  http: number;
  /** The control API's own port, used only when the broker's HTTP port cannot serve it. */
  control: number;
  /** The mail catcher: SMTP and HTTP (Mailpit's ports). */
  smtp: number;
  mailHttp: number;
  /** The broker's Kinesis API (HTTP/1.1 + h2c); absent or null: off. */
  kinesis?: number | null;
  /**
   * The demo's OTLP/HTTP trace receiver (default 4318, or any free port when that is taken); unused
   * when OTEL_EXPORTER_OTLP_ENDPOINT names a collector.
   */
  otlp?: number;
  /** Each app's first instance, by app name. */
  apps: Record<string, number>;
}

/** DESIGN.md's default ports. */
export const DEFAULT_PORTS: DemoPorts = Object.freeze({
  kafka: 9092,
  http: 9080,
  control: 9081,
  smtp: 1025,
  mailHttp: 8025,
  kinesis: 4567,
  apps: Object.fromEntries(APPS.map((a) => [a.name, a.port])),
});

/** How much lower the consumer apps' OS priority is than the demo's, by default (niceness, 0–19). */
export const CONSUMER_NICENESS = 10;

/**
 * A traffic spike is the storefront's to take and the consumers' to drain: on a small machine, six
 * consumers catching up would otherwise take the same cores the customer's checkout needs, and POSTs
 * would wait behind them. So each consumer instance runs `niceness` above the demo and, on Linux, in
 * the SCHED_IDLE class (cpu-priority.ts says why niceness alone is not enough). The broker, the
 * storefront and the carrier keep the demo's priority; the mail catcher and the trace receiver, which
 * take what the consumers send, run in a thread lowered the same way. When the cores are busy the intake
 * wins, the consumers get what is left, and their lag — the stream — absorbs the difference. When the
 * machine is idle this changes nothing: the consumers get every spare cycle. Niceness 0 leaves the
 * consumers exactly at the demo's priority.
 */
export function lowerConsumerPriority(
  supervisor: Supervisor,
  apps: readonly AppDefinition[],
  niceness: number,
  warn: (line: string) => void,
): void {
  if (!Number.isInteger(niceness) || niceness < 0 || niceness > 19)
    throw new Error(`consumer niceness must be a whole number from 0 to 19, got ${niceness}`);
  if (niceness === 0) return;
  const consumers = new Set(apps.filter((a) => a.kind === 'consumer').map((a) => a.name));
  const target = Math.min(19, os.getPriority() + niceness);
  let warned = false;
  supervisor.on('change', (info: InstanceInfo) => {
    if (info.status !== 'starting' || info.pid === null || !consumers.has(info.app)) return;
    runWhenIdle(info.pid, target).catch((err: unknown) => {
      // e.g. a container without the right to change priorities: the demo works, only less fairly
      if (!warned)
        warn(
          `could not lower the consumers' OS priority (${(err as Error).message}); they run at the demo's`,
        );
      warned = true;
    });
  });
}

/** Every default port plus `offset`, to run a second demo (or a test suite) beside the first. */
export function offsetPorts(offset: number): DemoPorts {
  const d = DEFAULT_PORTS;
  const top = Math.max(d.kafka, d.http, d.control, d.smtp, d.mailHttp, ...Object.values(d.apps));
  if (!Number.isInteger(offset) || offset < 0 || top + offset > 65535)
    throw new Error(`port offset must be an integer from 0 to ${65535 - top}, got ${offset}`);
  return {
    kafka: d.kafka + offset,
    http: d.http + offset,
    control: d.control + offset,
    smtp: d.smtp + offset,
    mailHttp: d.mailHttp + offset,
    kinesis: d.kinesis! + offset,
    apps: Object.fromEntries(Object.entries(d.apps).map(([name, port]) => [name, port + offset])),
  };
}

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const out = options.output ?? ((line: string) => process.stdout.write(`${line}\n`));
  const colour = options.color ?? (Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
  const say = (line: string) => out(colour ? `\x1b[1m[demo]\x1b[0m ${line}` : `[demo] ${line}`);
  const warn = (line: string) =>
    out(colour ? `\x1b[1m[demo]\x1b[0m \x1b[33m${line}\x1b[0m` : `[demo] ${line}`);

  // The six and the system's apps, then any consumer app found under apps/ (npm run new-consumer).
  const known = [...APPS, ...discoverApps(options.rootDir)];
  const unknown = (options.without ?? []).filter((n) => !known.some((a) => a.name === n));
  if (unknown.length)
    throw new Error(
      `--without: no app named ${unknown.join(', ')}; apps: ${known.map((a) => a.name).join(', ')}`,
    );

  const ports: DemoPorts = {
    ...DEFAULT_PORTS,
    control: options.controlPort ?? DEFAULT_PORTS.control,
    ...options.ports,
    // Given ports without a Kinesis port mean none (as documented on DemoPorts), not the default 4567
    // that another demo or test may hold.
    kinesis: options.ports ? (options.ports.kinesis ?? null) : DEFAULT_PORTS.kinesis,
    apps: { ...DEFAULT_PORTS.apps, ...options.ports?.apps },
  };
  // A discovered app's default port moves with the others (--port-offset).
  const shift = ports.http - DEFAULT_PORTS.http;
  const apps = known.map((a) => ({ ...a, port: ports.apps[a.name] ?? a.port + shift }));

  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };

  try {
    // Supervisor first: the control API needs it before the broker's HTTP port opens.
    const env: Record<string, string | undefined> = {
      KAFKA_BROKERS: options.kafka ?? `127.0.0.1:${ports.kafka}`,
      SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
      CARRIER_URL: `http://127.0.0.1:${ports.apps.carrier}`,
      DATABASE_URL: options.databaseUrl,
      // The apps listen on loopback only, whatever HOST the shell exports.
      HOST: '127.0.0.1',
      ...(options.sasl
        ? {
            KAFKA_SASL_MECHANISM: options.sasl.mechanism ?? 'scram-sha-256',
            KAFKA_SASL_USERNAME: options.sasl.username,
            KAFKA_SASL_PASSWORD: options.sasl.password,
          }
        : {}),
    };
    const supervisor = new Supervisor({
      rootDir: options.rootDir,
      cwd: options.workDir,
      apps,
      env,
      restart: options.restart,
      output: out,
      color: colour,
    });
    lowerConsumerPriority(supervisor, apps, options.consumerNiceness ?? CONSUMER_NICENESS, warn);
    const storefrontUrl = `http://127.0.0.1:${ports.apps.storefront}`;
    // Always there (so POST /api/load can turn it on); --no-load starts it at rate 0.
    const trickle = new OrderTrickle({
      storefrontUrl,
      rate: options.load === false ? 0 : (options.rate ?? 0.5),
      log: (l) => say(`orders: ${l}`),
    });
    const token = options.token || undefined;
    const httpHost = options.host ?? '127.0.0.1';
    if (!isLoopbackHost(httpHost) && !token)
      warn(
        `the console and control API listen on ${httpHost} without a token: other machines can look, but every write from them is refused; start with --token <secret> to allow them`,
      );
    // The embedded broker, once started below; restartable through the control API (lab 07).
    let broker: BrokerHandle | null = null;
    let brokerOptions: (BrokerOptions & { httpRoutes?: HttpRoute }) | null = null;
    let restarts = 0;
    let restarting: Promise<void> | null = null;
    const brokerControl = options.kafka
      ? undefined
      : {
          status: () => ({
            bootstrap: broker?.bootstrap ?? `127.0.0.1:${ports.kafka}`,
            restarts,
            restarting: restarting !== null,
          }),
          restart: () =>
            (restarting ??= (async () => {
              say('restarting the broker (control API)');
              try {
                await broker?.close();
                broker = await startBroker(brokerOptions!);
                restarts++;
                say(`broker restarted: Kafka ${broker.bootstrap}, HTTP :${broker.httpPort}`);
              } catch (err) {
                warn(`broker restart failed: ${String(err)}`);
              } finally {
                restarting = null;
              }
            })()),
        };
    const controlApi = createControlApi(supervisor, {
      token,
      load: trickle,
      carrierUrl: env.CARRIER_URL,
      allowedHosts: options.allowedHosts,
      broker: brokerControl,
    });

    // The mail catcher and the trace receiver run in a worker thread (side-services.ts), off the
    // broker's event loop, at the consumers' priority: in a spike they take what the consumers send.
    const side = await startSideServices({ niceness: options.consumerNiceness ?? CONSUMER_NICENESS }, (err) =>
      warn(`${err.message}: the mail catcher and the trace receiver are gone`),
    );
    cleanups.push(() => side.close());

    // Traces for the console's order view: a tiny OTLP/HTTP receiver (traces.ts), unless a collector is
    // configured (OTEL_EXPORTER_OTLP_ENDPOINT). :4318, or any free port when that is taken.
    let traces: TraceQueries = { recent: () => [], byOrder: () => null };
    let otlpUrl: string | null = null;
    if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
      const receiver = await side
        .startTraces(ports.otlp ?? OTLP_PORT)
        .catch((err: NodeJS.ErrnoException) =>
          err.code === 'EADDRINUSE' ? side.startTraces(0) : Promise.reject(err),
        );
      cleanups.push(() => receiver.close());
      env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
      traces = receiver.queries;
      otlpUrl = receiver.url;
    }
    const tracesRoute = tracesApi(traces);
    const demoRoutes: HttpRoute = async (req, res) => (await controlApi(req, res)) || tracesRoute(req, res);

    // 1. The broker (embedded), with the control API on its HTTP port.
    if (!options.kafka) {
      brokerOptions = {
        port: ports.kafka,
        httpPort: ports.http,
        kinesisPort: ports.kinesis ?? null,
        dataDir: options.dataDir ?? path.join(options.rootDir, '.data', 'sps'),
        groups: { initialRebalanceDelayMs: 500 },
        // a workshop's short TTLs should visibly expire within a second or two
        retentionCheckIntervalMs: 1000,
        autoCreateTopics: true,
        logger: prefixedLogger(out, colour),
        httpRoutes: demoRoutes,
        consoleDir: options.consoleDir === undefined ? builtConsole(options.rootDir) : options.consoleDir,
        consoleToken: token,
        httpHost,
        allowedHosts: options.allowedHosts,
        httpHints: { allowedHost: '--allowed-host {name}', token: '--token {secret}' },
        saslUsers: options.sasl ? [[options.sasl.username, options.sasl.password]] : null,
      };
      broker = await startBroker(brokerOptions);
      cleanups.push(async () => {
        await restarting;
        await broker?.close();
      });
      const security = broker.kafkaListener.securityProtocol;
      say(
        `broker listening: Kafka ${broker.bootstrap}${security === 'PLAINTEXT' ? '' : ` (${security}, user ${options.sasl?.username})`}, HTTP :${broker.httpPort}` +
          (broker.kinesisPort ? `, Kinesis :${broker.kinesisPort}` : ''),
      );
    }

    // 2. The control API: on the broker's HTTP port when it took the hook, else on its own port.
    // This machine reaches a wildcard-bound port on loopback, a specific address only there.
    const ownUrl = (port: number) => `http://${hostForUrl(httpHost)}:${port}`;
    let controlUrl = broker?.httpPort ? ownUrl(broker.httpPort) : '';
    if (!controlUrl || !(await servesControlApi(controlUrl))) {
      const server = await listenHttp(controlApi, ports.control);
      cleanups.push(() => closeHttp(server));
      controlUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (broker)
        say(`the broker's HTTP port does not serve the control API yet; serving it on ${controlUrl}`);
    }

    // 3. The mail catcher (or a Mailpit already on its ports).
    let mail: MailCatcher | null = null;
    try {
      mail = await side.startMail({ smtpPort: ports.smtp, httpPort: ports.mailHttp });
      const m = mail;
      cleanups.push(() => m.close());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      warn(
        `port ${ports.smtp} or ${ports.mailHttp} is in use (Mailpit already running?); the apps will send mail there`,
      );
    }

    // 4. Topics (the storefront creates them too; doing it here makes a consumer-only demo work).
    const bootstrap = broker?.bootstrap ?? options.kafka!;
    const created = await ensureTopics(bootstrap, options.sasl);
    if (created.length) say(`created topics: ${created.join(', ')}`);

    // 5. The apps, in order: carrier, storefront, then the consumers.
    cleanups.push(() => supervisor.stopAll());
    const started: AppDefinition[] = [];
    const skipped: string[] = [];
    for (const app of apps) {
      if (options.without?.includes(app.name)) continue;
      if (!supervisor.isAvailable(app.name)) {
        skipped.push(app.name);
        warn(
          `skipping ${app.name}: ${path.relative(options.rootDir, supervisor.scriptOf(app))} does not exist (not built yet? npm run build)`,
        );
        continue;
      }
      await supervisor.start(app.name);
      started.push(app);
    }

    out(
      banner({
        consoleUrl: broker?.httpPort ? ownUrl(broker.httpPort) : null,
        kinesisUrl: broker?.kinesisEndpoint ?? null,
        controlUrl,
        kafka: bootstrap,
        embedded: broker !== null,
        mailUrl: mail?.httpUrl ?? `http://127.0.0.1:${ports.mailHttp}`,
        smtpPort: ports.smtp,
        httpHost,
        remoteWrites: Boolean(token),
        started,
        skipped,
        without: options.without ?? [],
        rate: trickle.status().rate,
        colour,
      }),
    );

    // 6. The trickle, once the storefront answers (it tolerates a missing storefront anyway).
    cleanups.push(() => trickle.stop());
    if (started.some((a) => a.name === 'storefront'))
      void supervisor
        .waitRunning('storefront', 1, 60_000)
        .then(() => trickle.start())
        .catch(() => {
          warn('the storefront did not start; the order trickle waits (POST /api/load to retry)');
          trickle.start();
        });
    else trickle.start();

    let stopping: Promise<void> | null = null;
    return {
      get broker() {
        return broker;
      },
      mail,
      otlpUrl,
      supervisor,
      trickle,
      controlUrl,
      stop: () => (stopping ??= cleanup()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Creates the topics the system uses (`orders` with 5 partitions, `orders.dlq`) unless they exist. */
export async function ensureTopics(bootstrap: string, sasl?: DemoOptions['sasl']): Promise<string[]> {
  const kafka = new Kafka({
    clientId: 'orders-demo',
    brokers: [bootstrap],
    sasl: sasl ? ({ mechanism: sasl.mechanism ?? 'scram-sha-256', ...sasl } as SASLOptions) : undefined,
    logLevel: logLevel.NOTHING,
    retry: { retries: 5 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = TOPICS.filter((t) => !existing.has(t.name));
    if (missing.length)
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })),
      });
    return missing.map((t) => `${t.name} (${t.partitions} partition${t.partitions === 1 ? '' : 's'})`);
  } finally {
    await admin.disconnect();
  }
}

/** `<root>/apps/console/dist` if the console is built there. */
function builtConsole(rootDir: string): string | null {
  const dir = path.join(rootDir, 'apps', 'console', 'dist');
  return existsSync(path.join(dir, 'index.html')) ? dir : null;
}

async function servesControlApi(baseUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/api/apps`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { apps?: unknown };
    return res.ok && Array.isArray(body.apps);
  } catch {
    return false;
  }
}

async function listenHttp(route: HttpRoute, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    Promise.resolve(route(req, res)).then(
      (handled) => {
        if (handled) return;
        res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: `no such endpoint: ${req.url}; try /api/apps or /api/load` }));
      },
      (err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: String(err) }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

function closeHttp(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The broker's log lines, prefixed like the apps' (`[sps] info …`). */
function prefixedLogger(out: (line: string) => void, colour: boolean): Logger {
  const write = (level: string, msg: string, fields?: Record<string, unknown>) => {
    const extra = fields
      ? Object.entries(fields)
          .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join('')
      : '';
    const prefix = colour ? '\x1b[90m[sps]\x1b[0m' : '[sps]';
    const text = `${level} ${msg}${extra}`;
    out(`${prefix} ${colour && (level === 'warn' || level === 'error') ? `\x1b[31m${text}\x1b[0m` : text}`);
  };
  return {
    debug: () => undefined,
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

function banner(b: {
  consoleUrl: string | null;
  httpHost: string;
  remoteWrites: boolean;
  kinesisUrl: string | null;
  controlUrl: string;
  kafka: string;
  embedded: boolean;
  mailUrl: string;
  smtpPort: number;
  started: AppDefinition[];
  skipped: string[];
  without: string[];
  rate: number;
  colour: boolean;
}): string {
  const bold = (s: string) => (b.colour ? `\x1b[1m${s}\x1b[0m` : s);
  const local = (url: string) => url.replace('127.0.0.1', 'localhost');
  const control = local(b.controlUrl);
  const rows: [string, string][] = [];
  if (b.consoleUrl) rows.push(['console + admin API', local(b.consoleUrl)]);
  if (b.consoleUrl && !isLoopbackHost(b.httpHost))
    rows.push([
      'from other machines',
      `${reachable(b.httpHost, new URL(b.consoleUrl).port)}   (${b.remoteWrites ? 'writes need Authorization: Bearer <token>' : 'read-only: no --token'})`,
    ]);
  rows.push(
    ['control API', `${control}/api/apps   ${control}/api/load`],
    ['Kafka bootstrap', `${b.kafka}${b.embedded ? ' (embedded sps broker)' : ' (external broker)'}`],
    ...(b.kinesisUrl
      ? [['Kinesis API', `${b.kinesisUrl} (AWS SDK endpoint; any credentials)`] as [string, string]]
      : []),
    ['mail catcher', `${local(b.mailUrl)}   (SMTP localhost:${b.smtpPort})`],
    ...b.started.map((a): [string, string] => [a.name, `http://localhost:${a.port}   ${a.description}`]),
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    '',
    bold('The orders stream demo is up.'),
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
  ];
  if (b.skipped.length) lines.push(`  not built yet (skipped): ${b.skipped.join(', ')}`);
  if (b.without.length) lines.push(`  left out (--without): ${b.without.join(', ')}`);
  lines.push(
    b.rate > 0
      ? `  order trickle: ${b.rate} order(s)/s to the storefront; change it: curl -X POST ${control}/api/load ${JSON_CURL} -d '{"rate":2}'`
      : `  order trickle: off; turn it on: curl -X POST ${control}/api/load ${JSON_CURL} -d '{"rate":0.5}'`,
    `  scale a consumer: curl -X POST ${control}/api/apps/order-db/instances`,
    'Ctrl-C stops everything.',
    '',
  );
  return lines.join('\n');
}

/** The control API takes JSON only (a text/plain or form body could come from any web page). */
const JSON_CURL = "-H 'content-type: application/json'";

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === 'localhost') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopback(host);
}

/** A URL other machines can use for the HTTP port bound on `host`. */
function reachable(host: string, port: string): string {
  if (host !== '0.0.0.0' && host !== '::') return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const ip = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  return `http://${ip ?? os.hostname()}:${port}`;
}
