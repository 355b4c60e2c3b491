// The demo's children die with the demo, however it dies: SIGKILL only the demo's own process (no
// shutdown code runs there) and the storefront, the carrier and the six consumer apps still stop
// (their IPC watchdog), so their ports are free for the next `npm run demo`.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, spawnTs, waitForLine } from '../helpers/process.js';

interface Ready {
  instances: { name: string; pid: number; port: number }[];
  ports: number[];
}

const workDir = mkdtempSync(path.join(os.tmpdir(), 'demo-dies-'));
const stray: number[] = [];

afterAll(() => {
  for (const pid of stray) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(workDir, { recursive: true, force: true });
});

/** Running (a zombie waiting to be reaped has exited already). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// About processes, not storage or the broker: run once, in the suite's default (SQLite, embedded) pass.
const otherPass = Boolean(process.env.E2E_KAFKA || process.env.DATABASE_URL?.startsWith('postgres'));

describe.skipIf(otherPass)('killing only the demo process', () => {
  it('stops every app it started, and frees their ports', async () => {
    const demo = spawnTs('test/fixtures/demo.ts', [workDir]);
    const [, json] = await waitForLine(demo, /^ready (.*)$/m, 150_000);
    const ready = JSON.parse(json!) as Ready;
    stray.push(...ready.instances.map((i) => i.pid));
    expect(ready.instances.map((i) => i.name).sort()).toEqual(
      [
        'carrier#1',
        'crm#1',
        'email#1',
        'erp-stock#1',
        'order-db#1',
        'promo-counter#1',
        'shipping#1',
        'storefront#1',
      ].sort(),
    );
    for (const i of ready.instances) expect(alive(i.pid), i.name).toBe(true);

    demo.kill('SIGKILL');
    await exited(demo);

    for (const i of ready.instances)
      await until(`${i.name} (pid ${i.pid}) to exit after the demo was killed`, () => !alive(i.pid), 30_000);
    for (const port of ready.ports)
      await until(`port ${port} to be free`, async () => !(await listening(port)), 10_000);
  });
});
