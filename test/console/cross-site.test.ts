// A web page the learner has open cannot steer the demo: in real Chromium, a page from another
// localhost port fires the "simple" cross-site requests a browser sends without asking (no-cors
// fetches with text/plain bodies, a form post) at the demo's control API and the broker's admin API —
// kill an instance, set the order rate, take the carrier down, create a topic — and the server side
// shows that nothing happened. A DNS-rebinding page (its own name resolved to 127.0.0.1) can neither
// read records nor write. The console's own page still can.
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDemo, type RunningDemo } from '@orders/demo';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch } from './helpers/browser.js';
import { ROOT } from './helpers/harness.js';
import { freePorts } from '../helpers/ports.js';

let demo: RunningDemo;
let browser: Browser;
let attacker: http.Server;
let attackerUrl: string;
let workDir: string;
let carrierUrl: string;

/** The attacker's page: every request a page may send cross-site without a CORS preflight. */
function attackPage(control: string): string {
  const shots = [
    [`${control}/api/apps/order-db/instances/1/kill`, 'kill'],
    [`${control}/api/load`, JSON.stringify({ rate: 50 })],
    [`${control}/api/carrier/down`, JSON.stringify({ down: true })],
    [`${control}/api/topics`, JSON.stringify({ name: 'cross-site', partitions: 1 })],
  ];
  return `<!doctype html><html><body>
<form id="form" method="POST" enctype="text/plain" action="${control}/api/load" target="sink">
  <input name='{"rate": 60, "x": "' value='"}'>
</form>
<iframe name="sink"></iframe>
<script>
  const shots = ${JSON.stringify(shots)};
  window.attack = async () => {
    const answered = [];
    for (const [url, body] of shots) {
      // An opaque answer resolves; only an unreachable server rejects.
      await fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body });
      answered.push(url);
    }
    document.getElementById('form').submit();
    return answered;
  };
</script></body></html>`;
}

const carrierState = async () =>
  (await (await fetch(`${carrierUrl}/admin/state`)).json()) as { down: boolean; latencyMs: number };

beforeAll(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'cross-site-'));
  const [kafka, httpPort, control, smtp, mailHttp, carrier, storefront, orderDb] = await freePorts(8);
  carrierUrl = `http://127.0.0.1:${carrier}`;
  demo = await startDemo({
    rootDir: ROOT,
    workDir,
    dataDir: path.join(workDir, 'sps'),
    without: ['email', 'shipping', 'erp-stock', 'crm', 'promo-counter'],
    ports: {
      kafka,
      http: httpPort,
      control,
      smtp,
      mailHttp,
      kinesis: null,
      apps: { carrier: carrier!, storefront: storefront!, 'order-db': orderDb! },
    },
    load: false,
    color: false,
    output: () => undefined,
  });
  await demo.supervisor.waitRunning('order-db', 1, 60_000);
  await demo.supervisor.waitRunning('carrier', 1, 60_000);
  attacker = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(attackPage(demo.controlUrl.replace('127.0.0.1', 'localhost')));
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
  attackerUrl = `http://localhost:${(attacker.address() as net.AddressInfo).port}/`;
  browser = await launch([`--host-resolver-rules=MAP rebound.example 127.0.0.1`]);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => attacker?.close(r));
  await demo?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('a page on another localhost port', () => {
  it('cannot kill an instance, set the order rate, take the carrier down or create a topic', async () => {
    const victim = demo.supervisor.instance('order-db', 1);
    const rate = demo.trickle.status().rate;
    expect((await carrierState()).down).toBe(false);

    const page = await browser.newPage();
    await page.goto(attackerUrl);
    const answered = await page.evaluate(() =>
      (globalThis as unknown as { attack(): Promise<string[]> }).attack(),
    );
    expect(answered).toHaveLength(4); // every request reached the demo and was answered
    await page.waitForLoadState('load');
    await new Promise((r) => setTimeout(r, 1500)); // let a (wrongly) accepted kill take effect

    const after = demo.supervisor.instance('order-db', 1);
    expect(after.status).toBe('running');
    expect(after.pid).toBe(victim.pid);
    expect(demo.trickle.status().rate).toBe(rate);
    expect((await carrierState()).down).toBe(false);
    expect(demo.broker!.state.topics.get('cross-site')).toBeUndefined();
    await page.close();
  });
});

describe('a DNS-rebinding page (its own name resolved to 127.0.0.1)', () => {
  it('is refused by Host: it can neither read records nor write', async () => {
    const page = await browser.newPage();
    const port = demo.broker!.httpPort!;
    const landing = await page.goto(`http://rebound.example:${port}/`);
    expect(landing!.status()).toBe(403);
    // Same-origin for the browser now, so it would read any answer: the server refuses by Host.
    const tried = await page.evaluate(async () => {
      const read = await fetch('/api/topics/orders/partitions/0/records');
      const write = await fetch('/api/topics', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'rebound', partitions: 1 }),
      });
      const load = await fetch('/api/load', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rate: 70 }),
      });
      return { read: read.status, body: await read.text(), write: write.status, load: load.status };
    });
    expect(tried).toMatchObject({ read: 403, write: 403, load: 403 });
    expect(tried.body).toMatch(/is not a name of this server/);
    expect(tried.body).not.toMatch(/customer/);
    expect(demo.broker!.state.topics.get('rebound')).toBeUndefined();
    expect(demo.trickle.status().rate).toBe(0);
    await page.close();
  });
});

describe("the console's own page", () => {
  it('still sets the order rate and reads the control API (same origin)', async () => {
    const page = await browser.newPage();
    const consoleUrl = `http://localhost:${demo.broker!.httpPort}/`;
    await page.goto(consoleUrl);
    const result = await page.evaluate(async () => {
      const set = await fetch('/api/load', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rate: 0.2 }),
      });
      const apps = await fetch('/api/apps');
      return { set: set.status, apps: apps.status };
    });
    expect(result).toEqual({ set: 200, apps: 200 });
    expect(demo.trickle.status().rate).toBe(0.2);
    await demo.trickle.setRate(0);
    await page.close();
  });
});
