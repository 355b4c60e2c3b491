import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlApi, type ControlApiOptions, type LoadControl } from './control-api.js';
import type { LoadStatus } from './load.js';
import { Supervisor } from './supervisor.js';
import { FIXTURE_APPS, fixtureRoot } from './testing/fixture-app.js';

/** Serves the control API the way the broker's HTTP port mounts it: unhandled requests fall through. */
async function serve(sup: Supervisor, options: ControlApiOptions) {
  const route = createControlApi(sup, options);
  const server = http.createServer(async (req, res) => {
    if (!(await route(req, res))) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'host 404' }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: string } };
  };
  return { call, close: () => new Promise<void>((r) => server.close(() => r())) };
}

class FakeLoad implements LoadControl {
  rate = 0.5;
  status(): LoadStatus {
    return {
      rate: this.rate,
      running: this.rate > 0,
      placed: 0,
      failed: 0,
      lastOrderId: null,
      lastError: null,
      storefrontUrl: 'x',
      burst: null,
    };
  }
  setRate(rate: number): LoadStatus {
    if (rate < 0) throw new RangeError('rate must be a number from 0 to 200 (orders per second)');
    this.rate = rate;
    return this.status();
  }
  burst(count: number): LoadStatus {
    if (count < 1) throw new RangeError('burst must be a whole number of orders from 1 to 100000');
    return {
      ...this.status(),
      burst: { requested: count, placed: 0, failed: 0, running: true, startedAt: 'now' },
    };
  }
}

describe('the control API', () => {
  let root: string;
  let sup: Supervisor;
  let local: Awaited<ReturnType<typeof serve>>;
  let remote: Awaited<ReturnType<typeof serve>>;
  let remoteNoToken: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    root = fixtureRoot();
    sup = new Supervisor({ rootDir: root, apps: FIXTURE_APPS, output: () => undefined, stopTimeoutMs: 2000 });
    const load = new FakeLoad();
    local = await serve(sup, { load, token: 's3cret' });
    // The loopback rule, as a client on another machine sees it.
    remote = await serve(sup, { load, token: 's3cret', isLocal: () => false });
    remoteNoToken = await serve(sup, { load, isLocal: () => false });
  });
  afterAll(async () => {
    await sup.stopAll();
    await Promise.all([local.close(), remote.close(), remoteNoToken.close()]);
    rmSync(root, { recursive: true, force: true });
  });

  it('lists apps and instances; leaves other paths to the host server', async () => {
    const { status, body } = await local.call('GET', '/api/apps');
    expect(status).toBe(200);
    const apps = body.apps as { name: string; available: boolean; instances: unknown[] }[];
    expect(apps.map((a) => a.name)).toEqual(FIXTURE_APPS.map((a) => a.name));
    expect(apps.find((a) => a.name === 'unbuilt')!.available).toBe(false);
    expect((await local.call('GET', '/api/topics')).body).toEqual({ error: 'host 404' });
  });

  it('starts one more instance (201), stops one gracefully (202), kills one (202)', async () => {
    const a = await local.call('POST', '/api/apps/worker/instances');
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ id: 1, name: 'worker#1', app: 'worker', status: 'starting' });
    const b = await local.call('POST', '/api/apps/worker/instances');
    expect(b.body).toMatchObject({ id: 2 });
    await sup.waitRunning('worker', 1);
    await sup.waitRunning('worker', 2);

    const listed = await local.call('GET', '/api/apps/worker');
    expect((listed.body.instances as { status: string }[]).map((i) => i.status)).toEqual([
      'running',
      'running',
    ]);

    const stop = await local.call('DELETE', '/api/apps/worker/instances/1');
    expect(stop.status).toBe(202);
    expect(stop.body.status).toBe('stopping');
    const kill = await local.call('POST', '/api/apps/worker/instances/2/kill');
    expect(kill.status).toBe(202);
    await sup.waitExit('worker', 1);
    await sup.waitExit('worker', 2);
    const after = await local.call('GET', '/api/apps/worker/instances');
    expect(after.body.instances).toMatchObject([
      { id: 1, status: 'exited', exitCode: 0, signal: null },
      { id: 2, status: 'exited', exitCode: null, signal: 'SIGKILL' },
    ]);
    const logs = await local.call('GET', '/api/apps/worker/instances/1/logs');
    expect(logs.body.lines).toContain('bye');
  });

  it('answers errors as JSON with 404, 409, 400 and 405', async () => {
    expect(await local.call('POST', '/api/apps/nope/instances')).toMatchObject({
      status: 404,
      body: { error: expect.stringContaining("no app 'nope'") },
    });
    expect((await local.call('DELETE', '/api/apps/worker/instances/99')).status).toBe(404);
    expect((await local.call('GET', '/api/apps/worker/bogus')).status).toBe(404);
    expect((await local.call('POST', '/api/apps/unbuilt/instances')).status).toBe(409);
    expect((await local.call('DELETE', '/api/apps/worker/instances/1')).status).toBe(409); // already exited
    expect((await local.call('DELETE', '/api/apps/worker/instances/x')).status).toBe(400);
    expect((await local.call('PUT', '/api/apps')).status).toBe(405);
  });

  it('reads and sets the order trickle', async () => {
    expect((await local.call('GET', '/api/load')).body).toMatchObject({ rate: 0.5, running: true });
    expect((await local.call('POST', '/api/load', { rate: 0 })).body).toMatchObject({
      rate: 0,
      running: false,
    });
    expect((await local.call('POST', '/api/load', { rate: -1 })).status).toBe(400);
    expect((await local.call('POST', '/api/load', { speed: 3 })).status).toBe(400);
    const burst = await local.call('POST', '/api/load', { burst: 10_000 });
    expect(burst.status).toBe(202);
    expect(burst.body).toMatchObject({ burst: { requested: 10_000, running: true } });
    expect((await local.call('POST', '/api/load', { burst: 0 })).status).toBe(400);
    expect((await local.call('POST', '/api/load', { burst: 'lots' })).status).toBe(400);
    expect((await local.call('POST', '/api/load', '{not json')).status).toBe(400);
  });

  it('allows write actions from elsewhere only with the token; reads need none', async () => {
    expect((await remote.call('GET', '/api/apps')).status).toBe(200);
    expect((await remote.call('POST', '/api/load', { rate: 1 })).status).toBe(401);
    expect(
      (await remote.call('POST', '/api/load', { rate: 1 }, { authorization: 'Bearer wrong' })).status,
    ).toBe(401);
    expect(
      (await remote.call('POST', '/api/load', { rate: 1 }, { authorization: 'Bearer s3cret' })).status,
    ).toBe(200);
    const noToken = await remoteNoToken.call('POST', '/api/apps/worker/instances');
    expect(noToken.status).toBe(403);
    expect(noToken.body.error).toMatch(/--token/);
  });

  it('refuses writes from another site and bodies that are not JSON (the same guard as the broker)', async () => {
    const before = (await local.call('GET', '/api/load')).body.rate;
    const foreign = await local.call('POST', '/api/load', { rate: 7 }, { origin: 'http://localhost:1' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toMatch(/another site/);
    const plain = await local.call('POST', '/api/load', '{"rate": 7}', { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect(
      (await local.call('POST', '/api/apps/worker/instances/1/kill', undefined, { origin: 'null' })).status,
    ).toBe(403);
    expect((await local.call('GET', '/api/load')).body.rate).toBe(before);
  });

  it('answers a malformed %-escape in the path with 400, not 500', async () => {
    for (const path of ['/api/apps/%E0%A4%A', '/api/apps/worker/instances/%zz/kill']) {
      const res = await local.call(path.endsWith('kill') ? 'POST' : 'GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.error).toMatch(/malformed %-escape/);
    }
  });
});
