import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { validatePlaceOrder } from '@orders/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderTrickle } from './load.js';
import { freePort } from './ports.js';

/** Waits (generously: the machine may be busy) until `done()` holds; the rate itself is not timed. */
async function until(done: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the order trickle', () => {
  const bodies: unknown[] = [];
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c));
      req.on('end', () => {
        bodies.push(JSON.parse(text));
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ orderId: `o-${bodies.length}`, partition: 0, offset: bodies.length - 1 }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts valid orders to the storefront at the set rate, and stops at rate 0', async () => {
    const trickle = new OrderTrickle({ storefrontUrl: url, rate: 50, customers: 3 });
    trickle.start();
    await until(() => bodies.length >= 5, 'five orders from the trickle');
    trickle.setRate(0);
    await trickle.stop();
    const n = bodies.length;
    expect(n).toBeGreaterThanOrEqual(5);
    for (const b of bodies) expect(validatePlaceOrder(b)).toMatchObject({ ok: true });
    expect(trickle.status()).toMatchObject({
      rate: 0,
      running: false,
      placed: n,
      failed: 0,
      lastOrderId: `o-${n}`,
    });
    expect(() => trickle.setRate(-1)).toThrow(RangeError);
  });

  it('posts a burst of orders as fast as the storefront answers, and reports its progress', async () => {
    const before = bodies.length;
    const trickle = new OrderTrickle({ storefrontUrl: url, rate: 0, customers: 3 });
    expect(trickle.burst(300).burst).toMatchObject({ requested: 300, running: true });
    expect(() => trickle.burst(5)).toThrow(/still running/);
    const deadline = Date.now() + 30_000;
    while (trickle.status().burst?.running && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(trickle.status().burst).toMatchObject({ requested: 300, placed: 300, failed: 0, running: false });
    expect(bodies.length - before).toBe(300);
    expect(() => trickle.burst(0)).toThrow(RangeError);
    await trickle.stop();
  });

  it('counts failures and says once that the storefront is unreachable', async () => {
    const lines: string[] = [];
    const down = `http://127.0.0.1:${await freePort()}`;
    const trickle = new OrderTrickle({
      storefrontUrl: down,
      rate: 50,
      log: (l) => lines.push(l),
    });
    trickle.start();
    await until(() => trickle.status().failed > 1, 'two failed attempts');
    await trickle.stop();
    expect(trickle.status().failed).toBeGreaterThan(1);
    expect(lines).toEqual([`could not place an order: storefront not reachable at ${down} (ECONNREFUSED)`]);
  });
});
