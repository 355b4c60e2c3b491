/**
 * Other logs with their Node clients, measured the way test/bench/e2e-latency.ts measures kafkajs on
 * our broker and Kafka (the kafka-perf scenario): Redis Streams (ioredis; XADD / XREAD BLOCK), with AOF
 * `appendfsync always` (fsync per write, like ours on acks=all) and `everysec` (Redis's AOF default),
 * and NATS JetStream (nats.js; file storage). Durability is written beside each figure.
 *
 * The servers are Debian's `redis-server` and `nats-server`: installed with apt-get when missing (or
 * skipped with a message when that fails). Env: BENCH_REDIS_PORT, BENCH_NATS_PORT (default: free ports).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { connect, StorageType, type NatsConnection } from 'nats';
import { tempDir } from '../../helpers/broker.js';
import { exited } from '../../helpers/process.js';
import { e2eLine, measureE2e, type E2eFigures, type LogClient } from '../e2e-latency.js';
import type { BenchContext, Scenario } from '../scenario.js';
import { freePort } from './kafka-perf.js';

export const streams: Scenario = {
  name: 'streams',
  title: 'Redis Streams and NATS JetStream with their Node clients (e2e latency at 1k/s, throughput)',
  run,
};

/** Puts a Debian package's command on PATH if it is missing; returns why not, or null. */
function ensureCommand(command: string, aptPackage: string, say: (s: string) => void): string | null {
  if (spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0) return null;
  say(
    `${command} not found: installing Debian's ${aptPackage} (apt-get update && apt-get install -y ${aptPackage}) ...`,
  );
  const r = spawnSync('sh', ['-c', `apt-get update -qq && apt-get install -y -qq ${aptPackage}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status === 0) return null;
  return `${command} missing and apt-get install ${aptPackage} failed (${(r.stderr ?? '').trim().split('\n').at(-1)}); install it to run this part`;
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await exited(child);
}

async function redisFigures(appendfsync: 'always' | 'everysec', records: Counts): Promise<E2eFigures> {
  const port = Number(process.env.BENCH_REDIS_PORT ?? (await freePort()));
  const dir = await tempDir('redis-bench-');
  const server = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      appendfsync,
    ],
    { stdio: 'ignore' },
  );
  try {
    await waitUntil(async () => {
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
      probe.on('error', () => undefined); // refused until the server listens: the loop retries
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    }, 'redis-server');
    let phaseNo = 0;
    return await measureE2e(async (): Promise<LogClient> => {
      const key = `bench-${phaseNo++}`;
      const writer = new Redis({ port, host: '127.0.0.1' });
      const reader = new Redis({ port, host: '127.0.0.1' });
      let reading = true;
      return {
        async subscribe(onRecord) {
          let lastId = '$';
          void (async () => {
            while (reading) {
              const res = (await reader
                .xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', key, lastId)
                .catch(() => null)) as [string, [string, string[]][]][] | null;
              for (const [, entries] of res ?? [])
                for (const [id, fields] of entries) {
                  lastId = id;
                  onRecord(fields[1]!);
                }
            }
          })();
          await new Promise((r) => setTimeout(r, 200));
        },
        send: async (value) => void (await writer.xadd(key, '*', 'v', value)),
        async sendBatch(values) {
          const pipeline = writer.pipeline();
          for (const v of values) pipeline.xadd(key, '*', 'v', v);
          await pipeline.exec();
        },
        async readAll(count) {
          let lastId = '0';
          let seen = 0;
          while (seen < count) {
            const res = (await reader.xread('COUNT', 5000, 'STREAMS', key, lastId)) as
              [string, [string, string[]][]][] | null;
            const entries = res?.[0]?.[1] ?? [];
            if (!entries.length) break;
            seen += entries.length;
            lastId = entries.at(-1)![0];
          }
        },
        async close() {
          reading = false;
          writer.disconnect();
          reader.disconnect();
        },
      };
    }, records);
  } finally {
    await stop(server);
    await rm(dir, { recursive: true, force: true });
  }
}

async function natsFigures(records: Counts): Promise<E2eFigures> {
  const port = Number(process.env.BENCH_NATS_PORT ?? (await freePort()));
  const dir = await tempDir('nats-bench-');
  const server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], {
    stdio: 'ignore',
  });
  let nc: NatsConnection | undefined;
  try {
    await waitUntil(async () => {
      nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
      return true;
    }, 'nats-server');
    const conn = nc!;
    const jsm = await conn.jetstreamManager();
    const js = conn.jetstream();
    const enc = new TextEncoder();
    const dec = new TextDecoder();
    let phaseNo = 0;
    return await measureE2e(async (): Promise<LogClient> => {
      const name = `bench${phaseNo++}`;
      await jsm.streams.add({ name, subjects: [`${name}.records`], storage: StorageType.File });
      const subject = `${name}.records`;
      const stops: (() => void)[] = [];
      return {
        async subscribe(onRecord) {
          const consumer = await js.consumers.get(name);
          const messages = await consumer.consume();
          stops.push(() => void messages.stop());
          void (async () => {
            for await (const m of messages) onRecord(dec.decode(m.data));
          })();
        },
        send: async (value) => void (await js.publish(subject, enc.encode(value))),
        sendBatch: async (values) =>
          void (await Promise.all(values.map((v) => js.publish(subject, enc.encode(v))))),
        async readAll(count) {
          const consumer = await js.consumers.get(name);
          const messages = await consumer.consume();
          let seen = 0;
          for await (const _ of messages) if (++seen >= count) break;
          await messages.close();
        },
        async close() {
          for (const s of stops) s();
        },
      };
    }, records);
  } finally {
    await nc?.close();
    await stop(server);
    await rm(dir, { recursive: true, force: true });
  }
}

type Counts = { latencyRecords: number; throughputRecords: number };

/** The e2e counts every e2e figure of the bench uses (kafka-perf's kafkajs ones too). */
export function e2eCounts(quick: boolean): Counts {
  return { latencyRecords: quick ? 1_000 : 10_000, throughputRecords: quick ? 10_000 : 200_000 };
}

async function run({ quick, line, say }: BenchContext): Promise<Record<string, Record<string, unknown>>> {
  const counts = e2eCounts(quick);
  const out: Record<string, unknown> = {};
  say(
    `e2e latency: ${counts.latencyRecords} records at 1,000/s, one producer, one consumer; throughput: ${counts.throughputRecords} × 200 B`,
  );
  const redisMissing = ensureCommand('redis-server', 'redis-server', say);
  if (redisMissing) say(`Redis skipped: ${redisMissing}`);
  else
    for (const appendfsync of ['always', 'everysec'] as const) {
      const f = await redisFigures(appendfsync, counts);
      const durability = `AOF appendfsync ${appendfsync}${appendfsync === 'always' ? ' (fsync per write, like ours on acks=all)' : ' (fsync once a second: a crash loses up to 1 s)'}`;
      out[`redisStreams_${appendfsync}`] = { ...f, durability, client: 'ioredis 5.6.1' };
      line(`Redis Streams, ${durability.split(' (')[0]}`, e2eLine(f));
    }
  const natsMissing = ensureCommand('nats-server', 'nats-server', say);
  if (natsMissing) say(`NATS skipped: ${natsMissing}`);
  else {
    const version = spawnSync('nats-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
    const f = await natsFigures(counts);
    const durability = `JetStream file storage (${version.replace(': ', ' ')}; fsync every 2 min by default, sync_interval; no per-write fsync)`;
    out.natsJetStream = { ...f, durability, client: 'nats 2.29.3' };
    line('NATS JetStream, file storage', e2eLine(f));
  }
  return { e2e: out };
}
