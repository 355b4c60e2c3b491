// `sps serve`: runs our broker (libs/sps-broker) as a process until SIGTERM/SIGINT.
import { Command, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import { httpPortOption, intOption, portOption, saslUsersOption } from '../options.js';

import type { BrokerHandle, ConnectionLimits, Logger } from '@orders/sps-broker';

export type { BrokerHandle };

export interface ServeOptions {
  host: string;
  port: number;
  httpPort: number | null;
  /** The Kinesis API's port (null: off). */
  kinesisPort?: number | null;
  dataDir: string;
  autoCreateTopics: boolean;
  defaultPartitions: number;
  groupInitialRebalanceDelayMs: number;
  /** Partition caps (default: the broker's, 1000 per topic and 2000 per request). */
  maxPartitionsPerTopic?: number;
  maxPartitionsPerRequest?: number;
  /** How often retention (and producer state expiry) runs; default: the broker's (5 s). */
  retentionCheckIntervalMs?: number;
  /** The console's built files, served at `/` on the HTTP port (null: none). */
  consoleDir?: string | null;
  /** Allows write actions on the HTTP port from other machines (`Authorization: Bearer …`). */
  consoleToken?: string;
  /** Names other machines may use in the HTTP Host header (besides the machine's addresses and hostname). */
  allowedHosts?: string[];
  verbose?: boolean;
  /** SASL users (user, password) from SPS_SASL_USERS/--sasl-users and --sasl-users-file; none: no SASL. */
  saslUsers?: Array<[string, string]>;
  /** PEM files: the Kafka port speaks TLS when both are given. */
  tlsCert?: string;
  tlsKey?: string;
  limits?: Partial<ConnectionLimits>;
}

/**
 * The teaching console's build in this checkout (`apps/console/dist`, next to this package), or
 * null when it is not built.
 */
export function defaultConsoleDir(): string | null {
  // src/commands/serve.ts and dist/commands/serve.js are both three levels below apps/.
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'console', 'dist');
  return existsSync(path.join(dir, 'index.html')) ? dir : null;
}

export const SERVE_DEFAULTS: ServeOptions = {
  host: '127.0.0.1',
  port: 9092,
  httpPort: 9080,
  kinesisPort: 4567,
  dataDir: '.data/sps',
  autoCreateTopics: true,
  defaultPartitions: 1,
  groupInitialRebalanceDelayMs: 3000,
};

function brokerLogger(io: Io, verbose: boolean): Logger {
  const line = (level: string, msg: string, fields?: Record<string, unknown>) => {
    const extra = fields
      ? Object.entries(fields)
          .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join('')
      : '';
    io.err(`sps ${level} ${msg}${extra}`);
  };
  return {
    debug: (m, f) => (verbose ? line('debug', m, f) : undefined),
    info: (m, f) => (verbose ? line('info', m, f) : undefined),
    warn: (m, f) => line('warn', m, f),
    error: (m, f) => line('error', m, f),
  };
}

/** Starts the broker and prints the `sps ready: …` line. Friendly errors for ports in use. */
export async function startServer(opts: ServeOptions, io: Io): Promise<BrokerHandle> {
  // Loaded on demand: client commands don't pay for the broker's start-up.
  const { startBroker } = await import('@orders/sps-broker');
  const t0 = performance.now();
  const tls = readTlsFiles(opts);
  let handle: BrokerHandle;
  try {
    handle = await startBroker({
      host: opts.host,
      port: opts.port,
      httpPort: opts.httpPort,
      kinesisPort: opts.kinesisPort === undefined ? SERVE_DEFAULTS.kinesisPort : opts.kinesisPort,
      dataDir: opts.dataDir,
      autoCreateTopics: opts.autoCreateTopics,
      defaultPartitions: opts.defaultPartitions,
      groups: { initialRebalanceDelayMs: opts.groupInitialRebalanceDelayMs },
      retentionCheckIntervalMs: opts.retentionCheckIntervalMs,
      limits: {
        ...(opts.maxPartitionsPerTopic ? { maxPartitionsPerTopic: opts.maxPartitionsPerTopic } : {}),
        ...(opts.maxPartitionsPerRequest ? { maxPartitionsPerRequest: opts.maxPartitionsPerRequest } : {}),
        ...opts.limits,
      },
      consoleDir: opts.consoleDir === undefined ? defaultConsoleDir() : opts.consoleDir,
      consoleToken: opts.consoleToken,
      allowedHosts: opts.allowedHosts,
      logger: brokerLogger(io, !!opts.verbose),
      saslUsers: opts.saslUsers && opts.saslUsers.length > 0 ? opts.saslUsers : null,
      tls,
    });
  } catch (err) {
    throw listenError(err, opts);
  }
  const ms = Math.round(performance.now() - t0);
  const http =
    handle.httpPort === null
      ? 'http off'
      : `http on http://${urlHost(handle.host)}:${handle.httpPort}` +
        (handle.consoleDir ? ' (console + admin API)' : ' (admin API; console not built)');
  const { securityProtocol, saslMechanisms } = handle.kafkaListener;
  const security =
    securityProtocol === 'PLAINTEXT'
      ? ''
      : ` (${securityProtocol}${saslMechanisms.length ? `: ${saslMechanisms.join(', ')}` : ''})`;
  const kinesis = handle.kinesisEndpoint ? `, kinesis on ${handle.kinesisEndpoint}` : '';
  io.out(
    `sps ready: kafka on ${handle.bootstrap}${security}, ${http}${kinesis}, data in ${opts.dataDir} (started in ${ms} ms)`,
  );
  return handle;
}

/** --tls-cert/--tls-key → their PEM text, with errors that name the flag. */
function readTlsFiles(opts: ServeOptions): { cert: string; key: string } | null {
  if (!opts.tlsCert && !opts.tlsKey) return null;
  if (!opts.tlsCert || !opts.tlsKey)
    throw new CliError('TLS needs both --tls-cert and --tls-key (PEM files), or neither');
  const read = (file: string, flag: string, marker: RegExp) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CliError(`${flag}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
    if (!marker.test(text)) throw new CliError(`${flag}: ${file} is not a PEM file (${marker.source})`);
    return text;
  };
  return {
    cert: read(opts.tlsCert, '--tls-cert', /-----BEGIN CERTIFICATE-----/),
    key: read(opts.tlsKey, '--tls-key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
  };
}

/**
 * Waits for SIGINT/SIGTERM (io.onStop), then closes the broker once it has started. A second signal
 * forces exit. Call it before the broker starts: until a listener exists a signal takes its default
 * action, so a supervisor that stops us the moment it reads the ready line would kill the process
 * instead of closing the log cleanly.
 */
export function closeOnStop(starting: Promise<BrokerHandle>, io: Io): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const off = io.onStop(() => {
      if (stopping) {
        io.err('sps: stopping anyway (second signal)');
        io.exit?.(1);
        return;
      }
      stopping = true;
      io.err('sps stopping…');
      const t0 = performance.now();
      starting
        .then((handle) => handle.close())
        .then(
          () => {
            off();
            io.out(`sps stopped (closed in ${Math.round(performance.now() - t0)} ms)`);
            resolve();
          },
          (err: unknown) => {
            off();
            reject(new CliError(`sps: error while stopping: ${(err as Error)?.message ?? err}`));
          },
        );
    });
    // A start that fails is reported by whoever awaits `starting`; nothing is left to close.
    starting.catch(() => off());
  });
}

export async function serve(opts: ServeOptions, io: Io): Promise<void> {
  const starting = startServer(opts, io);
  const stopped = closeOnStop(starting, io);
  stopped.catch(() => undefined); // handled below, or moot when the start itself failed
  await starting;
  await stopped;
}

/** Explains a failed listen in the user's terms: which port, and which option changes it. */
export function listenError(
  err: unknown,
  opts: Pick<ServeOptions, 'host' | 'port' | 'httpPort' | 'kinesisPort'>,
): Error {
  const e = err as { code?: string; port?: number; address?: string; message?: string };
  // Node's listen errors carry the port; the broker may also wrap them, so fall back to the message.
  const port = e.port ?? Number(/:(\d+)\s*$/.exec(e.message ?? '')?.[1] ?? opts.port);
  const kinesisPort = opts.kinesisPort === undefined ? SERVE_DEFAULTS.kinesisPort : opts.kinesisPort;
  if (
    e.code === 'EADDRINUSE' &&
    kinesisPort &&
    port === kinesisPort &&
    port !== opts.port &&
    port !== opts.httpPort
  )
    return new CliError(
      `kinesis port ${port} is in use: is another broker (or kinesalite) running? pick another with --kinesis-port (or --kinesis-port off)`,
    );
  const http = opts.httpPort !== null && port === opts.httpPort && port !== opts.port;
  const flag = http ? '--http-port' : '--port';
  switch (e.code) {
    case 'EADDRINUSE':
      return new CliError(
        http
          ? `http port ${port} is in use: is another broker running? pick another with --http-port (or --http-port off)`
          : `port ${port} is in use: is another broker running? pick another with --port`,
      );
    case 'EACCES':
      return new CliError(
        `not allowed to listen on port ${port}: ports below 1024 need privileges; pick another with ${flag}`,
      );
    case 'EADDRNOTAVAIL':
      return new CliError(
        `cannot listen on ${opts.host}: not an address of this machine; try --host 127.0.0.1 or --host 0.0.0.0`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CliError(`cannot resolve --host ${opts.host}`);
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** The broker's options (also used by anything else that starts one from the CLI). */
export function addServeOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--host <host>', 'address to listen on').env('SPS_HOST').default(SERVE_DEFAULTS.host),
    )
    .addOption(
      new Option('--port <port>', 'Kafka protocol port (0: any free port)')
        .env('SPS_PORT')
        .default(SERVE_DEFAULTS.port)
        .argParser(portOption),
    )
    .addOption(
      new Option('--http-port <port>', 'HTTP port for the console and admin API ("off" for none)')
        .env('SPS_HTTP_PORT')
        .default(SERVE_DEFAULTS.httpPort)
        .argParser(httpPortOption),
    )
    .addOption(
      new Option(
        '--kinesis-port <port>',
        'Kinesis Data Streams API port (HTTP/1.1 + h2c; "off" for none; 0: any free port)',
      )
        .env('SPS_KINESIS_PORT')
        .default(SERVE_DEFAULTS.kinesisPort)
        .argParser(httpPortOption),
    )
    .addOption(
      new Option('--data-dir <dir>', 'where partition logs are stored')
        .env('SPS_DATA_DIR')
        .default(SERVE_DEFAULTS.dataDir),
    )
    .option(
      '--no-auto-create-topics',
      'do not create topics on first use (Metadata/Produce for an unknown topic)',
    )
    .option(
      '--default-partitions <n>',
      'partitions of auto-created topics and of topics created without a count',
      intOption('--default-partitions', 1),
      SERVE_DEFAULTS.defaultPartitions,
    )
    .addOption(
      new Option(
        '--group-initial-rebalance-delay <ms>',
        "how long a new group waits for more members before its first rebalance (Kafka's group.initial.rebalance.delay.ms)",
      )
        .env('SPS_GROUP_INITIAL_REBALANCE_DELAY_MS')
        .default(SERVE_DEFAULTS.groupInitialRebalanceDelayMs)
        .argParser(intOption('--group-initial-rebalance-delay', 0)),
    )
    .addOption(
      new Option(
        '--retention-check-interval <ms>',
        "how often expired or oversized segments are deleted (Kafka's log.retention.check.interval.ms; default 5000)",
      )
        .env('SPS_RETENTION_CHECK_INTERVAL_MS')
        .argParser(intOption('--retention-check-interval', 100, 2 ** 31 - 1)),
    )
    .addOption(
      new Option('--max-partitions-per-topic <n>', 'most partitions a topic may have (default 1000)')
        .env('SPS_MAX_PARTITIONS_PER_TOPIC')
        .argParser(intOption('--max-partitions-per-topic', 1, 2 ** 31 - 1)),
    )
    .addOption(
      new Option(
        '--max-partitions-per-request <n>',
        'most partitions one CreateTopics/CreatePartitions request may add (default 2000)',
      )
        .env('SPS_MAX_PARTITIONS_PER_REQUEST')
        .argParser(intOption('--max-partitions-per-request', 1, 2 ** 31 - 1)),
    )
    .addOption(
      new Option('--console-dir <dir>', 'built console to serve at / on the HTTP port ("off" for none)').env(
        'SPS_CONSOLE_DIR',
      ),
    )
    .addOption(
      new Option(
        '--console-token <token>',
        'allows write actions on the HTTP port (reset offsets) from other machines with Authorization: Bearer <token>',
      ).env('SPS_CONSOLE_TOKEN'),
    )
    .addOption(
      new Option(
        '--allowed-host <name>',
        'a name clients may use to reach the HTTP port (DNS name, proxy) besides its addresses and hostname; any other Host is refused (DNS rebinding); repeatable',
      )
        .env('SPS_ALLOWED_HOSTS')
        .argParser((value: string, previous: string[] | undefined) => [
          ...(previous ?? []),
          ...value
            .split(',')
            .map((h) => h.trim())
            .filter(Boolean),
        ]),
    )
    .addOption(
      new Option(
        '--sasl-users <user:pass,…>',
        'require SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) on the Kafka port for these users (prefer the env var or a file: command lines are visible to others)',
      )
        .env('SPS_SASL_USERS')
        .argParser(saslUsersOption),
    )
    .addOption(
      new Option(
        '--sasl-users-file <file>',
        "SASL users, one 'user:password' per line ('#' comments; the password may contain ':' and ',')",
      ).env('SPS_SASL_USERS_FILE'),
    )
    .addOption(
      new Option('--tls-cert <file>', 'PEM certificate (chain): the Kafka port speaks TLS').env(
        'SPS_TLS_CERT',
      ),
    )
    .addOption(new Option('--tls-key <file>', 'PEM private key for --tls-cert').env('SPS_TLS_KEY'))
    .addOption(
      new Option('--max-connections <n>', "most Kafka connections at once (Kafka's max.connections)")
        .env('SPS_MAX_CONNECTIONS')
        .argParser(intOption('--max-connections', 1)),
    )
    .addOption(
      new Option(
        '--max-connections-per-ip <n>',
        'most Kafka connections from one address (max.connections.per.ip)',
      )
        .env('SPS_MAX_CONNECTIONS_PER_IP')
        .argParser(intOption('--max-connections-per-ip', 1)),
    )
    .addOption(
      new Option(
        '--connections-max-idle <ms>',
        'close Kafka connections idle this long (connections.max.idle.ms; 0: never)',
      )
        .env('SPS_CONNECTIONS_MAX_IDLE_MS')
        .argParser(intOption('--connections-max-idle', 0)),
    )
    .addOption(
      new Option(
        '--queued-max-request-bytes <n>',
        'stop reading clients while this many request bytes are in flight (queued.max.request.bytes)',
      )
        .env('SPS_QUEUED_MAX_REQUEST_BYTES')
        .argParser(intOption('--queued-max-request-bytes', 1)),
    )
    .option('-v, --verbose', "print the broker's info and debug logs");
}

export function serveOptionsFrom(o: Record<string, unknown>): ServeOptions {
  return {
    host: String(o.host ?? SERVE_DEFAULTS.host),
    port: o.port as number,
    httpPort: o.httpPort === false || o.httpPort === null ? null : (o.httpPort as number),
    kinesisPort:
      o.kinesisPort === false || o.kinesisPort === null
        ? null
        : ((o.kinesisPort as number | undefined) ?? SERVE_DEFAULTS.kinesisPort),
    dataDir: String(o.dataDir ?? SERVE_DEFAULTS.dataDir),
    autoCreateTopics: o.autoCreateTopics !== false,
    defaultPartitions: (o.defaultPartitions as number | undefined) ?? SERVE_DEFAULTS.defaultPartitions,
    groupInitialRebalanceDelayMs:
      (o.groupInitialRebalanceDelay as number | undefined) ?? SERVE_DEFAULTS.groupInitialRebalanceDelayMs,
    retentionCheckIntervalMs: o.retentionCheckInterval as number | undefined,
    maxPartitionsPerTopic: o.maxPartitionsPerTopic as number | undefined,
    maxPartitionsPerRequest: o.maxPartitionsPerRequest as number | undefined,
    consoleDir:
      typeof o.consoleDir === 'string'
        ? /^(off|none|false|no)$/i.test(o.consoleDir)
          ? null
          : path.resolve(o.consoleDir)
        : undefined,
    consoleToken: typeof o.consoleToken === 'string' && o.consoleToken ? o.consoleToken : undefined,
    allowedHosts: Array.isArray(o.allowedHost) ? (o.allowedHost as string[]) : undefined,
    verbose: !!o.verbose,
    ...securityOptionsFrom(o),
  };
}

function securityOptionsFrom(o: Record<string, unknown>): Partial<ServeOptions> {
  const users = [...((o.saslUsers as Array<[string, string]> | undefined) ?? [])];
  if (typeof o.saslUsersFile === 'string' && o.saslUsersFile)
    users.push(...saslUsersFromFile(o.saslUsersFile));
  const limits: Partial<ConnectionLimits> = {};
  if (typeof o.maxConnections === 'number') limits.maxConnections = o.maxConnections;
  if (typeof o.maxConnectionsPerIp === 'number') limits.maxConnectionsPerIp = o.maxConnectionsPerIp;
  if (typeof o.connectionsMaxIdle === 'number') limits.idleMs = o.connectionsMaxIdle;
  if (typeof o.queuedMaxRequestBytes === 'number') limits.maxQueuedRequestBytes = o.queuedMaxRequestBytes;
  return {
    ...(users.length > 0 ? { saslUsers: users } : {}),
    ...(typeof o.tlsCert === 'string' ? { tlsCert: o.tlsCert } : {}),
    ...(typeof o.tlsKey === 'string' ? { tlsKey: o.tlsKey } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}

function saslUsersFromFile(file: string): Array<[string, string]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(
      `--sasl-users-file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  const users: Array<[string, string]> = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const at = line.indexOf(':');
    if (at <= 0 || at === line.length - 1)
      throw new CliError(`--sasl-users-file ${file} line ${i + 1}: expected user:password`);
    users.push([line.slice(0, at).trim(), line.slice(at + 1)]);
  });
  if (users.length === 0)
    throw new CliError(`--sasl-users-file ${file} lists no users (one user:password per line)`);
  return users;
}

export function serveCommand(io: Io): Command {
  const cmd = new Command('serve').description(
    'run the broker: Kafka protocol + HTTP console, until Ctrl-C/SIGTERM',
  );
  addServeOptions(cmd)
    .addHelpText(
      'after',
      `
Prints a line containing "ready" once listening. Environment: SPS_HOST, SPS_PORT, SPS_HTTP_PORT, SPS_KINESIS_PORT,
SPS_DATA_DIR, SPS_SASL_USERS, SPS_SASL_USERS_FILE, SPS_TLS_CERT, SPS_TLS_KEY.
Examples:
  npx sps serve
  npx sps serve --port 19092 --http-port off --kinesis-port off --data-dir /tmp/sps
  SPS_SASL_USERS=alice:secret npx sps serve --tls-cert cert.pem --tls-key key.pem   (SASL_SSL, as managed Kafka)`,
    )
    .action(async (o: Record<string, unknown>) => {
      await serve(serveOptionsFrom(o), io);
    });
  return cmd;
}
