import { describe, expect, it } from 'vitest';
import { RateLimitedLog, RequestMemory, connectionsWithinFdLimit } from './limits.js';

describe('RateLimitedLog', () => {
  it('prints one line per kind per interval, then says how many it dropped', () => {
    let now = 0;
    const lines: Array<[string, unknown]> = [];
    const none = () => undefined;
    const log = new RateLimitedLog(
      { debug: none, info: none, error: none, warn: (m, f) => void lines.push([m, f]) },
      10_000,
      () => now,
    );
    for (let i = 0; i < 5; i++) log.warn('bad-frame', `bad frame ${i}`);
    log.warn('other', 'another kind');
    now = 10_000;
    log.warn('bad-frame', 'bad frame 5');
    expect(lines).toEqual([
      ['bad frame 0', undefined],
      ['another kind', undefined],
      ['bad frame 5 (and 4 more like it in the last 10 s)', { suppressed: 4 }],
    ]);
  });
});

describe('RequestMemory', () => {
  it('reserves within the budget, lets one oversize request through alone, and wakes waiters on release', () => {
    const m = new RequestMemory(100);
    expect(m.tryReserve(60)).toBe(true);
    expect(m.tryReserve(50)).toBe(false);
    let woken = 0;
    m.waitForRelease(() => woken++);
    m.release(60);
    expect(woken).toBe(1);
    expect(m.tryReserve(500)).toBe(true); // alone: never stuck forever
    expect(m.tryReserve(1)).toBe(false);
    expect(m.peak).toBe(500);
  });
});

it('leaves file descriptors for segments: 1024 → 896 connections', () => {
  expect(connectionsWithinFdLimit(1024)).toBe(896);
  expect(connectionsWithinFdLimit(256)).toBe(192);
});
