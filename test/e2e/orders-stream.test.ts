// The orders stream, end to end: the story the workshop tells, with the whole system running as real
// processes (embedded broker, mail catcher, carrier, storefront, six consumer apps), checked the way a
// user would check it — through each app's HTTP API, the mail catcher, and the broker over the Kafka
// protocol (groups, committed offsets, lag), so the same suite runs on our broker and on Apache Kafka.
//
//   1. Customers place 200 orders at the storefront; six apps, none aware of the others, each react
//      once per order.
//   2. A consumer is killed with SIGKILL mid-stream and started again: still exactly one effect per order.
//   3. The carrier goes down: the other five apps keep up while shipping lags; it catches up when the
//      carrier returns.
//   4. A message that is not an order lands in `orders.dlq`, and nothing stalls.
//
// Consumer apps that are not built yet are skipped, and say so in their test names; with CI set every
// app must exist. Run: `npm run test:e2e` (after `npm run build`); against Apache Kafka (or any
// Kafka-compatible broker) instead of the embedded one: `E2E_KAFKA=127.0.0.1:19092 npm run test:e2e`.
import { customerIdFromEmail, DLQ_TOPIC, ORDERS_TOPIC } from '@orders/contracts';
import { AssignerProtocol } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPartition } from '../helpers/read.js';
import { EFFECTS, type CheckContext } from './effects.js';
import { Shop } from './shop.js';
import {
  COMPOSE,
  CONSUMERS,
  EXTERNAL_KAFKA,
  getJson,
  group,
  has,
  MISSING,
  ordersLag,
  adminHeaders,
  postJson,
  POSTGRES,
  PRESENT,
  startSystem,
  TIMEOUT_SCALE,
  waitCaughtUp,
  waitFor,
  type Consumer,
  type System,
} from './system.js';

let system: System;
let shop: Shop;
const notes = new Set<string>();
const ctx: CheckContext = { killed: false, note: (text) => notes.add(text) };
const timings: [string, number][] = [];

/** Runs `fn` and remembers how long it took, for the summary printed at the end. */
async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings.push([what, Date.now() - started]);
  }
}

const skipNote = (app: Consumer) => (has(app) ? '' : ` — SKIPPED: apps/${app}/dist/main.js is not built`);
const others = (app: Consumer) => PRESENT.filter((a) => a !== app);

/** One test per consumer app: its effect, exactly once per order placed so far. */
function everyAppShowsOneEffectPerOrder(when: string) {
  for (const app of CONSUMERS)
    it.skipIf(!has(app))(`${app} ${EFFECTS[app].effect}${when}${skipNote(app)}`, () =>
      EFFECTS[app].check(system, shop, ctx),
    );
}

beforeAll(async () => {
  if (MISSING.length)
    console.warn(
      `e2e: not built yet, so left out and their checks skipped: ${MISSING.join(', ')}` +
        (process.env.CI ? ' (CI is set: this fails the run)' : ''),
    );
  system = await timed('start the system', startSystem);
  shop = new Shop(system.url('storefront'));
  await timed('every app up and every consumer in its group', () =>
    waitFor(
      system,
      'the storefront to connect and every consumer app to join its group (GET /health 200)',
      async () => {
        const storefront = await getJson<{ connected: boolean }>(`${system.url('storefront')}/health`);
        if (!storefront.body?.connected) return false;
        const health = await Promise.all(PRESENT.map((a) => getJson(`${system.url(a)}/health`)));
        return health.every((h) => h.status === 200);
      },
      // Generous: on a shared 2-core machine under load, nine Node processes can take minutes to start.
      180_000 * TIMEOUT_SCALE,
    ),
  );
}, 240_000 * TIMEOUT_SCALE);

afterAll(async () => {
  await system?.stop();
  const total = timings.reduce((s, [, ms]) => s + ms, 0);
  console.log(
    [
      `e2e (${POSTGRES ? 'PostgreSQL' : 'SQLite'}, ` +
        `${COMPOSE ? `the docker-compose stack, profile ${process.env.COMPOSE_PROFILES ?? 'sps'}` : EXTERNAL_KAFKA ? `external broker ${EXTERNAL_KAFKA}` : 'embedded broker'}): ${shop?.placed.length ?? 0} orders; ` +
        `apps checked: ${PRESENT.join(', ')}${MISSING.length ? `; SKIPPED (not built): ${MISSING.join(', ')}` : ''}`,
      ...timings.map(([what, ms]) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${what}`),
      `  ${(total / 1000).toFixed(1).padStart(6)} s  in all`,
      ...[...notes].map((n) => `  note: ${n}`),
      system ? `  log: ${system.logFile}` : '',
    ].join('\n'),
  );
}, 60_000 * TIMEOUT_SCALE);

describe('the orders stream, end to end', () => {
  it.runIf(Boolean(process.env.CI))('has every app built (CI)', () => {
    expect(MISSING, 'consumer apps without dist/main.js').toEqual([]);
  });

  describe('1. customers place 200 orders; six independent apps each react once per order', () => {
    it('the storefront accepts 200 orders and puts each on the `orders` stream', async () => {
      await timed('place 200 orders', () => shop.placeMany(200));
      expect(shop.placed).toHaveLength(200);
      expect(new Set(shop.placed.map((o) => o.orderId)).size).toBe(200);
      // Key = customer id: the orders spread over all five partitions, one customer's on one partition.
      expect(new Set(shop.placed.map((o) => o.partition))).toEqual(new Set([0, 1, 2, 3, 4]));
      for (const c of new Set(shop.placed.map((o) => o.customerId)))
        expect(new Set(shop.placed.filter((o) => o.customerId === c).map((o) => o.partition)).size).toBe(1);
    });

    it('every consumer group reads the whole stream (lag 0 at the broker)', async () => {
      await timed('every group catches up with 200 orders', () => waitCaughtUp(system, PRESENT, 60_000));
    });

    everyAppShowsOneEffectPerOrder('');

    it.runIf(POSTGRES)(
      'on PostgreSQL, each app keeps its tables in its own schema of one database',
      async () => {
        const tables = await system.postgresTables();
        const expected = Object.fromEntries(
          PRESENT.map((app) => [
            app.replace(/-/g, '_'),
            expect.arrayContaining(['_prisma_migrations', 'processed_orders']),
          ]),
        );
        expect(tables).toMatchObject(expected);
      },
    );
  });

  describe('2. a consumer is killed with SIGKILL mid-stream and started again', () => {
    it('each consumer app loses its instance while 200 more orders stream in, restarts and catches up', async () => {
      const victims = await system.runningInstances(PRESENT);
      // 60 orders, then every consumer killed while 40 more stream in, then 100 more while they are
      // dead: so each dead consumer has lag however long the kills take (docker kill is slow).
      await timed('place 200 more orders, killing every consumer after 60', async () => {
        await shop.placeMany(60, 8);
        ctx.killed = true;
        await Promise.all([Promise.all(victims.map((v) => system.kill(v))), shop.placeMany(40, 8)]);
        await shop.placeMany(100, 8);
      });
      let restarted = false;
      try {
        for (const v of victims) {
          const exited = await waitFor(system, `${v.app} (${v.id}) to die`, () => system.exited(v), 10_000);
          expect(exited.signal).toBe('SIGKILL');
          // Dead consumers read nothing: the orders placed since pile up as lag.
          expect(ordersLag(await group(system, v.app)), `${v.app}'s lag while it is dead`).toBeGreaterThan(0);
        }
        await timed('restart the killed consumers and catch up', async () => {
          restarted = true;
          for (const v of victims) await system.startAgain(v);
          await waitCaughtUp(system, PRESENT, 60_000);
        });
      } finally {
        // A failed check above must not leave the consumers dead for every test after this one.
        if (!restarted) for (const v of victims) await system.startAgain(v).catch(() => undefined);
      }
    });

    everyAppShowsOneEffectPerOrder(', still exactly once after the kill');
  });

  describe('3. the carrier goes down: only shipping falls behind, and it catches up', () => {
    const shipping = 'shipping' as const;
    it.skipIf(!has(shipping))(
      `the other apps keep up with 30 new orders while shipping's lag grows${skipNote(shipping)}`,
      async () => {
        const down = await postJson(`${system.url('carrier')}/admin/down`, { down: true }, adminHeaders());
        expect(down.status).toBe(200);
        await timed('place 30 orders while the carrier is down', () => shop.placeMany(30, 5));
        await timed('the other apps catch up while the carrier is down', () =>
          waitCaughtUp(system, others(shipping), 30_000),
        );
        for (const app of others(shipping)) await EFFECTS[app].check(system, shop, ctx);

        const lag = await waitFor(
          system,
          "shipping's lag to show the waiting orders",
          async () => ordersLag(await group(system, shipping)),
          10_000,
        );
        expect(lag, "shipping's lag at the broker").toBeGreaterThan(0);
        const last = shop.placed.at(-1)!;
        expect((await getJson(`${system.url(shipping)}/shipments/${last.orderId}`)).status).toBe(404);
      },
    );

    it.skipIf(!has(shipping))(
      `shipping catches up when the carrier is back, every order shipped once${skipNote(shipping)}`,
      async () => {
        const up = await postJson(`${system.url('carrier')}/admin/down`, { down: false }, adminHeaders());
        expect(up.status).toBe(200);
        await timed('shipping catches up after the carrier returns', () =>
          waitCaughtUp(system, [shipping], 45_000),
        );
        await EFFECTS[shipping].check(system, shop, ctx);
      },
    );
  });

  describe('4. a message that is not an order lands in `orders.dlq`, and nothing stalls', () => {
    it('each consumer group dead-letters it with the reason, then processes the order behind it', async () => {
      // Between two orders of one customer, on that customer's partition.
      const customer = shop.customers[0]!;
      const key = customerIdFromEmail(customer.email);
      const partition = shop.placed.find((o) => o.customerId === key)?.partition ?? 0;
      const invalid = JSON.stringify({ orderId: 'not-an-order', lines: 'none' });
      const producer = system.kafka().producer();
      await producer.connect();
      const [sent] = await producer.send({
        topic: ORDERS_TOPIC,
        messages: [{ key, value: invalid, partition }],
      });
      await producer.disconnect();
      const behind = await shop.place(shop.nextOrder(customer));
      expect(behind.partition).toBe(partition);

      await timed('every group gets past the invalid message', () => waitCaughtUp(system, PRESENT, 30_000));
      await waitFor(
        system,
        `one dead letter per consumer group in ${DLQ_TOPIC}`,
        async () => {
          const [p0] = await system.admin.fetchTopicOffsets(DLQ_TOPIC);
          return Number(p0?.high) >= PRESENT.length;
        },
        15_000,
      );
      // Read without a consumer group (Fetch from offset 0; the one-partition DLQ's leader is the bootstrap).
      const dlq = await readPartition(system.kafkaPort, DLQ_TOPIC, 0);
      // Nothing else was dead-lettered in the whole run (not even by shipping while the carrier was down).
      expect(dlq.map((r) => r.value)).toEqual(PRESENT.map(() => invalid));
      expect(dlq.map((r) => r.headers['dlq-app']).sort()).toEqual([...PRESENT].sort());
      for (const r of dlq) {
        expect(r.key).toBe(key);
        expect(r.headers).toMatchObject({
          'dlq-reason': expect.stringMatching(/^invalid order: /),
          'dlq-source-topic': ORDERS_TOPIC,
          'dlq-partition': String(partition),
          'dlq-offset': String(sent!.baseOffset),
        });
      }
    });

    everyAppShowsOneEffectPerOrder(', the order behind the invalid message included');
  });

  describe.runIf(COMPOSE)('5. `--scale order-db=3`: three instances share one consumer group', () => {
    it('order-db runs three members of its group, the five partitions spread over them', async () => {
      await timed('docker-compose up --scale order-db=3', () => system.scale('order-db', 3));
      const spread = await waitFor(
        system,
        'order-db to be one Stable group of three members, each assigned orders partitions',
        async () => {
          const { groups } = await system.admin.describeGroups(['order-db']);
          const g = groups[0];
          if (g?.state !== 'Stable' || g.members.length !== 3) return false;
          const owned = g.members.map(
            (m) =>
              AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[ORDERS_TOPIC] ?? [],
          );
          return owned.every((p) => p.length > 0) && owned;
        },
        90_000,
        async () =>
          JSON.stringify((await system.admin.describeGroups(['order-db'])).groups[0]?.members.length),
      );
      // Every partition owned by exactly one member.
      expect(spread.flat().sort()).toEqual([0, 1, 2, 3, 4]);
      await timed('place 50 orders on three order-db instances', () => shop.placeMany(50, 5));
      await timed('every group catches up', () => waitCaughtUp(system, PRESENT, 60_000));
    });

    everyAppShowsOneEffectPerOrder(', with three order-db instances');
  });
});
