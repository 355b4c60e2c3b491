/**
 * The storefront's POST latency while every consumer group drains a backlog — issue 13's "intake p99"
 * — with what the demo process (broker, mail catcher, trace receiver) does meanwhile. Starts the demo
 * in this process on explicit ports, as `npm run demo` would (consumers niced, the demo's own trace
 * receiver and mail catcher), puts a backlog straight on `orders`, then runs `npm run orders` against
 * the storefront while the six groups drain it, and prints:
 *
 * - the intake's orders/s, p50 and p99 (the load generator's own --json summary);
 * - this process's event-loop delay (perf_hooks.monitorEventLoopDelay) and CPU time during the intake;
 * - with --cpu-prof DIR: a CPU profile of this process during the intake, and its self time split by
 *   who was on the stack (trace receiver, mail catcher, broker, …).
 *
 *   node --conditions=@orders/source --import tsx test/bench/intake-drain.ts [--backlog 6000]
 *       [--rate 1000] [--count 4000] [--port-base 22000] [--consumer-nice 10] [--cpu-prof DIR]
 *
 * The apps run from their dist/ (npm run build first). Ports used: port-base … port-base+19.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as currentDemo from '@orders/demo';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { tempDir } from '../helpers/broker.js';
import { REPO } from '../helpers/process.js';
import { orderEvents, putOnOrders, runLoad } from './scenarios/pipeline.js';

const CONSUMERS = ['order-db', 'email', 'shipping', 'erp-stock', 'crm', 'promo-counter'];

const { values } = parseArgs({
  options: {
    backlog: { type: 'string', default: '6000' },
    rate: { type: 'string', default: '1000' },
    count: { type: 'string', default: '4000' },
    'port-base': { type: 'string', default: '22000' },
    /** Also put the consumers in an I/O scheduling class, e.g. 3 (idle) or 2:7 (best effort, lowest). */
    'consumer-ionice': { type: 'string' },
    /** strace this process's fsync/fdatasync calls during the intake into FILE, and summarise them. */
    'strace-fsync': { type: 'string' },
    'consumer-nice': { type: 'string', default: '10' },
    'cpu-prof': { type: 'string' },
    /** Another build of @orders/demo's index (e.g. an older checkout's apps/demo/src/index.ts), to compare. */
    'demo-module': { type: 'string' },
  },
});
const base = Number(values['port-base']);
const backlog = Number(values.backlog);
const profileDir = values['cpu-prof'] ? path.resolve(values['cpu-prof']) : undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const { APPS, startDemo } = (
  values['demo-module'] ? await import(path.resolve(values['demo-module'])) : currentDemo
) as typeof currentDemo;
const workDir = await tempDir('intake-drain-');
const appPorts = Object.fromEntries(APPS.map((a, i) => [a.name, base + 10 + i]));
const logLines: string[] = [];
const demo = await startDemo({
  rootDir: REPO,
  workDir,
  dataDir: path.join(workDir, 'sps'),
  load: false,
  color: false,
  consumerNiceness: Number(values['consumer-nice']),
  output: (l) => void (logLines.push(l) > 5000 && logLines.splice(0, 1000)),
  ports: {
    kafka: base,
    http: base + 1,
    control: base + 2,
    smtp: base + 3,
    mailHttp: base + 4,
    otlp: base + 5,
    kinesis: null,
    apps: appPorts,
  },
});
const storefrontUrl = `http://127.0.0.1:${appPorts.storefront}`;
const kafka = new Kafka({
  clientId: 'intake-drain',
  brokers: [`127.0.0.1:${base}`],
  logLevel: logLevel.NOTHING,
});
const session = profileDir ? new Session() : undefined;
try {
  const deadline = Date.now() + 300_000;
  for (const g of [...CONSUMERS, 'storefront']) {
    const url = `http://127.0.0.1:${appPorts[g]}`;
    while ((await fetch(`${url}/health`).catch(() => null))?.status !== 200) {
      if (Date.now() > deadline) throw new Error(`${g} did not come up in 5 min`);
      await sleep(200);
    }
  }
  if (values['consumer-ionice']) {
    const [cls, level] = values['consumer-ionice'].split(':');
    for (const app of demo.supervisor.list().filter((a) => CONSUMERS.includes(a.name)))
      for (const i of app.instances) {
        // every thread of the instance (ioprio is per thread; SQLite commits on the main one)
        const tids = readdirSync(`/proc/${i.pid}/task`);
        const r = spawnSync('ionice', ['-c', cls!, ...(level ? ['-n', level] : []), '-p', ...tids]);
        if (r.status !== 0) throw new Error(`ionice failed: ${r.stderr}`);
      }
  }
  const rssIdle = process.memoryUsage().rss;
  // Warm the storefront's producer and every path once, then let the apps go idle.
  await runLoad(storefrontUrl, 50, 200);
  await sleep(3000);

  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const events = orderEvents(backlog, Date.now().toString(36));
  await putOnOrders(producer, events);
  await producer.disconnect();

  const loadBefore = load();
  const straceFile = values['strace-fsync'] ? path.resolve(values['strace-fsync']) : undefined;
  const strace = straceFile
    ? spawn(
        'strace',
        ['-f', '-qq', '-T', '-e', 'trace=fsync,fdatasync', '-o', straceFile, '-p', String(process.pid)],
        {
          stdio: 'ignore',
        },
      )
    : undefined;
  if (strace) await sleep(1000);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  }
  delay.enable();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  const t0 = performance.now();
  const summary = await runLoad(storefrontUrl, Number(values.rate), Number(values.count));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const mainMs = mainThreadCpuMs() - main0;
  if (strace) {
    strace.kill('SIGINT');
    await new Promise((r) => strace.once('exit', r));
    const secs = readFileSync(straceFile!, 'utf8')
      .split('\n')
      .map((l) => /<([\d.]+)>$/.exec(l)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const q = (f: number) =>
      ((secs[Math.min(secs.length - 1, Math.floor(f * secs.length))] ?? 0) * 1000).toFixed(1);
    console.log(
      `broker fsyncs during the intake: ${secs.length}, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`,
    );
  }
  delay.disable();
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(profileDir!, { recursive: true });
    const file = path.join(profileDir!, `demo-intake-${process.pid}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    console.log(`profile: ${file}`);
    session.disconnect();
  }
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(`load before ${loadBefore}, after ${load()}`);
  console.log(
    `demo process RSS: ${(rssIdle / 2 ** 20).toFixed(0)} MiB idle, ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB after the intake`,
  );
  console.log(
    `intake: ${summary.placed} placed, ${summary.ordersPerSec}/s, p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms, failed ${summary.failed}`,
  );
  console.log(
    `demo process during the intake: CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms in ${wallMs.toFixed(0)} ms (${(((cpu.user + cpu.system) / 1000 / wallMs) * 100).toFixed(0)} % of a core); ` +
      `the broker's (main) thread ${mainMs.toFixed(0)} ms (${((mainMs / wallMs) * 100).toFixed(0)} %); ` +
      `event-loop delay p50 ${ms(delay.percentile(50))} / p99 ${ms(delay.percentile(99))} / max ${ms(delay.max)} ms`,
  );
} catch (err) {
  console.error(logLines.slice(-30).join('\n'));
  throw err;
} finally {
  await demo.stop();
  await rm(workDir, { recursive: true, force: true });
}

/** utime + stime of this process's main thread (the broker's event loop), ms. */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
