// The teaching console in a real browser, told as the workshop's story: the stream's partitions, a
// consumer group scaled past its partition count (idle members), a killed member whose partitions
// move to the others, a rewind that replays, and the same views in Kinesis' words.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, screenshot } from './helpers/browser.js';
import { APP, startWorld, type World } from './helpers/harness.js';
import { encodeSequenceNumber } from '../../libs/kinesis-api/src/positions.js';

let world: World;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  world = await startWorld();
  await world.produce(40);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${world.url}/topics`); // the Topics view (the Overview is the default page)
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const count = (selector: string) => page.locator(selector).count();
const groupCard = `[data-testid=group][data-group="${APP}"]`;

async function tab(id: string) {
  await page.click(`[data-testid=tab-${id}]`);
}

interface Health {
  id: number;
  health?: { memberId: string | null; assignment: Record<string, number[]> };
}

async function instanceHealth(): Promise<Health[]> {
  const res = await fetch(`${world.url}/api/apps/${APP}/health`);
  return ((await res.json()) as { instances: Health[] }).instances;
}

describe('the teaching console', () => {
  it('shows the 5 partitions of orders as lanes, live', async () => {
    await page.waitForSelector('[data-testid=topic][data-topic=orders]');
    const lanes = page.locator('[data-testid=topic][data-topic=orders] [data-testid=lane]');
    await expect.poll(() => lanes.count()).toBe(5);
    expect(
      await page.locator('[data-testid=topic][data-topic=orders] [data-testid=partition-count]').innerText(),
    ).toBe('5');
    const hwmSum = async () =>
      (await page.locator('[data-testid=topic][data-topic=orders] [data-testid=hwm]').allInnerTexts())
        .map((t) => Number(t.replace(/\D/g, '')))
        .reduce((a, b) => a + b, 0);
    expect(await hwmSum()).toBe(40);
    await world.produce(10); // arrives without a reload
    await expect.poll(hwmSum, { timeout: 5000 }).toBe(50);
    await screenshot(page, '1-stream');
  });

  it('starting 7 instances of one app shows 2 of them idle', async () => {
    await tab('apps');
    const add = page.locator(`[data-testid=app][data-app="${APP}"] [data-testid=add-instance]`);
    for (let i = 1; i <= 7; i++) {
      await add.click();
      await expect.poll(() => count(`[data-testid=app][data-app="${APP}"] [data-testid=instance]`)).toBe(i);
    }
    await expect
      .poll(() => count(`[data-testid=app][data-app="${APP}"] [data-testid=instance][data-status=running]`), {
        timeout: 30_000,
      })
      .toBe(7);
    await screenshot(page, '2-apps');

    await tab('groups');
    await expect
      .poll(() => count(`${groupCard} [data-testid=member]`), { timeout: 60_000, interval: 500 })
      .toBe(7);
    await expect
      .poll(() => page.locator(groupCard).getAttribute('data-state'), { timeout: 60_000, interval: 500 })
      .toBe('Stable');
    await expect
      .poll(() => count(`${groupCard} [data-testid=member][data-idle=true]`), { timeout: 30_000 })
      .toBe(2);
    expect(await count(`${groupCard} [data-testid=idle-badge]`)).toBe(2);
    expect(await page.locator(`${groupCard} [data-testid=idle-summary]`).innerText()).toContain('2 idle');
    await expect
      .poll(() => page.locator(`${groupCard} [data-testid=group-lag]`).innerText(), { timeout: 30_000 })
      .toBe('0');
    await screenshot(page, '3-groups-idle');
  });

  it('killing an instance that owns partitions moves them to the others, and its lag rises then falls', async () => {
    // The instance to kill: one that owns partitions (its /health tells its member id and assignment).
    let victim: { id: number; memberId: string; partitions: number[] } | undefined;
    await expect
      .poll(
        async () => {
          const busy = (await instanceHealth()).find(
            (h) => (h.health?.assignment?.orders ?? []).length > 0 && h.health?.memberId,
          );
          victim = busy && {
            id: busy.id,
            memberId: busy.health!.memberId!,
            partitions: busy.health!.assignment.orders!,
          };
          return Boolean(victim);
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    const v = victim!;
    await expect
      .poll(() =>
        page
          .locator(`${groupCard} [data-testid=member][data-member-id="${v.memberId}"]`)
          .getAttribute('data-partitions'),
      )
      .toBe(v.partitions.join(','));

    await tab('apps');
    await page.click(
      `[data-testid=app][data-app="${APP}"] [data-testid=instance][data-instance="${v.id}"] [data-testid=kill]`,
    );
    await expect
      .poll(
        () => page.locator(`[data-testid=instance][data-instance="${v.id}"]`).getAttribute('data-status'),
        { timeout: 10_000 },
      )
      .toBe('exited');
    // Orders keep coming; the dead member's partitions pile up until its session times out.
    await world.produce(60);

    await tab('groups');
    const lagOf = async () => {
      let sum = 0;
      for (const p of v.partitions)
        sum += Number(
          (await page
            .locator(`${groupCard} [data-testid=group-partition][data-partition="${p}"]`)
            .getAttribute('data-lag')) || 0,
        );
      return sum;
    };
    await expect.poll(lagOf, { timeout: 10_000, interval: 250 }).toBeGreaterThan(0);
    await screenshot(page, '4-killed-lag');
    await expect
      .poll(() => count(`${groupCard} [data-testid=member]`), { timeout: 30_000, interval: 500 })
      .toBe(6);
    await expect
      .poll(() => page.locator(`${groupCard} [data-testid=member][data-member-id="${v.memberId}"]`).count())
      .toBe(0);
    await expect
      .poll(() => page.locator(groupCard).getAttribute('data-state'), { timeout: 30_000 })
      .toBe('Stable');
    await expect.poll(() => count(`${groupCard} [data-testid=move]`), { timeout: 10_000 }).toBeGreaterThan(0);
    const moved = await page.locator(`${groupCard} [data-testid=move]`).allInnerTexts();
    for (const p of v.partitions) expect(moved.join('\n')).toMatch(new RegExp(`partition ${p} moved`));
    // Each of its partitions now belongs to a surviving member; one member is idle now.
    const owned = (await page
      .locator(`${groupCard} [data-testid=member]`)
      .evaluateAll((rows) =>
        rows.flatMap((r) => (r.getAttribute('data-partitions') || '').split(',').filter(Boolean).map(Number)),
      )) as number[];
    expect(owned.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(await count(`${groupCard} [data-testid=member][data-idle=true]`)).toBe(1);
    await expect.poll(lagOf, { timeout: 30_000, interval: 250 }).toBe(0);
    await screenshot(page, '5-partitions-moved');
  });

  it('a stopped group reset to earliest replays the stream when started again', async () => {
    await tab('apps');
    // Stop every running instance from the Apps view, until the list shows them all exited (a stop
    // is graceful: commit, leave the group, exit — a few seconds each).
    const rows = page.locator(`[data-testid=app][data-app="${APP}"] [data-testid=instance]`);
    const running = page.locator(
      `[data-testid=app][data-app="${APP}"] [data-testid=instance][data-status=running] [data-testid=stop]`,
    );
    await expect
      .poll(
        async () => {
          if ((await running.count()) > 0) await running.first().click();
          const statuses = await rows.evaluateAll((r) => r.map((e) => e.getAttribute('data-status')));
          return statuses.length > 0 && statuses.every((st) => st === 'exited');
        },
        { timeout: 60_000, interval: 300 },
      )
      .toBe(true);
    await tab('groups');
    await expect
      .poll(() => page.locator(groupCard).getAttribute('data-state'), { timeout: 30_000 })
      .toBe('Empty');
    await page.selectOption(`${groupCard} [data-testid=reset-mode]`, 'earliest');
    await page.click(`${groupCard} [data-testid=reset]`);
    await expect.poll(() => page.locator(`${groupCard} [data-testid=reset-result]`).count()).toBe(1);
    expect(await page.locator(`${groupCard} [data-testid=reset-result]`).innerText()).toMatch(/0: \d+ → 0/);
    await expect
      .poll(() => page.locator(`${groupCard} [data-testid=group-lag]`).innerText(), { timeout: 5000 })
      .toBe('110');
    await screenshot(page, '6-reset');

    await page.click(`${groupCard} [data-testid=start-again]`);
    await expect
      .poll(() => page.locator(`${groupCard} [data-testid=group-lag]`).innerText(), {
        timeout: 60_000,
        interval: 500,
      })
      .toBe('0');
    // The new instance really read everything again.
    await expect
      .poll(
        async () =>
          (await instanceHealth()).reduce(
            (n, h) => n + ((h.health as { processed?: number } | undefined)?.processed ?? 0),
            0,
          ),
        {
          timeout: 10_000,
        },
      )
      .toBe(110);
    await screenshot(page, '7-replayed');
  });

  it('shows the latest records of a partition', async () => {
    await tab('inspect');
    await expect.poll(() => count('[data-testid=record]'), { timeout: 10_000 }).toBeGreaterThan(0);
    const first = page.locator('[data-testid=record]').first();
    expect(await first.innerText()).toContain('customer-');
    await first.click();
    await expect.poll(() => page.locator('tr.detail pre').innerText()).toContain('"orderId"');
    await screenshot(page, '8-inspect');
  });

  it('the terminology switch renames the views', async () => {
    await tab('stream');
    await page.click('[data-testid=terms-kinesis]');
    expect(await page.locator('[data-testid=tab-stream]').innerText()).toBe('Streams');
    expect(await page.locator('[data-testid=tab-groups]').innerText()).toBe('Applications');
    expect(await page.locator('h1').innerText()).toBe('Streams');
    // Real Kinesis values, as the broker's Kinesis API serves them: shard ids and sequence numbers.
    expect(await page.locator('[data-testid=lane] .lane-label').first().innerText()).toBe(
      'shardId-000000000000',
    );
    await screenshot(page, '9-kinesis');
    await tab('inspect');
    await expect
      .poll(() => count('[data-testid=record] [data-testid=sequence-number]'), { timeout: 10_000 })
      .toBeGreaterThan(0);
    const offset = await page.locator('[data-testid=record]').first().getAttribute('data-offset');
    const partition = await page.locator('[data-testid=inspect-partition]').inputValue();
    expect(await page.locator('[data-testid=record] [data-testid=sequence-number]').first().innerText()).toBe(
      encodeSequenceNumber(Number(partition), Number(offset)),
    );
    await tab('stream');
    await page.click('[data-testid=terms-eventhubs]');
    expect(await page.locator('[data-testid=tab-stream]').innerText()).toBe('Event hubs');
    await tab('groups');
    expect(await page.locator('h1').innerText()).toBe('Consumer groups');
    await tab('help');
    expect(await page.locator('[data-testid=correlate]').innerText()).toContain('KCL + DynamoDB lease table');
    await page.click('[data-testid=terms-kafka]');
    expect(errors).toEqual([]);
  });
});
