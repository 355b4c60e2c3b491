import { describe, expect, it } from 'vitest';
import { abView, variantOf, windowStart } from './windows.js';

describe('tumbling one-minute windows by event time', () => {
  it('puts a time in the minute that holds it: [start, start + 1 min)', () => {
    expect(windowStart('2025-05-01T10:00:00.000Z').toISOString()).toBe('2025-05-01T10:00:00.000Z');
    expect(windowStart('2025-05-01T10:00:59.999Z').toISOString()).toBe('2025-05-01T10:00:00.000Z');
    expect(windowStart('2025-05-01T10:01:00.000Z').toISOString()).toBe('2025-05-01T10:01:00.000Z');
    expect(windowStart('2025-05-01T12:00:30+02:00').toISOString()).toBe('2025-05-01T10:00:00.000Z');
    expect(() => windowStart('yesterday')).toThrow('not a time');
  });
});

describe('A/B variants of a promotion', () => {
  it('reads NAME-X as variant X of NAME, and any other code as a promotion without variants', () => {
    expect(variantOf('SPRING10-A')).toEqual({ promotion: 'SPRING10', variant: 'A' });
    expect(variantOf('SPRING10-B')).toEqual({ promotion: 'SPRING10', variant: 'B' });
    expect(variantOf('FREESHIP')).toEqual({ promotion: 'FREESHIP', variant: '' });
    expect(variantOf('BLACK-FRIDAY')).toEqual({ promotion: 'BLACK-FRIDAY', variant: '' });
  });
  it('ranks variants by revenue, with the average order value', () => {
    expect(
      abView([
        { variant: 'A', orders: 3, revenueCents: 3000 },
        { variant: 'B', orders: 2, revenueCents: 5000 },
      ]),
    ).toEqual([
      { variant: 'B', orders: 2, revenueCents: 5000, averageCents: 2500 },
      { variant: 'A', orders: 3, revenueCents: 3000, averageCents: 1000 },
    ]);
  });
});
