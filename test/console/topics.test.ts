// The console's topic writes in a real browser: create a topic from the Topics view, add partitions
// to it, change its TTL, see each take effect in the live view, and see the broker's refusal inline;
// a compacted topic is marked as such.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, screenshot } from './helpers/browser.js';
import { startWorld, type World } from './helpers/harness.js';

let world: World;
let browser: Browser;
let page: Page;
const errors: string[] = [];
const card = '[data-testid=topic][data-topic=workshop]';
const lanes = () => page.locator(`${card} [data-testid=lane]`).count();

beforeAll(async () => {
  world = await startWorld();
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${world.url}/topics`); // the Topics view (the Overview is the default page)
  await page.waitForSelector('[data-testid=topic][data-topic=orders]');
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

describe('topics from the console', () => {
  it('creates a topic with 3 partitions: its 3 lanes appear', async () => {
    await page.fill('[data-testid=new-topic-name]', 'workshop');
    await page.fill('[data-testid=new-topic-partitions]', '3');
    await page.fill('[data-testid=new-topic-ttl]', '1 d');
    expect(await page.locator('[data-testid=new-topic-ttl-readout]').innerText()).toBe('= 86,400,000 ms');
    await page.click('[data-testid=new-topic-create]');
    await expect.poll(lanes, { timeout: 5000 }).toBe(3);
    expect(await page.locator(`${card} [data-testid=partition-count]`).innerText()).toBe('3');
    expect(await page.locator(`${card} [data-testid=retention]`).innerText()).toBe('1 d');
    expect(world.broker.state.topics.get('workshop')!.overrides['retention.ms']).toBe('86400000');
    await screenshot(page, 'topics-1-created');

    // The broker's refusal shows inline, in its words.
    await page.fill('[data-testid=new-topic-name]', 'workshop');
    await page.click('[data-testid=new-topic-create]');
    await expect
      .poll(() => page.locator('[data-testid=new-topic] [data-testid=form-error]').innerText())
      .toBe("Topic 'workshop' already exists.");
  });

  it('adds partitions up to 5: 5 lanes', async () => {
    await page.click(`${card} [data-testid=add-partitions]`);
    await page.fill(`${card} [data-testid=partitions-total]`, '5');
    await page.click(`${card} [data-testid=partitions-apply]`);
    await expect.poll(lanes, { timeout: 5000 }).toBe(5);
    expect(await page.locator(`${card} [data-testid=partition-count]`).innerText()).toBe('5');

    // Fewer is refused, in Kafka's words, next to the form.
    await page.click(`${card} [data-testid=add-partitions]`);
    await page.fill(`${card} [data-testid=partitions-total]`, '2');
    await page.click(`${card} [data-testid=partitions-apply]`);
    await expect
      .poll(() => page.locator(`${card} [data-testid=form-error]`).innerText())
      .toBe('The topic workshop currently has 5 partition(s); 2 would not be an increase.');
    await screenshot(page, 'topics-2-partitions');
  });

  it('sets the TTL to 1 minute: the topic header shows it', async () => {
    await page.click(`${card} [data-testid=change-ttl]`);
    await page.fill(`${card} [data-testid=ttl]`, '1 min');
    expect(await page.locator(`${card} [data-testid=ttl-readout]`).innerText()).toBe('= 60,000 ms');
    await page.click(`${card} [data-testid=ttl-apply]`);
    await expect
      .poll(() => page.locator(`${card} [data-testid=retention]`).innerText(), { timeout: 5000 })
      .toBe('1 min');
    expect(world.broker.state.topics.get('workshop')!.overrides['retention.ms']).toBe('60000');
    await screenshot(page, 'topics-3-ttl');
  });

  it('marks a compacted topic (cleanup.policy=compact) as one that keeps the latest record per key', async () => {
    const res = await fetch(`${world.url}/api/topics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'customers', partitions: 1, configs: { 'cleanup.policy': 'compact' } }),
    });
    expect(res.status).toBe(201);
    const table = '[data-testid=topic][data-topic=customers]';
    await page.waitForSelector(`${table} [data-testid=compacted]`, { timeout: 5000 });
    expect(await page.locator(`${table} [data-testid=compacted]`).innerText()).toBe(
      'compacted: the latest per key',
    );
    expect(await page.locator(`${card} [data-testid=compacted]`).count()).toBe(0);
  });

  it('speaks Kinesis when switched', async () => {
    await page.click('[data-testid=terms-kinesis]');
    expect(await page.locator('[data-testid=new-topic] b').first().innerText()).toBe('New stream');
    expect(await page.locator(`${card} [data-testid=add-partitions]`).innerText()).toBe('Add shards');
    await screenshot(page, 'topics-4-kinesis');
    await page.click('[data-testid=terms-kafka]');
    expect(errors).toEqual([]);
  });
});
