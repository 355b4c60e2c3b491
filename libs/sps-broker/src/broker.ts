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
import { AppendNotifier } from './appends.js';
import { DEFAULT_BROKER_LOG, type BrokerLogDefaults } from './configs.js';
import { Connection } from './connection.js';
import { DEFAULT_GROUP_CONFIG, type GroupConfig } from './groups/config.js';
import { GroupCoordinator } from './groups/coordinator.js';
import { startHttp, type HttpRoutes, type HttpServer } from './http.js';
import type { LiveOptions } from './live.js';
import { consoleLogger, type Logger, type LogLevel } from './logger.js';
import { startKinesisApi, type KinesisApiHandle } from '@orders/kinesis-api';
import { kinesisStore } from './kinesis-store.js';
import { ProducerRegistry } from './producers.js';
import type { BrokerState } from './state.js';
import { TopicRegistry } from './topics.js';

export interface BrokerOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Kafka listener port (default 9092; 0 picks a free one). */
  port?: number;
  /** HTTP admin/console port (default 9080; 0 picks a free one; null disables HTTP). */
  httpPort?: number | null;
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
  /** How often retention runs (Kafka's log.retention.check.interval.ms; default 5 minutes). */
  retentionCheckIntervalMs?: number;
  /** Consumer-group settings (initial rebalance delay, session timeout bounds, offset retention). */
  groups?: Partial<GroupConfig>;
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
  /** The console's live feed: sample interval and history length (default 1 s, 600 samples). */
  live?: LiveOptions;
  logger?: Logger;
  logLevel?: LogLevel;
  /**
   * The Kinesis Data Streams API (libs/kinesis-api: HTTP/1.1 and h2c on one port) over the same
   * topics and logs. Default: off (null); `sps serve` turns it on at 4567; 0 picks a free port.
   */
  kinesisPort?: number | null;
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
    const producers = await ProducerRegistry.open(dataDir);
    const groups = await GroupCoordinator.open(
      dataDir,
      { ...DEFAULT_GROUP_CONFIG, ...options.groups },
      logger,
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
      },
      topics,
      producers,
      groups,
      appends: new AppendNotifier(),
      logger,
      startedAt: started,
      stats: { requests: 0, producedBatches: 0, producedBytes: 0, fetchedBytes: 0, connections: 0 },
    };

    const connections = new Set<Connection>();
    const server = net.createServer((socket) => {
      const conn = new Connection(socket, state, options.maxRequestBytes ?? 100 * 1024 * 1024);
      connections.add(conn);
      state.stats.connections++;
      socket.once('close', () => {
        connections.delete(conn);
        state.stats.connections--;
      });
    });
    await listen(server, host, options.port ?? 9092);
    const port = (server.address() as AddressInfo).port;
    state.settings.advertisedPort = options.advertisedPort ?? port;

    let httpServer: HttpServer | null = null;
    if (options.httpPort !== null) {
      try {
        httpServer = await startHttp(
          state,
          host,
          options.httpPort ?? 9080,
          () => ({
            host: state.settings.advertisedHost ?? host,
            port: state.settings.advertisedPort,
          }),
          options.httpRoutes,
          {
            consoleDir: options.consoleDir ? path.resolve(options.consoleDir) : null,
            token: options.consoleToken || undefined,
            live: options.live,
          },
        );
      } catch (err) {
        server.close();
        throw err;
      }
    }

    let kinesis: KinesisApiHandle | null = null;
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
    const runRetention = () => {
      retentionRunning ??= (async () => {
        const segments = await topics.applyRetention();
        await groups.expireOffsets();
        return segments;
      })().finally(() => (retentionRunning = null));
      return retentionRunning;
    };
    const retentionTimer = setInterval(
      () => {
        runRetention().catch((err) => logger.error('retention failed', { error: String(err) }));
      },
      options.retentionCheckIntervalMs ?? 5 * 60 * 1000,
    );
    retentionTimer.unref();

    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= (async () => {
        clearInterval(retentionTimer);
        server.close();
        for (const c of connections) c.close();
        state.appends.notifyAll();
        await kinesis?.close();
        await httpServer?.close();
        await retentionRunning?.catch(() => undefined);
        await groups.close();
        await topics.close();
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
      runRetention,
      close,
    };
  } catch (err) {
    await releaseLock();
    throw err;
  }
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
