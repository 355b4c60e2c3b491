/**
 * Lowering a process's (or one thread's) claim on the CPU, for the demo's consumers: a higher niceness
 * everywhere, and on Linux also the SCHED_IDLE scheduling class.
 *
 * Why niceness alone is not enough: measured on a 2-core machine while the storefront took 2,000
 * orders/s and the six consumers drained them at niceness +10, the consumers still got more than a
 * core, and the storefront's event loop spent twice as long waiting for a core as running (1.4 s of
 * 2.2 s, in 825 wake-ups): a nice-0 thread that wakes does not take the core from a niced one at once,
 * it waits for that one's time slice to end, and an event loop wakes thousands of times a second. A
 * SCHED_IDLE thread gives up its core as soon as any normal thread wants it, and still has every cycle
 * nobody else wants — exactly "the consumers drain with what the spike leaves". POST p50 went from
 * 60–90 ms to 4–16 ms in that run. Any user may move their own processes into SCHED_IDLE (util-linux's
 * `chrt`, in every Debian image); threads a process starts later inherit it.
 */
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';

let chrtFound: boolean | undefined;

/** Whether this machine can put processes in SCHED_IDLE (Linux with util-linux's `chrt`). */
export function idleClassAvailable(): boolean {
  if (chrtFound === undefined)
    chrtFound =
      process.platform === 'linux' && spawnSync('chrt', ['--version'], { stdio: 'ignore' }).status === 0;
  return chrtFound;
}

/**
 * Sets `id` (a pid, or a thread id on Linux) to `niceness` and, on Linux, moves it with all its current
 * threads into SCHED_IDLE. Resolves what was done; rejects when even the niceness could not be set (e.g.
 * a container without the right to): the caller decides how loudly to say so.
 */
export async function runWhenIdle(
  id: number,
  niceness: number,
  { allThreads = true }: { allThreads?: boolean } = {},
): Promise<{ niceness: number; idleClass: boolean }> {
  os.setPriority(id, niceness);
  if (!idleClassAvailable()) return { niceness, idleClass: false };
  const args = [...(allThreads ? ['--all-tasks'] : []), '--idle', '--pid', '0', String(id)];
  const ok = await new Promise<boolean>((resolve) => {
    const chrt = spawn('chrt', args, { stdio: 'ignore' });
    chrt.once('error', () => resolve(false));
    chrt.once('exit', (code) => resolve(code === 0));
  });
  return { niceness, idleClass: ok };
}
