/**
 * The broker with kafkajs (no apps): broker start time (own process, empty data dir), kafkajs produce
 * throughput (acks=1 and acks=all) and group-consume throughput, fetch + decode with a raw client, the
 * latency of a long-polling fetch woken by an append, broker RSS before and after (memory does not grow
 * with the log), and sps-log alone. Compare figures as ratios within one run.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { ApiKey, encodeRecordBatch } from '@orders/kafka-protocol';
import { Kafka, logLevel } from 'kafkajs';
import { tempDir } from '../../helpers/broker.js';
import { exited, spawnTs, waitForLine } from '../../helpers/process.js';
import { RawConnection } from '../../helpers/raw-client.js';
import { readPartition } from '../../helpers/read.js';
import type { BenchContext, Scenario } from '../scenario.js';
import { mib, perSec } from '../scenario.js';

const BATCH = 500;
const VALUE = Buffer.alloc(200, 'o').toString();
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export const brokerKafkajs: Scenario = {
  name: 'broker',
  title: 'the broker alone, with kafkajs and a raw client',
  run,
};

async function run({ quick, line, say }: BenchContext): Promise<Record<string, Record<string, unknown>>> {
  const RECORDS = Number(process.env.BENCH_RECORDS ?? (quick ? 10_000 : 200_000));
  const out: Record<string, unknown> = { records: RECORDS, valueBytes: VALUE.length };
  say(`records: ${RECORDS} x ${VALUE.length} B values, kafkajs batches of ${BATCH}`);
  const dataDir = await tempDir('sps-bench-');
  const t0 = performance.now();
  // The broker runs in its own process, so its memory is measured apart from the clients'.
  const child = spawnTs('test/fixtures/serve.ts', [dataDir, '0']);
  const port = Number((await waitForLine(child, /ready (\d+)/))[1]);
  const broker = { port, bootstrap: `127.0.0.1:${port}` };
  out.startMs = Math.round(performance.now() - t0);
  line('broker process start to ready (tsx from source)', `${out.startMs} ms`);
  const brokerRss = () =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024;
  const rssStart = brokerRss();

  const kafka = new Kafka({ clientId: 'bench', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'bench-acks1', numPartitions: 4 },
      { topic: 'bench-acksall', numPartitions: 4 },
    ],
  });
  await admin.disconnect();

  async function produce(topic: string, acks: number) {
    const producer = kafka.producer();
    await producer.connect();
    const started = performance.now();
    const inFlight: Promise<unknown>[] = [];
    for (let sent = 0; sent < RECORDS; sent += BATCH) {
      const messages = Array.from({ length: Math.min(BATCH, RECORDS - sent) }, (_, i) => ({
        key: `k${(sent + i) % 97}`,
        value: VALUE,
      }));
      inFlight.push(producer.send({ topic, acks, messages }));
      if (inFlight.length >= 8) await inFlight.shift();
    }
    await Promise.all(inFlight);
    const secs = (performance.now() - started) / 1000;
    await producer.disconnect();
    out[acks === -1 ? 'produceAcksAllPerSec' : 'produceAcks1PerSec'] = perSec(RECORDS, secs * 1000);
    line(
      `kafkajs produce, acks=${acks === -1 ? 'all' : acks}, 4 partitions`,
      `${Math.round(RECORDS / secs).toLocaleString('en')} records/s, ${mb((RECORDS * VALUE.length) / secs)} MiB/s of values`,
    );
  }

  await produce('bench-acks1', 1);
  await produce('bench-acksall', -1);
  const rssAfterProduce = brokerRss();

  {
    const consumer = kafka.consumer({ groupId: 'bench-group', maxBytesPerPartition: 4 << 20 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'bench-acks1', fromBeginning: true });
    let count = 0;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachBatch: async ({ batch }) => {
          count += batch.messages.length;
          if (count >= RECORDS) resolve();
        },
      });
    });
    const secs = (performance.now() - started) / 1000;
    await consumer.disconnect();
    out.consumeGroupPerSec = perSec(count, secs * 1000);
    line(
      'kafkajs consumer group (eachBatch), 4 partitions',
      `${Math.round(count / secs).toLocaleString('en')} records/s, incl. join`,
    );
  }

  {
    const started = performance.now();
    let count = 0;
    for (const p of [0, 1, 2, 3]) count += (await readPartition(broker.port, 'bench-acks1', p)).length;
    const secs = (performance.now() - started) / 1000;
    line(
      'fetch + decode (raw client), 4 partitions',
      `${Math.round(count / secs).toLocaleString('en')} records/s (${count} records)`,
    );
  }

  {
    const consumer = await RawConnection.connect(broker.port);
    const producer = await RawConnection.connect(broker.port);
    const samples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const fetch = consumer.request(ApiKey.Fetch, 11, {
        replicaId: -1,
        maxWaitMs: 5000,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: 'bench-latency',
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: -1,
                fetchOffset: i,
                logStartOffset: -1,
                partitionMaxBytes: 1 << 20,
              },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
      await new Promise((r) => setImmediate(r));
      const sentAt = performance.now();
      await producer.request(ApiKey.Produce, 7, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 1000,
        topicData: [
          {
            name: 'bench-latency',
            partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: `ping-${i}` }] }) }],
          },
        ],
      });
      await fetch;
      samples.push(performance.now() - sentAt);
    }
    consumer.close();
    producer.close();
    samples.sort((a, b) => a - b);
    out.fetchWakeP50Ms = Math.round(samples[100]! * 100) / 100;
    out.fetchWakeP99Ms = Math.round(samples[198]! * 100) / 100;
    line(
      'produce → waiting fetch answered (p50 / p99)',
      `${samples[100]!.toFixed(2)} ms / ${samples[198]!.toFixed(2)} ms (max_wait_ms 5000)`,
    );
  }

  const rssEnd = brokerRss();
  const topics = await admin.fetchTopicOffsets('bench-acks1');
  await admin.disconnect();
  line('records in bench-acks1', topics.map((t) => t.high).join(' + '));
  out.rssMiB = { idle: mib(rssStart), afterProduce: mib(rssAfterProduce), afterReads: mib(rssEnd) };
  line(
    'broker RSS: idle / after 2x produce / after reads',
    `${mb(rssStart)} / ${mb(rssAfterProduce)} / ${mb(rssEnd)} MiB (log on disk ~${mb(2 * RECORDS * (VALUE.length + 20))} MiB)`,
  );

  child.kill('SIGTERM');
  await exited(child);
  await rm(dataDir, { recursive: true, force: true });

  const { benchLog } = await import('@orders/sps-log');
  {
    const dir = await tempDir('sps-logbench-');
    const r = await benchLog(dir);
    await rm(dir, { recursive: true, force: true });
    say('sps-log alone (no network):');
    out.logAppendMBPerSec = Math.round(r.append.mbPerSec * 10) / 10;
    line(
      '  append (write + group-commit fsync)',
      `${Math.round(r.append.batchesPerSec).toLocaleString('en')} batches/s, ${r.append.mbPerSec.toFixed(1)} MB/s, ${r.append.fsyncs} fsyncs`,
    );
    line(
      '  read back',
      `${Math.round(r.read.batchesPerSec).toLocaleString('en')} batches/s, ${r.read.mbPerSec.toFixed(1)} MB/s`,
    );
    line('  batches / bytes / segments', `${r.batches} / ${mb(r.bytes)} MiB / ${r.segments}`);
  }
  return { broker: out };
}
