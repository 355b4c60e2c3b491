/**
 * Splits a V8 .cpuprofile of the demo process by who is on the stack: each sample goes to the first
 * owner found walking from the sampled frame towards the root (trace receiver, mail catcher, broker,
 * kafkajs, …), so a JSON.parse called by the trace receiver counts as the trace receiver's.
 *
 *   npx tsx test/bench/cpuprofile-owners.ts <file.cpuprofile> [top=8]
 *
 * Samples with no owning frame are V8/Node work (GC, native I/O callbacks) or idle; "node http" is
 * Node's HTTP parser and server frames with no app frame above them (in a spike that is the trace
 * receiver's requests: the console is not polling).
 */
import path from 'node:path';
import { readCpuProfile, shortenUrl as shorten } from './cpuprofile.js';

const OWNERS: [string, RegExp][] = [
  ['trace receiver', /apps\/demo\/(src|dist)\/traces(-worker)?\.[jt]s/],
  [
    'mail catcher',
    /apps\/demo\/(src|dist)\/mail-catcher(-worker)?\.[jt]s|node_modules\/(smtp-server|mailparser|libmime|libqp|libbase64|iconv-lite|encoding-japanese|punycode|tlds|linkify-it|html-to-text|he)\//,
  ],
  [
    'control API / console',
    /apps\/demo\/(src|dist)\/(control-api|supervisor|load)\.[jt]s|libs\/sps-broker\/(src|dist)\/(http|console|admin)/,
  ],
  ['broker', /libs\/sps-broker\//],
  ['kafkajs (demo)', /node_modules\/kafkajs\//],
  ['node http', /^node:_http|node:http$/],
];

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx test/bench/cpuprofile-owners.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = readCpuProfile(file);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const ownerOf = new Map<number, string>();
function owner(id: number): string {
  const known = ownerOf.get(id);
  if (known) return known;
  const frame = byId.get(id)!.callFrame;
  let found: string | undefined;
  if (frame.functionName === '(idle)') found = '(idle)';
  else if (frame.functionName === '(garbage collector)') found = '(gc)';
  else if (frame.functionName === '(program)') found = '(program: V8/native)';
  else found = OWNERS.find(([, re]) => re.test(frame.url))?.[0];
  if (!found) {
    const up = parent.get(id);
    found = up === undefined ? 'other (node internals, timers)' : owner(up);
  }
  ownerOf.set(id, found);
  return found;
}

const us = new Map<string, number>();
const frames = new Map<string, Map<string, number>>();
let total = 0;
profile.samples.forEach((id, i) => {
  const delta = Math.max(0, profile.timeDeltas[i] ?? 0);
  const o = owner(id);
  us.set(o, (us.get(o) ?? 0) + delta);
  total += delta;
  const f = byId.get(id)!.callFrame;
  const key = `${f.functionName || '(anonymous)'} ${shorten(f.url)}:${f.lineNumber + 1}`;
  const m = frames.get(o) ?? new Map<string, number>();
  frames.set(o, m.set(key, (m.get(key) ?? 0) + delta));
});

const idle = us.get('(idle)') ?? 0;
const busy = total - idle;
console.log(
  `${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled, busy ${((busy / total) * 100).toFixed(1)} % (${(busy / 1e6).toFixed(2)} s)`,
);
console.log('owner                           ms   % of wall   % of busy');
for (const [o, t] of [...us].sort((a, b) => b[1] - a[1]))
  console.log(
    `${o.padEnd(30)} ${String(Math.round(t / 1000)).padStart(5)}   ${((t / total) * 100).toFixed(1).padStart(8)}   ${o === '(idle)' ? '' : ((t / busy) * 100).toFixed(1).padStart(8)}`,
  );
const top = Number(topArg ?? 0);
if (top)
  for (const [o, m] of frames) {
    if (o === '(idle)') continue;
    console.log(`\n${o}:`);
    for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`  ${String(Math.round(t / 1000)).padStart(5)} ms  ${k}`);
  }
