// The workshop cannot rot: one demo, and for every lab in docs/workshop the runner's `solve` (the
// learner's steps, done by the CLI a learner uses) followed by its `check` (the system's own state says
// the lab was done). Labs run in order on the same demo, as a class does them.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABS } from '../../apps/lab/src/labs/index.js';
import { buildApp, removeApp, scaffoldApp, testApp } from '../../apps/lab/src/scaffold.js';
import { CONSUMERS, getJson, postJson, REPO, startSystem, waitFor, type System } from '../e2e/system.js';

const LAB_CLI = path.join(REPO, 'apps', 'lab', 'dist', 'main.js');
let system: System;
/** The running demo's control API, where the lab CLI and the checks look. */
function controlUrl(): string {
  if (!system.controlUrl)
    throw new Error('the workshop runs on npm run demo (processes), which has a control API');
  return system.controlUrl;
}

function lab(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAB_CLI, '--url', controlUrl(), ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('every lab of the workshop, solved and checked on one running demo', () => {
  beforeAll(async () => {
    if (!existsSync(LAB_CLI)) throw new Error(`${LAB_CLI} is missing: run npm run build first`);
    system = await startSystem();
    // As `npm run demo` does: a trickle of orders, and every app up and caught up before the class starts.
    expect((await postJson(`${controlUrl()}/api/load`, { rate: 1 })).status).toBe(200);
    const seenCaughtUp = new Set<string>();
    await waitFor(
      system,
      'each of the six consumer groups to have read the first orders (lag 0 once)',
      async () => {
        const { body } = await getJson<{ groups: { id: string; lag: number | null }[] }>(
          `${controlUrl()}/api/groups`,
        );
        for (const g of body.groups) if (g.lag === 0) seenCaughtUp.add(g.id);
        return CONSUMERS.every((c) => seenCaughtUp.has(c));
      },
      240_000,
      () => `caught up so far: ${[...seenCaughtUp].join(', ') || 'none'}`,
    );
  }, 300_000);
  afterAll(async () => {
    await system?.stop();
  });

  for (const l of LABS) {
    if (l.id === '07') continue;
    it(`lab ${l.id}: ${l.title}`, async () => {
      const { code, out } = await lab('solve', l.id);
      expect(out, out).toContain(`lab ${l.id} done.`);
      expect(code).toBe(0);
    });
  }

  // Lab 07: the lost ack with and without idempotence, and (broker restarted between the send and the
  // retry) the idempotent producer's state surviving the restart.
  let lab07 = '';
  it('lab 07: a lost ack duplicates a record without idempotence, and not with it', async () => {
    lab07 = (await lab('solve', '07')).out;
    expect(lab07, lab07).toContain('✔ without idempotence, the retried record is on the stream twice');
    expect(lab07, lab07).toContain(
      '✔ with the idempotent producer, the broker recognised the retry: one copy',
    );
  });
  it('lab 07: the idempotent producer still writes one copy when the broker restarts before the retry', () => {
    expect(lab07, lab07).toContain('✔ with the idempotent producer and a broker restart');
  });

  it('lab N with an unknown number is refused with the list of labs', async () => {
    const { code, out } = await lab('check', '42');
    expect(code).toBe(1);
    expect(out).toContain('no lab 42; labs: 00, 01');
  });
});

describe('npm run new-consumer', () => {
  const name = 'scaffold-selftest';
  afterAll(async () => {
    await removeApp(name);
  });
  it('scaffolds an app that compiles and whose own test passes, and removes it again', async () => {
    const dir = await scaffoldApp(name, { force: true });
    expect(existsSync(path.join(dir, 'src', `${name}.controller.ts`))).toBe(true);
    await buildApp(name);
    expect(existsSync(path.join(dir, 'dist', 'main.js'))).toBe(true);
    await testApp(name);
    expect(await removeApp(name)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });
});
