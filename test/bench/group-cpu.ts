/**
 * CPU time per order of consumer groups, one app at a time, robust to whatever else runs on the machine:
 *
 *   npx tsx --conditions=@orders/source test/bench/group-cpu.ts [--groups order-db,crm] [--orders 10000]
 *       [--rounds 1] [--prof DIR] [--database-url postgres://…] [--no-traces] [--log FILE]
 *
 * For each group: a fresh broker (in this process) with `orders` as the demo creates it, an OTLP
 * receiver like the demo's, the built app (`apps/<group>/dist/main.js`) as its own process; once it has
 * joined, N orders (the pipeline scenario's spike) go straight on `orders`, and the app's own CPU time
 * (user + system, /proc/PID/stat) from the first produce until its committed offsets reach the end is
 * divided by N. Wall-clock orders/s alone is printed too, but only CPU ms per order compares across runs
 * on a shared machine. `--prof DIR` runs the app with `--cpu-prof` (summarize with cpuprofile-top.ts).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ORDERS_TOPIC, TOPICS } from '@orders/contracts';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startTraceReceiver, TraceStore } from '../../apps/demo/src/traces.js';
import { startTestBroker, tempDir } from '../helpers/broker.js';
import { exited, REPO } from '../helpers/process.js';
import { orderEvents, putOnOrders } from './scenarios/pipeline.js';

const { values } = parseArgs({
  options: {
    groups: { type: 'string', default: 'order-db,erp-stock,crm,promo-counter' },
    orders: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '1' },
    prof: { type: 'string' },
    'database-url': { type: 'string' },
    'no-traces': { type: 'boolean', default: false },
    /** Appends each app's stdout (its JSON log lines; LOG_LEVEL=debug for one per batch) to this file. */
    log: { type: 'string' },
  },
});
const groups = values.groups!.split(',').map((g) => g.trim());
const count = Number(values.orders);
const rounds = Number(values.rounds);
const TICK_MS = 1000 / 100; // USER_HZ

/** utime + stime of a process in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}
const rssMiB = (pid: number) =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined | false>) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function measure(group: string, round: number) {
  const broker = await startTestBroker({ groups: { initialRebalanceDelayMs: 0 } });
  const dir = await tempDir(`cpu-${group}-`);
  const traces = values['no-traces'] ? undefined : await startTraceReceiver(new TraceStore(), 0);
  const kafka = new Kafka({ clientId: 'group-cpu', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: TOPICS.map((t) => ({ topic: t.name, numPartitions: t.partitions })) });
  const port = 24000 + Math.floor(Math.random() * 900);
  const args = values.prof
    ? ['--cpu-prof', '--cpu-prof-dir', values.prof, '--cpu-prof-name', `${group}-${round}.cpuprofile`]
    : [];
  const child = spawn(process.execPath, [...args, path.join(REPO, 'apps', group, 'dist', 'main.js')], {
    cwd: dir,
    env: {
      ...process.env,
      KAFKA_BROKERS: broker.bootstrap,
      PORT: String(port),
      DATABASE_URL: values['database-url'] ?? `file:${path.join(dir, `${group}.db`)}`,
      ...(traces ? { OTEL_EXPORTER_OTLP_ENDPOINT: traces.url } : { OTEL_EXPORTER_OTLP_ENDPOINT: '' }),
    },
    stdio: ['ignore', values.log ? 'pipe' : 'ignore', 'inherit'],
  });
  if (values.log) child.stdout!.pipe(createWriteStream(values.log, { flags: 'a' }));
  try {
    await until(`${group} joined`, 120_000, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) });
      return res.status === 200;
    });
    await sleep(1_000);
    const events = orderEvents(count, `${group}-${round}-${Date.now().toString(36)}`);
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const cpu0 = cpuMs(child.pid!);
    const t0 = performance.now();
    await putOnOrders(producer, events);
    await producer.disconnect();
    await until(`${group} to drain`, 600_000, async () => {
      const [t] = await admin.fetchOffsets({ groupId: group, topics: [ORDERS_TOPIC] });
      return (t?.partitions ?? []).reduce((s, p) => s + Math.max(0, Number(p.offset)), 0) >= count;
    });
    const wall = performance.now() - t0;
    const cpu = cpuMs(child.pid!) - cpu0;
    return { cpuMsPerOrder: cpu / count, ordersPerSec: (count / wall) * 1000, rssMiB: rssMiB(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited(child);
    await admin.disconnect();
    await traces?.close();
    await broker.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(
  `load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(
      ' ',
    )}, ${count} orders per group, ${rounds} round(s)${values['database-url'] ? ', PostgreSQL' : ', SQLite'}`,
);
for (let round = 1; round <= rounds; round++)
  for (const group of groups) {
    const r = await measure(group, round);
    console.log(
      `${group.padEnd(14)} ${r.cpuMsPerOrder.toFixed(3)} CPU ms/order  ${Math.round(r.ordersPerSec)} orders/s alone  RSS ${r.rssMiB} MiB  (load ${os.loadavg()[0]!.toFixed(2)})`,
    );
  }
