// The Overview, the console's default page — the seed's diagram, live: the producer, the `orders`
// stream's partitions, and each consumer group as a box with its instances, idle ones marked; its
// buttons add and kill instances, stop the group and replay it from the start.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, screenshot } from './helpers/browser.js';
import { APP, startWorld, type World } from './helpers/harness.js';

let world: World;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  world = await startWorld();
  await world.produce(30);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(world.url);
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const box = `[data-testid=overview-group][data-group="${APP}"]`;
const attr = (selector: string, name: string) => page.locator(selector).getAttribute(name);

describe('the Overview page', () => {
  it('is the default page and draws the stream with its 5 partitions', async () => {
    await page.waitForSelector('[data-testid=overview]');
    await expect.poll(() => page.locator('[data-testid=overview-partition]').count()).toBe(5);
    expect(await page.locator('[data-testid=producer]').innerText()).toContain('storefront');
  });

  it('adds instances from the group box until 2 of 7 sit idle, visibly', async () => {
    // The group appears once its first instance joins: start it from the Apps control API first.
    await fetch(`${world.url}/api/apps/${APP}/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await page.waitForSelector(box, { timeout: 60_000 });
    for (let i = 2; i <= 7; i++) await page.click(`${box} [data-testid=overview-add]`);
    await expect.poll(() => attr(box, 'data-members'), { timeout: 90_000, interval: 500 }).toBe('7');
    await expect.poll(() => attr(box, 'data-idle'), { timeout: 60_000, interval: 500 }).toBe('2');
    expect(await page.locator(`${box} [data-testid=overview-member][data-idle=true]`).count()).toBe(2);
    await expect
      .poll(() => page.locator(`${box} [data-testid=group-lag]`).innerText(), { timeout: 30_000 })
      .toBe('0');
    await screenshot(page, 'overview-idle');
  });

  it('kills one instance, then stops the group and replays it from the start', async () => {
    await page.click(`${box} [data-testid=overview-kill]`);
    await expect.poll(() => attr(box, 'data-members'), { timeout: 60_000, interval: 500 }).toBe('6');
    await page.click(`${box} [data-testid=overview-stop]`);
    await expect.poll(() => attr(box, 'data-members'), { timeout: 60_000, interval: 500 }).toBe('0');
    await page.click(`${box} [data-testid=overview-replay]`);
    await expect
      .poll(() => page.locator(`${box} [data-testid=group-lag]`).innerText(), { timeout: 15_000 })
      .toBe('30');
    expect(await page.locator('[data-testid=error]').count()).toBe(0);
    expect(errors).toEqual([]);
    await screenshot(page, 'overview-replayed');
  });
});
