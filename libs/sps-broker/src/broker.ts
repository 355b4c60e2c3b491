/**
 * startBroker(): the embedded SPS. Opens (or recovers) the data directory, listens for Kafka
 * clients and for HTTP, runs retention, and returns a handle whose close() shuts down cleanly.
 * The same function backs `sps serve`, the demo and the tests.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { AppendNotifier } from './appends.js';
import { DEFAULT_BROKER_LOG, type BrokerLogDefaults } from './configs.js';
import { Connection } from './connection.js';
import { DEFAULT_GROUP_CONFIG, type GroupConfig } from './groups/config.js';
import { GroupCoordinator } from './groups/coordinator.js';
import { DEFAULT_TOPIC_LIMITS, type TopicLimits } from './topic-limits.js';
import { startHttp, type HttpRoutes, type HttpServer } from './http.js';
import type { LiveOptions } from './live.js';
import {
  DEFAULT_CONNECTION_LIMITS,
  RateLimitedLog,
  RequestMemory,
  connectionsWithinFdLimit,
  openFilesLimit,
  type ConnectionLimits,
} from './limits.js';
import { consoleLogger, type Logger, type LogLevel } from './logger.js';
import { startKinesisApi, type KinesisApiHandle } from '@orders/kinesis-api';
import { kinesisStore } from './kinesis-store.js';
import { SASL_MECHANISMS, SaslUsers } from './sasl/credentials.js';
import { ProducerRegistry } from './producers.js';
import { TransactionCoordinator } from './transactions/coordinator.js';
import type { BrokerState } from './state.js';
import { TopicRegistry } from './topics.js';

/** Default log.retention.check.interval.ms for sps (Kafka's is 5 minutes). */
export const DEFAULT_RETENTION_CHECK_INTERVAL_MS = 5000;

export interface BrokerOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Kafka listener port (default 9092; 0 picks a free one). */
  port?: number;
  /** HTTP admin/console port (default 9080; 0 picks a free one; null disables HTTP). */
  httpPort?: number | null;
  /** Interface for the HTTP port, when it differs from `host` (the demo's `--host`). */
  httpHost?: string;
  /** Where logs and metadata live (default `.data/sps`). */
  dataDir?: string;
  nodeId?: number;
  /** Host to advertise in Metadata; default: the address each client connected to. */
  advertisedHost?: string;
  /** Port to advertise; default: the listening port. */
  advertisedPort?: number;
  /** Create topics on first use by name, as Kafka's auto.create.topics.enable (default true). */
  autoCreateTopics?: boolean;
  /** Partitions of auto-created topics and of CreateTopics with -1 (Kafka's num.partitions; default 1). */
  defaultPartitions?: number;
  /** Broker-wide log defaults (retention.ms 7 days, …); topics override them. */
  log?: Partial<BrokerLogDefaults>;
  /**
   * How often retention runs (Kafka's log.retention.check.interval.ms). Default 5 s, not Kafka's
   * 5 minutes: it only compares segment times and sizes, and a workshop wants a TTL visible in seconds.
   * Producer state expiry runs on the same tick.
   */
  retentionCheckIntervalMs?: number;
  /**
   * Forget an idempotent producer's sequences this long after its last batch (Kafka's
   * producer.id.expiration.ms; default 1 day).
   */
  producerIdExpirationMs?: number;
  /** Consumer-group settings (initial rebalance delay, session timeout bounds, offset retention). */
  groups?: Partial<GroupConfig>;
  /** Largest transaction.timeout.ms a producer may ask for (Kafka's transaction.max.timeout.ms; 15 min). */
  maxTransactionTimeoutMs?: number;
  /**
   * How often open transactions are checked against their timeout (Kafka's
   * transaction.abort.timed.out.transaction.cleanup.interval.ms, 10 s there; 1 s here).
   */
  transactionTimeoutCheckIntervalMs?: number;
  /** Largest request frame accepted; larger ones close the connection (default 100 MiB). */
  maxRequestBytes?: number;
  /** Routes served on the HTTP port before the admin API (the demo's control API, the console). */
  httpRoutes?: HttpRoutes;
  /**
   * A directory of static files served at `/` on the HTTP port (the teaching console's build,
   * `apps/console/dist`), with a single-page-app fallback to its index.html. Default: none.
   */
  consoleDir?: string | null;
  /**
   * Lets write actions on the HTTP port (reset offsets) come from other machines with
   * `Authorization: Bearer <token>`; without it they are allowed from loopback only.
   */
  consoleToken?: string;
  /**
   * Names clients may use in the HTTP `Host` header besides this machine's own (localhost,
   * 127.0.0.1, [::1], its addresses and hostname); any other Host is refused (DNS rebinding).
   */
  allowedHosts?: readonly string[];
  /** The flags named in the HTTP port's refusals (default `--allowed-host {name}`, `--console-token {secret}`). */
  httpHints?: { allowedHost?: string; token?: string };
  /** The console's live feed: sample interval and history length (default 1 s, 600 samples). */
  live?: LiveOptions;
  logger?: Logger;
  logLevel?: LogLevel;
  /**
   * The Kinesis Data Streams API (libs/kinesis-api: HTTP/1.1 and h2c on one port) over the same
   * topics and logs. Default: off (null); `sps serve` turns it on at 4567; 0 picks a free port.
   */
  kinesisPort?: number | null;
  /**
   * Requires SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) on the Kafka port for these users
   * (`{ alice: 'secret' }` or `[['alice', 'secret']]`). Only salted SCRAM credentials are kept.
   */
  saslUsers?: Record<string, string> | Iterable<[string, string]> | null;
  /** PEM certificate chain and key: the Kafka port then speaks TLS only (SSL / SASL_SSL). */
  tls?: { cert: string | Buffer; key: string | Buffer } | null;
  /**
   * Limits. Topics: partitions per topic (default 1000), per CreateTopics/CreatePartitions request
   * (2000), topics auto-created by one request (100). Connections: max connections (total, per IP),
   * idle close, request bytes in flight.
   */
  limits?: Partial<TopicLimits & ConnectionLimits>;
}

/** What the Kafka listener requires, for `sps serve`'s ready line and tests. */
export interface KafkaListenerInfo {
  /** SSL or SASL_SSL: clients need TLS. */
  tls: boolean;
  /** The SASL mechanisms required, or [] when clients need not authenticate. */
  saslMechanisms: string[];
  /** Kafka's security.protocol a client needs: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. */
  securityProtocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  limits: ConnectionLimits;
  /** The shared budget of request bytes in flight (used, peak). */
  requestMemory: RequestMemory;
}

export interface BrokerHandle {
  host: string;
  port: number;
  httpPort: number | null;
  /** The Kinesis API's port, or null when it is off. */
  kinesisPort: number | null;
  /** `http://host:port` for the AWS SDKs and `aws --endpoint-url`, or null when it is off. */
  kinesisEndpoint: string | null;
  /** `host:port` to give Kafka clients. */
  bootstrap: string;
  dataDir: string;
  /** The directory served at `/` on the HTTP port (the console), or null. */
  consoleDir: string | null;
  state: BrokerState;
  kafkaListener: KafkaListenerInfo;
  /** Runs retention now (tests and the console use it instead of waiting for the timer). */
  runRetention(): Promise<number>;
  close(): Promise<void>;
}

export async function startBroker(options: BrokerOptions = {}): Promise<BrokerHandle> {
  const started = Date.now();
  const host = options.host ?? '127.0.0.1';
  const dataDir = path.resolve(options.dataDir ?? '.data/sps');
  const logger = options.logger ?? consoleLogger(options.logLevel ?? 'info');
  await fs.mkdir(dataDir, { recursive: true });
  const releaseLock = await lockDataDir(dataDir);

  try {
    const meta = await loadMeta(dataDir);
    const logDefaults = { ...DEFAULT_BROKER_LOG, ...options.log };
    const topics = await TopicRegistry.open(dataDir, logDefaults, logger);
    const producers = await ProducerRegistry.open(dataDir, topics, {
      expirationMs: options.producerIdExpirationMs,
      logger,
    });
    const groups = await GroupCoordinator.open(
      dataDir,
      { ...DEFAULT_GROUP_CONFIG, ...options.groups },
      logger,
    );
    const appends = new AppendNotifier();
    const transactions = await TransactionCoordinator.open(
      dataDir,
      { topics, producers, groups, appends, logger },
      { maxTimeoutMs: options.maxTransactionTimeoutMs },
    );
    const state: BrokerState = {
      settings: {
        nodeId: options.nodeId ?? 1,
        clusterId: meta.clusterId,
        advertisedHost: options.advertisedHost ?? (isWildcard(host) ? null : host),
        advertisedPort: 0,
        autoCreateTopics: options.autoCreateTopics ?? true,
        defaultPartitions: options.defaultPartitions ?? 1,
        log: logDefaults,
        limits: { ...DEFAULT_TOPIC_LIMITS, ...options.limits },
      },
      topics,
      producers,
      groups,
      transactions,
      appends,
      logger,
      startedAt: started,
      stats: { requests: 0, producedBatches: 0, producedBytes: 0, fetchedBytes: 0, connections: 0 },
    };

    const saslUsers = options.saslUsers ? new SaslUsers(userPairs(options.saslUsers)) : null;
    const limits: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
    const fdLimit = openFilesLimit();
    if (fdLimit !== null && limits.maxConnections > connectionsWithinFdLimit(fdLimit)) {
      limits.maxConnections = connectionsWithinFdLimit(fdLimit);
      logger.warn(
        `open-file limit (ulimit -n) is ${fdLimit}: accepting at most ${limits.maxConnections} Kafka connections, ` +
          'keeping the rest for log segments; to allow more, raise it (ulimit -n 65536) before starting',
      );
    }
    const warnings = new RateLimitedLog(logger, limits.warningIntervalMs);
    const requestMemory = new RequestMemory(limits.maxQueuedRequestBytes);
    const connectionOptions = {
      maxRequestBytes: options.maxRequestBytes ?? 100 * 1024 * 1024,
      sasl: saslUsers,
      memory: requestMemory,
      warnings,
      idleMs: limits.idleMs,
    };
    const connections = new Set<Connection>();
    // Counted from the TCP accept, before any TLS handshake, so half-open handshakes count too.
    let accepted = 0;
    const perIp = new Map<string, number>();
    const admit = (raw: net.Socket) => {
      const ip = raw.remoteAddress ?? 'unknown';
      const fromIp = perIp.get(ip) ?? 0;
      if (accepted >= limits.maxConnections || fromIp >= limits.maxConnectionsPerIp) {
        const which =
          accepted >= limits.maxConnections
            ? `${limits.maxConnections} connections (max.connections)`
            : `${limits.maxConnectionsPerIp} connections from ${ip} (max.connections.per.ip)`;
        warnings.warn('connection-limit', `refusing a connection from ${ip}: already ${which}`);
        raw.on('error', () => undefined);
        raw.destroy();
        return;
      }
      accepted++;
      perIp.set(ip, fromIp + 1);
      raw.once('close', () => {
        accepted--;
        const left = (perIp.get(ip) ?? 1) - 1;
        if (left > 0) perIp.set(ip, left);
        else perIp.delete(ip);
      });
    };
    const onSocket = (socket: net.Socket) => {
      if (socket.destroyed) return;
      const conn = new Connection(socket, state, connectionOptions);
      connections.add(conn);
      state.stats.connections++;
      socket.once('close', () => {
        connections.delete(conn);
        state.stats.connections--;
      });
    };
    const server = options.tls
      ? tls.createServer({ cert: options.tls.cert, key: options.tls.key })
      : net.createServer();
    server.on('connection', admit);
    server.on(options.tls ? 'secureConnection' : 'connection', onSocket);
    if (options.tls)
      // Plaintext clients, wrong CAs, port scanners: one line per kind and interval, never a crash.
      server.on('tlsClientError', (err: Error & { code?: string }, socket: net.Socket) => {
        warnings.warn(
          'tls-handshake',
          `TLS handshake with ${socket.remoteAddress} failed: ${err.code ?? err.message} (is the client set to use SSL?)`,
        );
        socket.destroy();
      });
    let fdWarned = false;
    await listen(server, host, options.port ?? 9092);
    server.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EMFILE' || err.code === 'ENFILE') {
        if (fdWarned) return;
        fdWarned = true;
        logger.error(
          `cannot accept Kafka connections: out of file descriptors (${err.code}, ${accepted} connections open). ` +
            'Raise the limit (ulimit -n 65536 before starting) or lower limits.maxConnections; new clients are refused meanwhile',
        );
        return;
      }
      warnings.warn('accept', `Kafka listener error: ${err.message}`);
    });
    const port = (server.address() as AddressInfo).port;
    state.settings.advertisedPort = options.advertisedPort ?? port;

    let httpServer: HttpServer | null = null;
    let kinesis: KinesisApiHandle | null = null;
    if (options.httpPort !== null) {
      try {
        httpServer = await startHttp(
          state,
          options.httpHost ?? host,
          options.httpPort ?? 9080,
          () => ({
            host: state.settings.advertisedHost ?? host,
            port: state.settings.advertisedPort,
          }),
          options.httpRoutes,
          {
            consoleDir: options.consoleDir ? path.resolve(options.consoleDir) : null,
            token: options.consoleToken || undefined,
            allowedHosts: options.allowedHosts,
            hints: options.httpHints,
            live: options.live,
            kinesisEndpoint: () => kinesis?.endpoint ?? null,
          },
        );
      } catch (err) {
        server.close();
        throw err;
      }
    }

    if (options.kinesisPort !== undefined && options.kinesisPort !== null) {
      try {
        kinesis = await startKinesisApi({
          store: kinesisStore(state, dataDir),
          host,
          port: options.kinesisPort,
        });
      } catch (err) {
        server.close();
        await httpServer?.close();
        throw err;
      }
    }

    let retentionRunning: Promise<number> | null = null;
    const retentionPass = async () => {
      const segments = await topics.applyRetention();
      await topics.compactLogs();
      await groups.expireOffsets();
      producers.expire();
      return segments;
    };
    /** An explicit run starts after any pass in flight, so it sees everything appended before the call. */
    const runRetention = (): Promise<number> => {
      const run = (retentionRunning ?? Promise.resolve(0))
        .catch(() => 0)
        .then(retentionPass)
        .finally(() => {
          if (retentionRunning === run) retentionRunning = null;
        });
      retentionRunning = run;
      return run;
    };
    const retentionTimer = setInterval(() => {
      if (retentionRunning) return; // the timer never queues passes behind a slow one
      runRetention().catch((err) => logger.error('retention failed', { error: String(err) }));
    }, options.retentionCheckIntervalMs ?? DEFAULT_RETENTION_CHECK_INTERVAL_MS);
    retentionTimer.unref();
    let txnCheck: Promise<unknown> | null = null;
    const txnTimer = setInterval(() => {
      if (txnCheck) return;
      txnCheck = transactions
        .abortTimedOut()
        .catch((err) => logger.error('aborting timed-out transactions failed', { error: String(err) }))
        .finally(() => (txnCheck = null));
    }, options.transactionTimeoutCheckIntervalMs ?? 1000);
    txnTimer.unref();

    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= (async () => {
        clearInterval(retentionTimer);
        clearInterval(txnTimer);
        server.close();
        for (const c of connections) c.close();
        state.appends.notifyAll();
        await kinesis?.close();
        await httpServer?.close();
        await retentionRunning?.catch(() => undefined);
        await txnCheck;
        await transactions.settled();
        await groups.close();
        await producers.settled();
        await topics.close();
        // after the logs' final fsync, so a snapshot never covers batches the log could still lose
        await producers
          .snapshotAll()
          .catch((err) => logger.warn('producer state snapshots failed', { error: String(err) }));
        await releaseLock();
        logger.info('broker stopped', { dataDir });
      })());

    logger.debug('broker started', {
      host,
      port,
      httpPort: httpServer?.port ?? null,
      kinesisPort: kinesis?.port ?? null,
      dataDir,
      ms: Date.now() - started,
    });
    return {
      host,
      port,
      httpPort: httpServer?.port ?? null,
      kinesisPort: kinesis?.port ?? null,
      kinesisEndpoint: kinesis?.endpoint ?? null,
      bootstrap: `${state.settings.advertisedHost ?? (isWildcard(host) ? '127.0.0.1' : host)}:${state.settings.advertisedPort}`,
      dataDir,
      consoleDir: httpServer && options.consoleDir ? path.resolve(options.consoleDir) : null,
      state,
      kafkaListener: {
        tls: !!options.tls,
        saslMechanisms: saslUsers ? [...SASL_MECHANISMS] : [],
        securityProtocol: saslUsers
          ? options.tls
            ? 'SASL_SSL'
            : 'SASL_PLAINTEXT'
          : options.tls
            ? 'SSL'
            : 'PLAINTEXT',
        limits,
        requestMemory,
      },
      runRetention,
      close,
    };
  } catch (err) {
    await releaseLock();
    throw err;
  }
}

function userPairs(users: Record<string, string> | Iterable<[string, string]>): Iterable<[string, string]> {
  return Symbol.iterator in users
    ? (users as Iterable<[string, string]>)
    : Object.entries(users as Record<string, string>);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function loadMeta(dataDir: string): Promise<{ clusterId: string }> {
  const file = path.join(dataDir, 'meta.json');
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // Kafka cluster ids are 22-character base64url strings.
  const meta = { clusterId: Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url') };
  await fs.writeFile(file, JSON.stringify(meta, null, 2));
  return meta;
}

/**
 * One broker per data directory: two writing the same logs would corrupt them. The lock names the
 * owner's pid; a lock left by a process that is gone (SIGKILL) is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lock = path.join(dataDir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(lock, String(process.pid), { flag: 'wx' });
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await fs.rm(lock, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(await fs.readFile(lock, 'utf8').catch(() => ''));
      if (owner && owner !== process.pid && isAlive(owner))
        throw new Error(
          `data directory ${dataDir} is in use by another broker (pid ${owner}); stop it or use another --data-dir`,
        );
      await fs.rm(lock, { force: true });
    }
  }
  throw new Error(`could not lock data directory ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
