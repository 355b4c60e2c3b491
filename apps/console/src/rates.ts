/**
 * Rates the Apps view shows per consumer group, smoothed so a trickle (0, 1, 0, 0, 1 records in
 * successive seconds) reads as the steady 0.4/s it is, and a spike's rise and drain read as curves.
 * Free of React so it can be unit-tested.
 */
import type { LagPoint, ThroughputPoint } from './types';

/** How far back a smoothed rate looks: an exponential moving average with this half-life. */
export const HALF_LIFE_S = 5;

/**
 * The exponentially weighted moving average of `pick(point)` over per-second samples (oldest first),
 * each sample weighted by how long after the previous one it came; null with no samples.
 */
export function smoothed<P extends { t: number }>(
  points: readonly P[],
  pick: (p: P) => number | null | undefined,
  halfLifeS = HALF_LIFE_S,
): number | null {
  let avg: number | null = null;
  let prevT: number | null = null;
  for (const p of points) {
    const v = pick(p);
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    if (avg === null || prevT === null) avg = v;
    else {
      const dt = Math.max(0, (p.t - prevT) / 1000);
      const keep = Math.pow(0.5, dt / halfLifeS);
      avg = avg * keep + v * (1 - keep);
    }
    prevT = p.t;
  }
  return avg;
}

export interface GroupRates {
  /** Records/s appended to the topic the group reads, smoothed. */
  in: number | null;
  /** Records/s the group committed, smoothed. */
  out: number | null;
  /** The group's lag now. */
  lag: number | null;
  /** Records/s by which the lag shrinks (negative: it grows), smoothed. */
  draining: number | null;
  /** At the smoothed drain rate, seconds until the lag is 0; null when it is not draining. */
  secondsToCatchUp: number | null;
}

/** A group's smoothed in/out rates on `topic` and its lag trend, from the console's live history. */
export function groupRates(
  group: string,
  throughput: readonly ThroughputPoint[],
  lag: readonly LagPoint[],
): GroupRates {
  const recent = throughput.slice(-120);
  const lags = lag.slice(-120);
  const drops = lags.slice(1).map((p, i) => {
    const prev = lags[i]!;
    const dt = (p.t - prev.t) / 1000;
    return { t: p.t, v: p.lag === null || prev.lag === null || dt <= 0 ? null : (prev.lag - p.lag) / dt };
  });
  const now = lags.at(-1)?.lag ?? null;
  const draining = smoothed(drops, (d) => d.v);
  return {
    in: smoothed(recent, (p) => p.in),
    out: smoothed(recent, (p) => p.byGroup?.[group] ?? 0),
    lag: now,
    draining,
    secondsToCatchUp: now !== null && now > 0 && draining !== null && draining > 0.5 ? now / draining : null,
  };
}

/** A rate for people: `0.4`, `12`, `1,234`. */
export function formatRate(rate: number | null): string {
  if (rate === null) return '–';
  if (rate < 10) return rate.toFixed(1);
  return Math.round(rate).toLocaleString('en');
}
