/**
 * Chaos: the broker process is SIGKILLed again and again under idempotent acks=all producers.
 * Afterwards the whole log is read: no acknowledged record is lost, none is stored twice, and each
 * producer's records keep their order.
 */
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, encodeRecordBatch, ErrorCode } from '@orders/kafka-protocol';
import { tempDir } from '../helpers/broker.js';
import { exited, spawnTs, waitForLine } from '../helpers/process.js';
import { RawConnection } from '../helpers/raw-client.js';
import { readProducedRecords, type ProducedRecord } from '../helpers/read.js';
import { envInt, random, sleep, withTimeout } from './knobs.js';

const KILLS = envInt('CHAOS_KILLS', 4);
const KILL_MIN_MS = envInt('CHAOS_KILL_MIN_MS', 700);
const KILL_MAX_MS = envInt('CHAOS_KILL_MAX_MS', 2000);
const TOPIC = 'chaos';
const PARTITIONS = 2;

const dirs: string[] = [];
const children: Array<ReturnType<typeof spawnTs>> = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function serve(dataDir: string, port = 0) {
  const child = spawnTs('test/fixtures/serve.ts', [dataDir, String(port)]);
  children.push(child);
  child.stderr!.resume(); // warnings must not fill the pipe
  const [, actualPort] = await waitForLine(child, /ready (\d+)/, 60_000);
  return { child, port: Number(actualPort) };
}

/**
 * An idempotent producer on the raw protocol that does what the Java client does after a lost
 * connection: reconnects and re-sends the very same batch (same producer id, epoch, sequence)
 * until it gets an answer.
 */
class RawIdempotentProducer {
  private conn: RawConnection | null = null;
  private producerId = -1;
  private sequence = 0;
  resends = 0;

  constructor(
    private readonly port: number,
    private readonly partition: number,
    private readonly name: string,
  ) {}

  private async connection(): Promise<RawConnection> {
    if (this.conn && !this.conn.closed) return this.conn;
    this.conn = await RawConnection.connect(this.port);
    return this.conn;
  }

  /** Runs `request` until it gets an answer, reconnecting after connection losses. */
  private async untilAnswered<T>(request: (c: RawConnection) => Promise<T>, onRetry = () => {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await withTimeout(request(await this.connection()), 15_000, `${this.name} request`);
      } catch {
        this.conn?.close();
        this.conn = null;
        onRetry();
        if (attempt > 600) throw new Error(`${this.name}: the broker did not come back`);
        await sleep(100);
      }
    }
  }

  async run(stop: () => boolean, acked: string[]): Promise<void> {
    const init = await this.untilAnswered((c) =>
      c.request(ApiKey.InitProducerId, 1, { transactionalId: null, transactionTimeoutMs: 60_000 }),
    );
    expect(init.errorCode).toBe(ErrorCode.NONE);
    this.producerId = Number(init.producerId);
    while (!stop()) {
      const count = 1 + Math.floor(random() * 5);
      const values = Array.from({ length: count }, (_, i) => `${this.name}-${this.sequence + i}`);
      const batch = encodeRecordBatch({
        producerId: this.producerId,
        producerEpoch: 0,
        baseSequence: this.sequence,
        records: values.map((value) => ({ key: this.name, value })),
      });
      for (;;) {
        const res = await this.untilAnswered(
          (c) =>
            c.request(ApiKey.Produce, 7, {
              transactionalId: null,
              acks: -1,
              timeoutMs: 10_000,
              topicData: [
                { name: TOPIC, partitionData: [{ index: this.partition, records: Buffer.from(batch) }] },
              ],
            }),
          () => this.resends++, // the very same batch again, after a lost connection
        );
        const code = res.responses[0].partitionResponses[0].errorCode;
        if (code === ErrorCode.NONE) break;
        // a broker still opening its logs; anything else is a real failure
        if (code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && code !== ErrorCode.KAFKA_STORAGE_ERROR)
          throw new Error(`${this.name}: produce failed with error ${code}`);
        await sleep(100);
      }
      acked.push(...values);
      this.sequence += count;
    }
    this.conn?.close();
  }
}

describe('chaos: broker SIGKILLs under idempotent acks=all producers', () => {
  it(`loses and duplicates nothing over ${KILLS} kills`, async () => {
    const dataDir = await tempDir('sps-chaos-');
    dirs.push(dataDir);
    let broker = await serve(dataDir);
    const port = broker.port;
    const kafka = new Kafka({
      clientId: 'chaos',
      brokers: [`127.0.0.1:${port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 200, initialRetryTime: 100, maxRetryTime: 500 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await admin.disconnect();

    let stop = false;
    const acked: string[] = [];
    const raw = Array.from({ length: PARTITIONS }, (_, p) => new RawIdempotentProducer(port, p, `raw${p}`));
    const rawLoops = raw.map((r) => r.run(() => stop, acked));

    // kafkajs allows idempotence only with one request in flight
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    let kafkajsFailure: unknown = null;
    const kafkajsLoop = (async () => {
      for (let n = 0; !stop;) {
        const count = 1 + Math.floor(random() * 5);
        const messages = Array.from({ length: count }, (_, i) => ({
          key: `kjs${(n + i) % 4}`,
          value: `kjs-${n + i}`,
        }));
        try {
          await producer.send({ topic: TOPIC, acks: -1, messages });
        } catch (err) {
          kafkajsFailure = err; // gave up after its retries: stop, the later sequence is not trustworthy
          return;
        }
        acked.push(...messages.map((m) => m.value));
        n += count;
      }
    })();

    const progress = async (more: number) => {
      const target = acked.length + more;
      for (let i = 0; i < 1200 && acked.length < target; i++) await sleep(50);
      expect(acked.length, 'producers made no progress after a restart').toBeGreaterThanOrEqual(target);
    };
    await progress(50);
    for (let k = 0; k < KILLS; k++) {
      await sleep(KILL_MIN_MS + random() * (KILL_MAX_MS - KILL_MIN_MS));
      broker.child.kill('SIGKILL');
      await exited(broker.child);
      broker = await serve(dataDir, port);
      await progress(20);
    }
    stop = true;
    await Promise.all(rawLoops);
    await kafkajsLoop;
    await producer.disconnect();

    const stored: Array<ProducedRecord & { partition: number }> = [];
    for (let p = 0; p < PARTITIONS; p++)
      for (const r of await readProducedRecords(port, TOPIC, p)) stored.push({ ...r, partition: p });
    broker.child.kill('SIGTERM');
    await exited(broker.child);

    const counts = new Map<string, number>();
    for (const r of stored) counts.set(r.value!, (counts.get(r.value!) ?? 0) + 1);
    const lost = acked.filter((v) => !counts.has(v));
    const duplicated = [...counts.values()].reduce((n, c) => n + (c - 1), 0);
    const ids = new Set(stored.map((r) => `${r.producerId}/${r.producerEpoch}/${r.partition}/${r.sequence}`));
    const outOfOrder: string[] = [];
    const lastSeq = new Map<string, number>();
    for (const r of stored) {
      const k = `${r.producerId}/${r.partition}`;
      if (r.sequence <= (lastSeq.get(k) ?? -1)) outOfOrder.push(`${r.value}@${r.offset}`);
      lastSeq.set(k, r.sequence);
    }
    console.log(
      `chaos: kills=${KILLS} stored=${stored.length} acked=${acked.length} lost=${lost.length} ` +
        `duplicated=${duplicated} outOfOrder=${outOfOrder.length} rawResendAttempts=${raw.reduce((n, r) => n + r.resends, 0)} ` +
        `kafkajsGaveUp=${kafkajsFailure ? 'yes' : 'no'} ` +
        `ackedBy=${JSON.stringify(Object.fromEntries(['raw0', 'raw1', 'kjs'].map((p) => [p, acked.filter((v) => v.startsWith(p)).length])))}`,
    );
    expect(lost).toEqual([]);
    expect(duplicated).toBe(0);
    expect(ids.size).toBe(stored.length);
    expect(outOfOrder).toEqual([]);
    expect(kafkajsFailure).toBeNull();
  });
});
