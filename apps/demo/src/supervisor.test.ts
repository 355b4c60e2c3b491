import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APP_NODE_ARGS, APP_NODE_ENV } from './node-options.js';
import { Supervisor, SupervisorError } from './supervisor.js';
import { FIXTURE_APPS, fixtureRoot } from './testing/fixture-app.js';

describe('the supervisor', () => {
  let root: string;
  let sup: Supervisor;
  const lines: string[] = [];

  beforeAll(() => {
    root = fixtureRoot();
  });
  afterEach(async () => {
    await sup.stopAll();
    lines.length = 0;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const make = (stopTimeoutMs = 5000) =>
    (sup = new Supervisor({
      rootDir: root,
      apps: FIXTURE_APPS,
      env: { KAFKA_BROKERS: '127.0.0.1:19092' },
      stopTimeoutMs,
      output: (l) => lines.push(l),
      color: false,
    }));

  it('starts an app with PORT and its env, shows it running, and prefixes its log lines', async () => {
    make();
    const started = await sup.start('worker');
    expect(started).toMatchObject({ id: 1, name: 'worker#1', status: 'starting' });
    expect(started.pid).toBeGreaterThan(0);
    const running = await sup.waitRunning('worker', 1);
    expect(running.port).toBeGreaterThan(0); // PORT=0 → the port it logged
    const body = (await (await fetch(running.url)).json()) as Record<string, string>;
    expect(body).toEqual({
      app: 'worker',
      instance: 'worker-1',
      kafka: '127.0.0.1:19092',
      // the demo's V8 heap bounds and malloc arenas (node-options.ts); the demo's own environment wins
      execArgv: [...APP_NODE_ARGS],
      mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? APP_NODE_ENV.MALLOC_ARENA_MAX,
    });
    expect(lines).toContain(`[worker#1] info listening port=${running.port}`);
    expect(lines).toContain('[worker#1] a plain line from worker-1');
  });

  it('runs the apps with the Node options it is given instead of the default ones', async () => {
    sup = new Supervisor({
      rootDir: root,
      apps: FIXTURE_APPS,
      nodeArgs: ['--max-old-space-size=64'],
      baseEnv: { ...process.env, MALLOC_ARENA_MAX: '4' },
      output: () => undefined,
    });
    await sup.start('worker');
    const running = await sup.waitRunning('worker', 1);
    const body = (await (await fetch(running.url)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ execArgv: ['--max-old-space-size=64'], mallocArenaMax: '4' });
  });

  it('scales a consumer app to more instances, each on its own port', async () => {
    make();
    await sup.start('worker');
    await sup.start('worker');
    await sup.start('worker');
    const all = await Promise.all([1, 2, 3].map((id) => sup.waitRunning('worker', id)));
    expect(all.map((i) => i.name)).toEqual(['worker#1', 'worker#2', 'worker#3']);
    expect(new Set(all.map((i) => i.port)).size).toBe(3);
    expect(sup.app('worker').instances.every((i) => i.status === 'running')).toBe(true);
  });

  it('stops gracefully with SIGTERM: status stopping, then exited with code 0', async () => {
    make();
    await sup.start('worker');
    await sup.waitRunning('worker', 1);
    expect(sup.stop('worker', 1).status).toBe('stopping');
    const exited = await sup.waitExit('worker', 1);
    expect(exited).toMatchObject({ status: 'exited', exitCode: 0, signal: null });
    expect(exited.exitedAt).not.toBeNull();
    expect(lines).toContain('[worker#1] bye');
  });

  it('kills with SIGKILL: exited, signal SIGKILL, still listed', async () => {
    make();
    await sup.start('worker');
    await sup.waitRunning('worker', 1);
    sup.kill('worker', 1);
    expect(await sup.waitExit('worker', 1)).toMatchObject({
      status: 'exited',
      exitCode: null,
      signal: 'SIGKILL',
    });
    expect(sup.app('worker').instances).toHaveLength(1);
    expect(() => sup.kill('worker', 1)).toThrow(/already exited/);
  });

  it('leaves a crashed app exited with its code (no restart by default)', async () => {
    make();
    await sup.start('crashy');
    const exited = await sup.waitExit('crashy', 1);
    expect(exited).toMatchObject({ status: 'exited', exitCode: 3, restarts: 0 });
    expect(lines).toContain('[crashy#1] oops');
    expect(lines).toContain('[crashy#1] exited with code 3');
  });

  it('sends SIGKILL when an app ignores SIGTERM past the grace period', async () => {
    make(300);
    await sup.start('stubborn');
    await sup.waitRunning('stubborn', 1);
    sup.stop('stubborn', 1);
    expect(await sup.waitExit('stubborn', 1)).toMatchObject({ signal: 'SIGKILL' });
    expect(lines).toContain('[stubborn#1] ignoring SIGTERM');
  });

  it('refuses what cannot be done, with errors that say why', async () => {
    make();
    const err = (f: () => unknown) =>
      Promise.resolve()
        .then(f)
        .then(
          () => null,
          (e: SupervisorError) => [e.status, e.message] as const,
        );
    expect(await err(() => sup.start('nope'))).toEqual([404, expect.stringContaining('apps: front, worker')]);
    expect(await err(() => sup.start('unbuilt'))).toEqual([409, expect.stringContaining('not built yet')]);
    expect(sup.isAvailable('unbuilt')).toBe(false);
    expect(sup.app('unbuilt').available).toBe(false);
    await sup.start('front');
    expect(await err(() => sup.start('front'))).toEqual([409, expect.stringContaining('only consumer apps')]);
    expect(await err(() => sup.stop('front', 9))).toEqual([404, expect.stringContaining('instances: 1')]);
  });
});
