/**
 * `npm run bench [-- --quick] [-- --only name,…]`: figures, not assertions. Runs each scenario of
 * test/bench/scenarios/ in one sitting, prints its lines, and writes every figure with the machine it was
 * measured on to bench/results/latest.json and a dated copy (bench/results/YYYY-MM-DDTHH-MM-SS.json).
 *
 * A scenario is a module exporting a {@link Scenario}; add one to SCENARIOS to have it run and recorded.
 * `--quick` (CI) uses small counts so the scenarios cannot rot; its figures mean nothing and nothing is
 * asserted. Compare figures as ratios within one run and quote them with the machine line: on a shared
 * machine other work moves every figure.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO } from '../helpers/process.js';
import type { Scenario } from './scenario.js';
import { brokerKafkajs } from './scenarios/broker-kafkajs.js';
import { kafkaPerf } from './scenarios/kafka-perf.js';
import { pipeline } from './scenarios/pipeline.js';
import { streams } from './scenarios/streams.js';

/** In the order they run. The broker-vs-Kafka scenarios (perf-test, Redis Streams, NATS) go here too. */
const SCENARIOS: Scenario[] = [brokerKafkajs, kafkaPerf, streams, pipeline];

const USAGE = [
  'usage: npm run bench [-- --quick] [-- --only name,…] [-- --out dir]',
  '  --quick      small counts, so CI proves every scenario still runs (figures not meaningful)',
  '  --only       run only these scenarios (comma-separated)',
  '  --out        where to write latest.json and the dated copy (default bench/results)',
  'scenarios, in the order they run:',
  ...SCENARIOS.map((s) => `  ${s.name.padEnd(12)} ${s.title}`),
].join('\n');

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        out: { type: 'string', default: path.join(REPO, 'bench', 'results') },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const values = parseCommandLine();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const quick = values.quick ?? false;
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
if (unknown.length) {
  console.error(
    `--only: no scenario ${unknown.join(', ')}; scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`,
  );
  process.exit(2);
}

function commitOf(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

const cpus = os.cpus();
const machine = {
  cpu: cpus[0]?.model ?? 'unknown cpu',
  cores: cpus.length,
  memoryMiB: Math.round(os.totalmem() / 1024 / 1024),
  loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  node: process.version,
  os: `${os.platform()} ${os.release()}`,
  note: 'figures move with whatever else runs on this machine; compare ratios within one run',
};
console.log(
  `machine: ${machine.cpu} x${machine.cores}, ${machine.memoryMiB} MiB, node ${machine.node}, ${machine.os}, load ${machine.loadAverage.join(' ')}${quick ? ' (--quick: small counts, figures not meaningful)' : ''}`,
);

const startedAt = new Date();
const results: Record<string, unknown> = {};
for (const scenario of SCENARIOS) {
  if (only && !only.includes(scenario.name)) continue;
  console.log(`\n## ${scenario.name}: ${scenario.title}`);
  const t0 = performance.now();
  const sections = await scenario.run({
    quick,
    line: (label, value) => console.log(`${label.padEnd(55)} ${value}`),
    say: (text) => console.log(text),
  });
  for (const [key, figures] of Object.entries(sections))
    results[key] = { ...(results[key] as object | undefined), ...figures };
  console.log(`(${scenario.name}: ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

const report = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  quick,
  commit: commitOf(),
  machine: { ...machine, loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
  ratios: {
    produceVsKafka: null,
    consumeVsKafka: null,
    note: 'not measured yet: the kafka-producer/consumer-perf-test scenario against Apache Kafka is still to be added',
  },
  ...results,
};
await mkdir(values.out!, { recursive: true });
const json = `${JSON.stringify(report, null, 2)}\n`;
const dated = path.join(values.out!, `${startedAt.toISOString().slice(0, 19).replace(/:/g, '-')}.json`);
await writeFile(path.join(values.out!, 'latest.json'), json);
await writeFile(dated, json);
console.log(
  `\nwrote ${path.relative(process.cwd(), path.join(values.out!, 'latest.json'))} and ${path.relative(process.cwd(), dated)}`,
);
