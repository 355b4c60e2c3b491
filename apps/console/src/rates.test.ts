import { describe, expect, it } from 'vitest';
import { formatRate, groupRates, smoothed } from './rates';

const at = (s: number) => 1_700_000_000_000 + s * 1000;

describe('smoothed rates', () => {
  it('reads a trickle of 0s and 1s as its steady rate instead of a zig-zag', () => {
    const trickle = Array.from({ length: 120 }, (_, s) => ({
      t: at(s),
      v: s % 5 === 0 || s % 5 === 2 ? 1 : 0,
    }));
    const rate = smoothed(trickle, (p) => p.v)!;
    expect(rate).toBeGreaterThan(0.25);
    expect(rate).toBeLessThan(0.6);
  });

  it('follows a step within a few half-lives', () => {
    const step = Array.from({ length: 30 }, (_, s) => ({ t: at(s), v: s < 10 ? 0 : 1000 }));
    expect(smoothed(step, (p) => p.v)!).toBeGreaterThan(900);
    expect(smoothed([], () => 1)).toBeNull();
  });

  it('says a group drains its lag, how fast, and when it will have caught up', () => {
    const lag = Array.from({ length: 20 }, (_, s) => ({ t: at(s), lag: 10_000 - s * 500, partitions: {} }));
    const throughput = lag.map((p) => ({ t: p.t, in: 0, out: 500, byGroup: { 'order-db': 500 } }));
    const r = groupRates('order-db', throughput, lag);
    expect(r.out).toBeCloseTo(500);
    expect(r.lag).toBe(500);
    expect(r.draining).toBeCloseTo(500);
    expect(r.secondsToCatchUp).toBeCloseTo(1);
    expect(groupRates('crm', throughput, []).out).toBe(0);
  });

  it('formats rates for people', () => {
    expect(formatRate(null)).toBe('–');
    expect(formatRate(0.42)).toBe('0.4');
    expect(formatRate(1234.4)).toBe('1,234');
  });
});
