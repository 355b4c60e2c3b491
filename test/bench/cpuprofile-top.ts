/**
 * Top self-time frames of a V8 .cpuprofile (from `node --cpu-prof`), e.g. the broker's under
 * kafka-producer-perf-test (BENCH_SPS_CPU_PROF=dir npm run bench -- --only kafka-perf):
 *
 *   npx tsx test/bench/cpuprofile-top.ts <file.cpuprofile> [top=25]
 *
 * Self time is the sampled time a frame was on top of the stack; "(idle)" is the event loop waiting,
 * so busy% = 100 − idle% says how close the one JavaScript thread is to being the limit.
 */
import path from 'node:path';
import { readCpuProfile, shortenUrl as shorten } from './cpuprofile.js';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx test/bench/cpuprofile-top.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = readCpuProfile(file);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<string, number>();
let totalUs = 0;
profile.samples.forEach((id, i) => {
  const delta = Math.max(0, profile.timeDeltas[i] ?? 0);
  const frame = byId.get(id)!.callFrame;
  const where = frame.url ? ` ${shorten(frame.url)}:${frame.lineNumber + 1}` : '';
  const key = `${frame.functionName || '(anonymous)'}${where}`;
  selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
  totalUs += delta;
});

const pct = (us: number) => ((us / totalUs) * 100).toFixed(1).padStart(5);
const idle = selfUs.get('(idle)') ?? 0;
console.log(
  `${path.basename(file)}: ${(totalUs / 1e6).toFixed(1)} s sampled, idle ${pct(idle)}%, busy ${(100 - (idle / totalUs) * 100).toFixed(1)}%`,
);
console.log('self%  self ms  frame');
for (const [key, us] of [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25)))
  console.log(`${pct(us)}  ${String(Math.round(us / 1000)).padStart(7)}  ${key}`);
