/**
 * Apache Kafka's own perf tools against our broker and Apache Kafka, in one sitting:
 * `kafka-producer-perf-test` (N × 200 B, acks=all, 5 partitions, unthrottled) then
 * `kafka-consumer-perf-test` on the same topic, on each broker in turn (ours produce, Kafka produce,
 * ours consume, Kafka consume, so a load change on the machine hits both alike). Writes
 * `ratios.produceVsKafka` / `ratios.consumeVsKafka` (ours ÷ Kafka, records/s) with the raw figures.
 * Then the e2e latency at 1k/s on both brokers with kafkajs and with a bare wire client
 * (test/bench/wire-client.ts), each with acks=all and acks=1, so a latency figure splits into the
 * broker's part (the wire client's) and the client's (what kafkajs adds). A faster real client was
 * tried: @platformatic/kafka (pure JS) needs Metadata v9+ / Fetch v12+, which our broker does not
 * speak yet; @confluentinc/kafka-javascript downloads a prebuilt librdkafka at install, which this
 * machine cannot.
 *
 * Ours is `sps serve` (the built CLI) in its own process with a fresh data dir; Kafka is the
 * single-node KRaft broker of scripts/kafka/kafka.sh from the jars scripts/kafka/fetch-kafka.sh caches
 * (as CI does). Skipped with a message when java or the jars are absent.
 *
 * Env: BENCH_PERF_RECORDS (1,000,000; --quick 50,000), BENCH_SPS_PORT / BENCH_KAFKA_PORT /
 * BENCH_KAFKA_CONTROLLER_PORT (default: free ports), BENCH_SPS_CPU_PROF=<dir> runs `sps serve` under
 * `node --cpu-prof` and leaves the .cpuprofile there (summarise it with test/bench/cpuprofile-top.ts).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { tempDir } from '../../helpers/broker.js';
import { exited, REPO, waitForLine } from '../../helpers/process.js';
import { e2eLine, measureE2e, type LogClient } from '../e2e-latency.js';
import { wireClient } from '../wire-client.js';
import type { BenchContext, Scenario } from '../scenario.js';
import { e2eCounts } from './streams.js';

const PARTITIONS = 5;
const RECORD_BYTES = 200;
const TOOL = path.join(REPO, 'scripts/kafka/tool.sh');
const KAFKA_SH = path.join(REPO, 'scripts/kafka/kafka.sh');

export const kafkaPerf: Scenario = {
  name: 'kafka-perf',
  title: "Kafka's producer/consumer perf tools against our broker and Apache Kafka",
  run,
};

const NO_JARS = 'no Apache Kafka jars';
const FETCH_KAFKA = path.join(REPO, 'scripts/kafka/fetch-kafka.sh');

/** Why the scenario cannot run here, or null. */
function missingPrerequisite(): string | null {
  const cache = process.env.KAFKA_CACHE_DIR ?? path.join(REPO, '.cache/kafka');
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin/java') : 'java';
  const probe = spawnSyncOk(java, ['-version']);
  if (!probe) return `no java (${java}); Kafka 4.x needs Java 17+`;
  const current = path.join(cache, 'current');
  const version =
    process.env.KAFKA_VERSION ?? (existsSync(current) ? readFileSync(current, 'utf8').trim() : '');
  if (!version || !existsSync(path.join(cache, version, 'libs'))) return `${NO_JARS} in ${cache}`;
  if (!existsSync(path.join(REPO, 'apps/sps/dist/main.js'))) return 'sps is not built; run npm run build';
  return null;
}

function spawnSyncOk(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a script, resolving with its stdout; rejects with its stderr tail on a non-zero exit. */
function runScript(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [file, ...args],
      { cwd: REPO, env: { ...process.env, ...env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(`${path.basename(file)} ${args[0]} failed: ${stderr.slice(-2000) || error.message}`),
          );
        else resolve(stdout);
      },
    );
  });
}

interface ProducerFigures {
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** Parses ProducerPerformance's summary: "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, p50 ms 50th, p95 ms 95th, p99 ms 99th, …". */
function parseProducer(out: string): ProducerFigures {
  const m =
    /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(
      out,
    );
  if (!m) throw new Error(`kafka-producer-perf-test: no summary line in its output:\n${out.slice(-1500)}`);
  return {
    recordsPerSec: Math.round(Number(m[2])),
    mbPerSec: Number(m[3]),
    avgLatencyMs: Number(m[4]),
    maxLatencyMs: Number(m[5]),
    p50Ms: Number(m[6]),
    p99Ms: Number(m[8]),
  };
}

interface ConsumerFigures {
  records: number;
  /** nMsg.sec: over the whole run, the group join included. */
  recordsPerSec: number;
  /** fetch.nMsg.sec: once the group is joined. */
  fetchRecordsPerSec: number;
  mbPerSec: number;
  rebalanceMs: number;
}

/** Parses ConsumerPerformance's CSV line: start, end, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec. */
function parseConsumer(out: string): ConsumerFigures {
  const line = out
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^\d{4}-\d\d-\d\d .*,/.test(l));
  const cols = line?.split(',').map((c) => c.trim());
  if (!cols || cols.length < 10)
    throw new Error(`kafka-consumer-perf-test: no figures line in its output:\n${out.slice(-1500)}`);
  return {
    records: Number(cols[4]),
    recordsPerSec: Math.round(Number(cols[5])),
    fetchRecordsPerSec: Math.round(Number(cols[9])),
    mbPerSec: Number(cols[3]),
    rebalanceMs: Number(cols[6]),
  };
}

async function createTopic(bootstrap: string, topic: string, numPartitions = PARTITIONS) {
  const kafka = new Kafka({ clientId: 'bench-perf', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
  await admin.disconnect();
}

/** kafkajs as a {@link LogClient}: a producer with `acks`, a fresh group per phase reading from the beginning. */
function kafkajsClient(bootstrap: string, label: string, acks: -1 | 1) {
  let phaseNo = 0;
  return async (): Promise<LogClient> => {
    const topic = `e2e-${label}-${phaseNo++}`;
    const kafka = new Kafka({ clientId: 'bench-e2e', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    await createTopic(bootstrap, topic, 1);
    const producer = kafka.producer();
    await producer.connect();
    const consumers: ReturnType<typeof kafka.consumer>[] = [];
    const consume = async (onRecord: (value: string) => void) => {
      const consumer = kafka.consumer({ groupId: `${topic}-${consumers.length}`, maxWaitTimeInMs: 500 });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) onRecord(m.value!.toString());
        },
      });
      await joined;
    };
    return {
      async subscribe(onRecord) {
        await consume(onRecord);
        await new Promise((r) => setTimeout(r, 500));
      },
      send: async (value) => void (await producer.send({ topic, acks, messages: [{ value }] })),
      sendBatch: async (values) =>
        void (await producer.send({ topic, acks, messages: values.map((value) => ({ value })) })),
      async readAll(count) {
        let seen = 0;
        await new Promise<void>((resolve) => void consume(() => ++seen >= count && resolve()));
      },
      async close() {
        await Promise.all(consumers.map((c) => c.disconnect()));
        await producer.disconnect();
      },
    };
  };
}

const ratio = (ours: number, theirs: number) => (theirs > 0 ? Math.round((ours / theirs) * 100) / 100 : null);
const fmt = (n: number) => n.toLocaleString('en');

async function run({ quick, line, say }: BenchContext): Promise<Record<string, Record<string, unknown>>> {
  let missing = missingPrerequisite();
  if (missing?.startsWith(NO_JARS)) {
    // As CI does, and as the streams scenario installs its servers: fetch what the comparison needs.
    say(`${missing}: fetching them (scripts/kafka/fetch-kafka.sh: Maven Central, ~130 MB, cached) ...`);
    const fetched = spawnSync('bash', [FETCH_KAFKA], { stdio: ['ignore', 'inherit', 'inherit'] });
    missing =
      fetched.status === 0
        ? missingPrerequisite()
        : `${NO_JARS}, and scripts/kafka/fetch-kafka.sh failed (exit ${fetched.status}; see above)`;
  }
  if (missing) {
    say(`skipped: ${missing}`);
    return {
      ratios: { produceVsKafka: null, consumeVsKafka: null, note: `kafka-perf skipped: ${missing}` },
    };
  }
  const records = Number(process.env.BENCH_PERF_RECORDS ?? (quick ? 50_000 : 1_000_000));
  const topic = 'perf-test';
  say(
    `kafka-producer-perf-test: ${fmt(records)} × ${RECORD_BYTES} B, acks=all, ${PARTITIONS} partitions, unthrottled; then kafka-consumer-perf-test on the same topic`,
  );

  const spsPort = Number(process.env.BENCH_SPS_PORT ?? (await freePort()));
  const kafkaPort = Number(process.env.BENCH_KAFKA_PORT ?? (await freePort()));
  const controllerPort = Number(process.env.BENCH_KAFKA_CONTROLLER_PORT ?? (await freePort()));
  const spsData = await tempDir('sps-perf-');
  const kafkaData = await tempDir('kafka-perf-');
  const kafkaEnv = {
    KAFKA_PORT: String(kafkaPort),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_DATA_DIR: kafkaData,
  };
  const profDir = process.env.BENCH_SPS_CPU_PROF;
  let sps: ChildProcess | undefined;
  let kafkaStarted = false;
  try {
    sps = spawn(
      process.execPath,
      [
        ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profDir)}`] : []),
        path.join(REPO, 'apps/sps/bin/sps.cjs'),
        'serve',
        '--port',
        String(spsPort),
        '--http-port',
        'off',
        '--kinesis-port',
        'off',
        '--console-dir',
        'off',
        '--data-dir',
        spsData,
        '--group-initial-rebalance-delay',
        '0',
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await waitForLine(sps, /sps ready/, 60_000);
    const spsBootstrap = `127.0.0.1:${spsPort}`;
    say(
      `our broker: sps serve on ${spsBootstrap} (pid ${sps.pid}${profDir ? `, --cpu-prof into ${profDir}` : ''})`,
    );
    say((await runScript(KAFKA_SH, ['start'], kafkaEnv)).trim());
    kafkaStarted = true;
    const kafkaBootstrap = `127.0.0.1:${kafkaPort}`;
    await createTopic(spsBootstrap, topic);
    await createTopic(kafkaBootstrap, topic);

    const producePerf = async (bootstrap: string) =>
      parseProducer(
        await runScript(TOOL, [
          'kafka-producer-perf-test',
          '--topic',
          topic,
          '--num-records',
          String(records),
          '--record-size',
          String(RECORD_BYTES),
          '--throughput',
          '-1',
          '--producer-props',
          `bootstrap.servers=${bootstrap}`,
          'acks=all',
        ]),
      );
    const consumePerf = async (bootstrap: string) =>
      parseConsumer(
        await runScript(TOOL, [
          'kafka-consumer-perf-test',
          '--bootstrap-server',
          bootstrap,
          '--topic',
          topic,
          '--messages',
          String(records),
          '--group',
          'perf-test-group',
          '--timeout',
          '60000',
        ]),
      );

    const produceLine = (who: string, p: ProducerFigures) =>
      line(
        `producer-perf-test → ${who}`,
        `${fmt(p.recordsPerSec)} records/s (${p.mbPerSec} MB/s), latency avg ${p.avgLatencyMs} / p50 ${p.p50Ms} / p99 ${p.p99Ms} ms`,
      );
    const consumeLine = (who: string, c: ConsumerFigures) =>
      line(
        `consumer-perf-test ← ${who}`,
        `${fmt(c.fetchRecordsPerSec)} records/s after join (${fmt(c.recordsPerSec)} incl. ${c.rebalanceMs} ms join), ${c.records} records`,
      );

    const oursProduce = await producePerf(spsBootstrap);
    produceLine('ours (sps, fsync per acks=all write)', oursProduce);
    const kafkaProduce = await producePerf(kafkaBootstrap);
    produceLine('Apache Kafka (no fsync by default)', kafkaProduce);
    const oursConsume = await consumePerf(spsBootstrap);
    consumeLine('ours', oursConsume);
    const kafkaConsume = await consumePerf(kafkaBootstrap);
    consumeLine('Apache Kafka', kafkaConsume);

    const produceVsKafka = ratio(oursProduce.recordsPerSec, kafkaProduce.recordsPerSec);
    const consumeVsKafka = ratio(oursConsume.fetchRecordsPerSec, kafkaConsume.fetchRecordsPerSec);
    line('ours ÷ Kafka: produce / consume (records/s)', `${produceVsKafka}× / ${consumeVsKafka}×`);

    say(
      'e2e latency at 1k/s (same harness as the streams scenario: 1 partition, one record per produce request), ' +
        'with kafkajs and with a bare wire client (test/bench/wire-client.ts: no linger, TCP_NODELAY, a fetch long-poll ' +
        'loop, so its figure is the broker and loopback); acks=all and acks=1:',
    );
    const counts = e2eCounts(quick);
    const e2e: Record<string, unknown> = {};
    const brokers = [
      { key: 'sps', name: 'ours', bootstrap: spsBootstrap, durability: 'fsync before acks=all is answered' },
      {
        key: 'kafka',
        name: 'Apache Kafka',
        bootstrap: kafkaBootstrap,
        durability: 'page cache, no fsync (Kafka default)',
      },
    ] as const;
    const clients = [
      { key: 'kafkajs', name: 'kafkajs', version: 'kafkajs 2.2.4' },
      { key: 'wire', name: 'wire client', version: 'test/bench/wire-client.ts (Produce v7, Fetch v11)' },
    ] as const;
    for (const client of clients) {
      for (const broker of brokers) {
        for (const acks of [-1, 1] as const) {
          const label = `${broker.key}-${acks === -1 ? 'all' : '1'}`;
          const open =
            client.key === 'kafkajs'
              ? kafkajsClient(broker.bootstrap, label, acks)
              : wireClient(broker.bootstrap, label, acks, (t) => createTopic(broker.bootstrap, t, 1));
          const figures = await measureE2e(open, counts);
          line(`  ${client.name} → ${broker.name}, acks=${acks === -1 ? 'all' : '1'}`, e2eLine(figures));
          e2e[`${client.key}_${broker.key}${acks === -1 ? '' : '_acks1'}`] = {
            ...figures,
            acks: acks === -1 ? 'all' : '1',
            durability: acks === -1 ? broker.durability : 'acks=1: answered once written (no fsync wait)',
            client: client.version,
          };
        }
      }
    }
    const kafkaVersion = readFileSync(
      path.join(process.env.KAFKA_CACHE_DIR ?? path.join(REPO, '.cache/kafka'), 'current'),
      'utf8',
    ).trim();
    return {
      ratios: {
        produceVsKafka,
        consumeVsKafka,
        note:
          `ours ÷ Apache Kafka ${kafkaVersion}, records/s, measured in the same run with Kafka's own kafka-producer-perf-test ` +
          `(${records} × ${RECORD_BYTES} B, acks=all, ${PARTITIONS} partitions) and kafka-consumer-perf-test (fetch.nMsg.sec, after the group join). ` +
          'Ours fsyncs the log before answering an acks=all produce; Kafka does not fsync by default (flush.messages unset: the page cache and replication are its durability). ' +
          'On a shared machine the ratio is what to compare, not the absolute figures.',
      },
      e2e,
      kafkaPerf: {
        records,
        recordBytes: RECORD_BYTES,
        partitions: PARTITIONS,
        kafkaVersion,
        sps: { produce: oursProduce, consume: oursConsume, durability: 'fsync before acks=all is answered' },
        kafka: {
          produce: kafkaProduce,
          consume: kafkaConsume,
          durability: 'page cache, no fsync (Kafka default)',
        },
      },
    };
  } finally {
    if (sps && sps.exitCode === null) {
      sps.kill('SIGTERM');
      await exited(sps);
    }
    if (kafkaStarted) await runScript(KAFKA_SH, ['stop'], kafkaEnv).catch(() => undefined);
    await rm(spsData, { recursive: true, force: true });
    await rm(kafkaData, { recursive: true, force: true });
  }
}
