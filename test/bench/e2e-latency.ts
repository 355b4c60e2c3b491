/**
 * One way to measure a log's end-to-end latency and throughput with a Node client, whatever the log
 * (our broker or Kafka with kafkajs, Redis Streams, NATS JetStream), so the figures sit side by side.
 *
 * Latency: one producer sends a record every millisecond (1,000 records/s, on a schedule, not
 * back-to-back) while one consumer is reading; each record carries its send time and the consumer takes
 * receive − send. Throughput: `records` records sent in batches with several batches in flight, then
 * read back from the start.
 */
import { quantile } from './scenario.js';

export interface LogClient {
  /** Starts the consumer reading from the end of the stream; calls `onRecord(value)` per record. */
  subscribe(onRecord: (value: string) => void): Promise<void>;
  /** Appends one record (awaits the durable ack the client is configured for). */
  send(value: string): Promise<void>;
  /** Appends many records in one round trip where the client can. */
  sendBatch(values: string[]): Promise<void>;
  /** Reads `count` records from the start of what sendBatch wrote; resolves when all are in. */
  readAll(count: number): Promise<void>;
  close(): Promise<void>;
}

export interface E2eFigures {
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  latencySamples: number;
  producePerSec: number;
  consumePerSec: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export async function measureE2e(
  open: (phase: 'latency' | 'throughput') => Promise<LogClient>,
  { latencyRecords, throughputRecords }: { latencyRecords: number; throughputRecords: number },
): Promise<E2eFigures> {
  const samples: number[] = [];
  {
    const client = await open('latency');
    let done!: () => void;
    const allIn = new Promise<void>((r) => (done = r));
    await client.subscribe((value) => {
      samples.push(performance.now() - Number(value.slice(0, value.indexOf('|'))));
      if (samples.length >= latencyRecords) done();
    });
    const pad = 'x'.repeat(180);
    const start = performance.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < latencyRecords; i++) {
      const due = start + i;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(client.send(`${performance.now()}|${pad}`));
    }
    await Promise.all(pending);
    await Promise.race([allIn, new Promise((r) => setTimeout(r, 30_000))]);
    await client.close();
  }
  samples.sort((a, b) => a - b);

  const client = await open('throughput');
  const value = 'v'.repeat(200);
  const batch = 500;
  const t0 = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let sent = 0; sent < throughputRecords; sent += batch) {
    inFlight.push(
      client.sendBatch(Array.from({ length: Math.min(batch, throughputRecords - sent) }, () => value)),
    );
    if (inFlight.length >= 8) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const produceMs = performance.now() - t0;
  const t1 = performance.now();
  await client.readAll(throughputRecords);
  const consumeMs = performance.now() - t1;
  await client.close();
  return {
    latencyP50Ms: round2(quantile(samples, 0.5)),
    latencyP99Ms: round2(quantile(samples, 0.99)),
    latencyMaxMs: round2(samples.at(-1) ?? NaN),
    latencySamples: samples.length,
    producePerSec: Math.round((throughputRecords / produceMs) * 1000),
    consumePerSec: Math.round((throughputRecords / consumeMs) * 1000),
  };
}

export function e2eLine(f: E2eFigures): string {
  return `p50 ${f.latencyP50Ms} / p99 ${f.latencyP99Ms} ms at 1k/s; ${f.producePerSec.toLocaleString('en')} in / ${f.consumePerSec.toLocaleString('en')} out records/s`;
}
