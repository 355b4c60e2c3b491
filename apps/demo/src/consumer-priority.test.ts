import { readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { idleClassAvailable } from './cpu-priority.js';
import { CONSUMER_NICENESS, lowerConsumerPriority } from './demo.js';
import { Supervisor } from './supervisor.js';
import { FIXTURE_APPS, fixtureRoot } from './testing/fixture-app.js';

const SCHED_NORMAL = 0;
const SCHED_IDLE = 5;
/** The scheduling policy of each thread of `pid` (Linux's /proc/PID/task/TID/sched). */
const policies = (pid: number) =>
  readdirSync(`/proc/${pid}/task`).map((tid) =>
    Number(/^policy\s*:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/sched`, 'utf8'))?.[1]),
  );

describe("the consumers' OS priority", () => {
  let root: string;
  let sup: Supervisor;
  const warnings: string[] = [];
  beforeAll(() => {
    root = fixtureRoot();
  });
  afterEach(() => sup.stopAll());
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const make = (niceness: number) => {
    sup = new Supervisor({ rootDir: root, apps: FIXTURE_APPS, output: () => undefined, color: false });
    lowerConsumerPriority(sup, FIXTURE_APPS, niceness, (l) => warnings.push(l));
  };

  it('runs every consumer instance below the demo (niceness +10), and http apps at the demo’s priority', async () => {
    make(CONSUMER_NICENESS);
    const mine = os.getPriority();
    const worker1 = await sup.waitRunning('worker', (await sup.start('worker')).id);
    const worker2 = await sup.waitRunning('worker', (await sup.start('worker')).id);
    const front = await sup.waitRunning('front', (await sup.start('front')).id);
    expect(os.getPriority(worker1.pid!)).toBe(Math.min(19, mine + 10));
    expect(os.getPriority(worker2.pid!)).toBe(Math.min(19, mine + 10));
    expect(os.getPriority(front.pid!)).toBe(mine);
    expect(warnings).toEqual([]);
  });

  it.runIf(idleClassAvailable())(
    'puts every thread of a consumer instance in SCHED_IDLE, so a waking storefront or broker takes the core at once',
    async () => {
      make(CONSUMER_NICENESS);
      const worker = await sup.waitRunning('worker', (await sup.start('worker')).id);
      const front = await sup.waitRunning('front', (await sup.start('front')).id);
      await vi.waitFor(() => expect(new Set(policies(worker.pid!))).toEqual(new Set([SCHED_IDLE])), {
        timeout: 10_000,
      });
      expect(policies(worker.pid!).length).toBeGreaterThan(1); // Node's own threads too, not just the main one
      expect(new Set(policies(front.pid!))).toEqual(new Set([SCHED_NORMAL]));
    },
  );

  it('leaves the consumers at the demo’s priority with niceness 0, and refuses a niceness out of 0–19', async () => {
    make(0);
    const worker = await sup.waitRunning('worker', (await sup.start('worker')).id);
    expect(os.getPriority(worker.pid!)).toBe(os.getPriority());
    expect(() => lowerConsumerPriority(sup, FIXTURE_APPS, 20, () => undefined)).toThrow(/0 to 19/);
  });
});
