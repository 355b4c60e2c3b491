/**
 * Chaos: a bounded fuzz pass on the Kafka port. Real requests are mutated (flipped bytes,
 * truncations, wrong and huge length prefixes, trailing garbage, pure noise) and pipelined in
 * floods. The broker must not crash, a normal kafkajs client must keep working, and the broker's
 * memory must come back down afterwards.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, encodeRecordBatch, encodeRequest } from '@orders/kafka-protocol';
import { tempDir } from '../helpers/broker.js';
import { spawnTs, waitForLine } from '../helpers/process.js';
import { envInt, random, seed, sleep } from './knobs.js';

const FRAMES = envInt('CHAOS_FUZZ_FRAMES', 1500);
const RSS_SLACK_MB = envInt('CHAOS_RSS_SLACK_MB', 250);
const CONCURRENCY = 16;

const dirs: string[] = [];
let child: ReturnType<typeof spawnTs> | null = null;
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Well-formed requests of the APIs clients use most, as templates to mutate. */
function templates(): Buffer[] {
  const batch = encodeRecordBatch({ records: [{ key: 'k', value: 'fuzz' }, { value: 'v2' }] });
  const idem = encodeRecordBatch({
    producerId: 1,
    producerEpoch: 0,
    baseSequence: 0,
    records: [{ value: 'i' }],
  });
  const fetch = {
    replicaId: -1,
    maxWaitMs: 10,
    minBytes: 0,
    maxBytes: 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: 'fuzz',
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 0,
            logStartOffset: -1,
            partitionMaxBytes: 65536,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
  const produce = (records: Buffer) => ({
    transactionalId: null,
    acks: 1,
    timeoutMs: 1000,
    topicData: [{ name: 'fuzz', partitionData: [{ index: 0, records }] }],
  });
  return [
    encodeRequest(ApiKey.ApiVersions, 0, 1, 'fuzz', {}),
    encodeRequest(ApiKey.ApiVersions, 3, 2, 'fuzz', {
      clientSoftwareName: 'fuzz',
      clientSoftwareVersion: '1',
    }),
    encodeRequest(ApiKey.Metadata, 4, 3, 'fuzz', {
      topics: [{ name: 'fuzz' }],
      allowAutoTopicCreation: false,
    }),
    encodeRequest(ApiKey.Metadata, 1, 4, 'fuzz', { topics: null }),
    encodeRequest(ApiKey.Produce, 7, 5, 'fuzz', produce(batch)),
    encodeRequest(ApiKey.Produce, 3, 6, 'fuzz', produce(idem)),
    encodeRequest(ApiKey.Fetch, 11, 7, 'fuzz', fetch),
    encodeRequest(ApiKey.CreateTopics, 4, 8, 'fuzz', {
      topics: [{ name: 'fuzz-made', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: true,
    }),
    encodeRequest(ApiKey.FindCoordinator, 2, 9, 'fuzz', { key: 'fuzz-group', keyType: 0 }),
    encodeRequest(ApiKey.ListOffsets, 2, 10, 'fuzz', {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 'fuzz', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
    }),
  ];
}

type Mutation = (frame: Buffer) => Buffer[];
const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
const int = (n: number) => Math.floor(random() * n);

const mutations: Record<string, Mutation> = {
  flipBytes(f) {
    const b = Buffer.from(f);
    for (let i = 1 + int(8); i > 0; i--) b[4 + int(b.length - 4)] = int(256);
    return [b];
  },
  truncate(f) {
    return [f.subarray(0, 1 + int(f.length - 1))];
  },
  hugeLength(f) {
    const b = Buffer.from(f);
    b.writeInt32BE(pick([0x7fffffff, 100 * 1024 * 1024 + 1, 64 * 1024 * 1024, 1 + int(0x7ffffffe)]), 0);
    return [b];
  },
  badLength(f) {
    const b = Buffer.from(f);
    b.writeInt32BE(pick([-1, -0x80000000, 0, 1, 3, b.length - 4 - 1 - int(4)]), 0);
    return [b];
  },
  trailingGarbage(f) {
    const junk = Buffer.alloc(1 + int(64));
    for (let i = 0; i < junk.length; i++) junk[i] = int(256);
    return [f, junk];
  },
  noise() {
    const junk = Buffer.alloc(1 + int(512));
    for (let i = 0; i < junk.length; i++) junk[i] = int(256);
    return [junk];
  },
  /** many requests pipelined without reading the answers, the last one cut short */
  flood(f) {
    const n = 50 + int(200);
    return [Buffer.concat(Array.from({ length: n }, () => f)), f.subarray(0, int(f.length))];
  },
  /** one byte at a time: a very slow client */
  dribble(f) {
    return [...f.subarray(0, Math.min(f.length, 40))].map((x) => Buffer.from([x]));
  },
};

/** Sends the chunks on a fresh connection, waits briefly for the broker to answer or close, hangs up. */
function attack(port: number, chunks: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, 50 + int(100));
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', () => undefined);
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
    });
  });
}

describe('chaos: fuzzing the Kafka port', () => {
  it(`survives ${FRAMES} mutated frames; a normal client keeps working; memory comes back`, async () => {
    const dataDir = await tempDir('sps-fuzz-');
    dirs.push(dataDir);
    child = spawnTs('test/fixtures/serve.ts', [dataDir, '0']);
    child.stderr!.resume();
    const port = Number((await waitForLine(child, /ready (\d+)/, 60_000))[1]);
    const kafka = new Kafka({
      clientId: 'fuzz-check',
      brokers: [`127.0.0.1:${port}`],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'fuzz' }, { topic: 'fuzz-check' }] });
    await admin.disconnect();
    await sleep(500);
    const startRss = rssMb(child.pid!);

    const frames = templates();
    const used = new Map<string, number>();
    let peakRss = startRss;
    for (let sent = 0; sent < FRAMES; sent += CONCURRENCY) {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, () => {
          const name = pick(Object.keys(mutations));
          used.set(name, (used.get(name) ?? 0) + 1);
          return attack(port, mutations[name]!(pick(frames)));
        }),
      );
      expect(child.exitCode, `the broker exited during the fuzz pass (seed ${seed})`).toBeNull();
      if (sent % 200 < CONCURRENCY) peakRss = Math.max(peakRss, rssMb(child.pid!));
    }

    // a normal client still produces and consumes
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'fuzz-check', acks: -1, messages: [{ key: 'a', value: 'still works' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'fuzz-check' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'fuzz-check', fromBeginning: true });
    const got = new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) });
    });
    expect(await got).toBe('still works');
    await consumer.disconnect();

    let endRss = rssMb(child.pid!);
    for (let i = 0; i < 60 && endRss > startRss + RSS_SLACK_MB; i++) {
      await sleep(500);
      endRss = rssMb(child.pid!);
    }
    console.log(
      `chaos: fuzz frames=${FRAMES} seed=${seed} rssStartMb=${startRss.toFixed(0)} rssPeakMb=${peakRss.toFixed(0)} ` +
        `rssEndMb=${endRss.toFixed(0)} mutations=${JSON.stringify(Object.fromEntries(used))}`,
    );
    expect(child.exitCode).toBeNull();
    expect(endRss).toBeLessThan(startRss + RSS_SLACK_MB);
    child.kill('SIGTERM');
  });
});
