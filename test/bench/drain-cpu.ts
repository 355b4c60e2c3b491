/**
 * CPU time per order of each app while the consumer groups drain a spike — a figure that holds on a
 * loaded, shared machine, where orders/s does not. Starts the demo in this process on explicit ports
 * (the broker and the mail catcher run here), puts N orders straight on `orders`, waits until every
 * group's committed offsets reach the end, and reads each app's CPU time (utime + stime, /proc/PID/stat)
 * before and after:
 *
 *   node --conditions=@orders/source --import tsx test/bench/drain-cpu.ts [--count 10000] [--port-base 25000]
 *       [--without crm,erp-stock] [--cpu-prof DIR] [--runs 1]
 *
 * The apps run from their dist/ (npm run build first). `--cpu-prof DIR` profiles every app and this
 * process (summaries: test/bench/cpuprofile-top.ts). Ports used: port-base … port-base+19.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ORDERS_TOPIC } from '@orders/contracts';
import { APPS, startDemo, startTraceReceiver, TraceStore } from '@orders/demo';
import { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs';
import { tempDir } from '../helpers/broker.js';
import { REPO } from '../helpers/process.js';
import { orderEvents, putOnOrders } from './scenarios/pipeline.js';

const CONSUMERS = ['order-db', 'email', 'shipping', 'erp-stock', 'crm', 'promo-counter'];

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    'port-base': { type: 'string', default: '25000' },
    without: { type: 'string', default: '' },
    'cpu-prof': { type: 'string' },
    runs: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '900' },
  },
});
const count = Number(values.count);
const base = Number(values['port-base']);
const without = values.without ? values.without.split(',').map((s) => s.trim()) : [];
const groups = CONSUMERS.filter((g) => !without.includes(g));
const profileDir = values['cpu-prof'] ? path.resolve(values['cpu-prof']) : undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** utime + stime of a process, in ms (0 when it is gone). */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function committed(admin: Admin, group: string): Promise<number> {
  const [topic] = await admin.fetchOffsets({ groupId: group, topics: [ORDERS_TOPIC] });
  return (topic?.partitions ?? []).reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
}
async function endOffsets(admin: Admin): Promise<number> {
  return (await admin.fetchTopicOffsets(ORDERS_TOPIC)).reduce((s, p) => s + Number(p.high), 0);
}

const workDir = await tempDir('drain-cpu-');
if (profileDir) {
  await mkdir(profileDir, { recursive: true });
  // --cpu-prof is not allowed in NODE_OPTIONS; a preload starts V8's profiler and writes at exit.
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${path.join(REPO, 'test/bench/cpu-prof-preload.mjs')}`;
  process.env.CPU_PROF_DIR = profileDir;
}
// The apps export their spans as in the demo, to a receiver on our own port (not the default 4318).
const receiver = await startTraceReceiver(new TraceStore(), base + 5);
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
const appPorts = Object.fromEntries(APPS.map((a, i) => [a.name, base + 10 + i]));
const logLines: string[] = [];
const demo = await startDemo({
  rootDir: REPO,
  workDir,
  dataDir: path.join(workDir, 'sps'),
  load: false,
  without,
  color: false,
  output: (l) => void (logLines.push(l) > 5000 && logLines.splice(0, 1000)),
  ports: {
    kafka: base,
    http: base + 1,
    control: base + 2,
    smtp: base + 3,
    mailHttp: base + 4,
    kinesis: null,
    apps: appPorts,
  },
});
const kafka = new Kafka({
  clientId: 'drain-cpu',
  brokers: [`127.0.0.1:${base}`],
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
const session = profileDir ? new Session() : undefined;
try {
  const deadline = Date.now() + 300_000;
  for (const g of groups) {
    const url = `http://127.0.0.1:${appPorts[g]}`;
    while ((await fetch(`${url}/health`).catch(() => null))?.status !== 200) {
      if (Date.now() > deadline) throw new Error(`${g} did not join in 5 min`);
      await sleep(200);
    }
  }
  await admin.connect();
  const pids = () =>
    Object.fromEntries(demo.supervisor.list().flatMap((a) => a.instances.map((i) => [a.name, i.pid!])));
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  if (session) {
    for (const pid of Object.values(pids())) process.kill(pid, 'SIGUSR2');
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  for (let run = 1; run <= Number(values.runs); run++) {
    const events = orderEvents(count, `${Date.now().toString(36)}-${run}`);
    const target = (await endOffsets(admin)) + count;
    const before = Object.fromEntries(Object.entries(pids()).map(([n, p]) => [n, cpuMsOf(p)]));
    const load = os.loadavg();
    const t0 = performance.now();
    await putOnOrders(producer, events);
    const producedMs = performance.now() - t0;
    const ownAfterProduce = ownCpuMs();
    const drained: Record<string, number> = {};
    while (Object.keys(drained).length < groups.length) {
      for (const g of groups)
        if (!(g in drained) && (await committed(admin, g)) >= target) drained[g] = performance.now() - t0;
      if (performance.now() - t0 > Number(values.timeout) * 1000) throw new Error('drain timed out');
      await sleep(100);
    }
    const after = Object.fromEntries(Object.entries(pids()).map(([n, p]) => [n, cpuMsOf(p)]));
    const own = ownCpuMs() - ownAfterProduce;
    console.log(
      `run ${run}: ${count} orders produced in ${(producedMs / 1000).toFixed(1)} s; load before ${load.map((l) => l.toFixed(2)).join(' ')}, after ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    for (const [name, ms] of Object.entries(after)) {
      const cpu = ms - (before[name] ?? 0);
      const rate = name in drained ? `${Math.round((count / drained[name]!) * 1000)} orders/s` : '';
      console.log(
        `  ${name.padEnd(14)} cpu ${(cpu / count).toFixed(3).padStart(7)} ms/order  ${rate.padStart(14)}${name in drained ? `  (${(drained[name]! / 1000).toFixed(1)} s)` : ''}`,
      );
    }
    console.log(
      `  ${'demo process'.padEnd(14)} cpu ${(own / count).toFixed(3).padStart(7)} ms/order  (broker + mail catcher, after the produce)`,
    );
  }
  await producer.disconnect();
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(path.join(profileDir!, `demo-${process.pid}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
} catch (err) {
  console.error(logLines.slice(-30).join('\n'));
  throw err;
} finally {
  await admin.disconnect().catch(() => undefined);
  await demo.stop();
  await receiver.close();
  await rm(workDir, { recursive: true, force: true });
}
