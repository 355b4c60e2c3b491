/**
 * The broker the compatibility suite runs against:
 *   COMPAT_TARGET=sps   (default) our broker, started in-process on free ports with a temp data dir;
 *   COMPAT_TARGET=kafka Apache Kafka already running at KAFKA_BOOTSTRAP (default 127.0.0.1:19092),
 *                       e.g. started by `scripts/kafka/kafka.sh start`.
 * The same tests run against both: Apache Kafka's answers are the reference for ours.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajsPkg, { type Kafka, type KafkaConfig } from 'kafkajs';

const { Kafka: KafkaClient, logLevel } = kafkajsPkg;

export type TargetName = 'sps' | 'kafka';

export interface Target {
  name: TargetName;
  /** host:port for kafkajs, kcat, the Java clients and Kafka's tools */
  bootstrap: string;
  close(): Promise<void>;
}

interface StartedBroker {
  host: string;
  port: number;
  httpPort: number;
  close(): Promise<void>;
}
type StartBroker = (options: {
  host: string;
  port: number;
  httpPort: number;
  dataDir: string;
  groups?: { initialRebalanceDelayMs?: number };
}) => Promise<StartedBroker>;

export const targetName: TargetName = process.env.COMPAT_TARGET === 'kafka' ? 'kafka' : 'sps';

/** Starts (sps) or connects to (kafka) the broker under test. Call in beforeAll, close in afterAll. */
export async function startTarget(): Promise<Target> {
  if (targetName === 'kafka') {
    const bootstrap = process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:19092';
    const [host, port] = bootstrap.split(':');
    if (!(await canConnect(host, Number(port)))) {
      throw new Error(
        `Apache Kafka is not reachable at ${bootstrap}: start it with scripts/kafka/kafka.sh start`,
      );
    }
    return { name: 'kafka', bootstrap, close: async () => {} };
  }

  // Imported dynamically so this file loads (and the suite reports clearly) before the broker exists.
  const mod = (await import('@orders/sps-broker')) as { startBroker?: StartBroker };
  if (typeof mod.startBroker !== 'function') {
    throw new Error('@orders/sps-broker does not export startBroker() yet');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'sps-compat-'));
  const broker = await mod.startBroker({
    host: '127.0.0.1',
    port: await freePort(),
    httpPort: await freePort(),
    dataDir,
    // As scripts/kafka/kafka.sh configures Apache Kafka (group.initial.rebalance.delay.ms=0), so
    // rebalance timings compare like with like.
    groups: { initialRebalanceDelayMs: 0 },
  });
  return {
    name: 'sps',
    bootstrap: `${broker.host}:${broker.port}`,
    close: async () => {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A kafkajs client for the target. Silent by default, because several tests provoke errors on
 * purpose; KAFKAJS_LOG_LEVEL=ERROR|WARN|INFO|DEBUG shows kafkajs' own log when debugging.
 */
export function kafkajs(target: Target, config: Partial<KafkaConfig> = {}): Kafka {
  const level = process.env.KAFKAJS_LOG_LEVEL?.toUpperCase() as keyof typeof logLevel | undefined;
  return new KafkaClient({
    clientId: 'compat',
    brokers: [target.bootstrap],
    logLevel: level && level in logLevel ? logLevel[level] : logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
    ...config,
  });
}

/** A fresh topic name per test, so runs against a long-lived Apache Kafka never collide. */
export function uniqueTopic(prefix: string): string {
  return `compat-${prefix}-${randomBytes(4).toString('hex')}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, host);
  });
}
