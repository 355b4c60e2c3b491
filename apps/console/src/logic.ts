/** The views' logic, kept free of React so it can be unit-tested: lag, ownership, idleness, lanes. */
import type {
  GroupEvent,
  GroupView,
  LagPoint,
  MemberView,
  Snapshot,
  ThroughputPoint,
  TopicView,
} from './types';

/** Lag of one partition for a group: high watermark − committed offset; null without a commit. */
export function partitionLag(highWatermark: number, committed: number | null | undefined): number | null {
  if (committed === null || committed === undefined) return null;
  return Math.max(0, highWatermark - committed);
}

/** Sum of the partitions' lag; null if the group has committed nothing. */
export function totalLag(lags: Array<number | null>): number | null {
  let sum: number | null = null;
  for (const l of lags) if (l !== null) sum = (sum ?? 0) + l;
  return sum;
}

export function isRebalancing(group: Pick<GroupView, 'state'>): boolean {
  return group.state === 'PreparingRebalance' || group.state === 'CompletingRebalance';
}

/** Partitions of `topic` a member owns (sorted); empty when it owns none. */
export function ownedPartitions(member: MemberView, topic?: string): number[] {
  const out: number[] = [];
  for (const a of member.assignment ?? []) if (!topic || a.topic === topic) out.push(...a.partitions);
  return out.sort((a, b) => a - b);
}

/**
 * Whether a member sits idle: the group is stable and the member owns no partition (more members
 * than partitions). While the group rebalances nobody is idle or busy yet: null.
 */
export function isIdle(group: Pick<GroupView, 'state'>, member: MemberView): boolean | null {
  if (group.state !== 'Stable') return null;
  if (member.idle !== null) return member.idle;
  return ownedPartitions(member).length === 0;
}

export function idleMembers(group: GroupView): MemberView[] {
  return group.members.filter((m) => isIdle(group, m) === true);
}

/** How many members must sit idle when `members` consumers share `partitions` partitions. */
export function expectedIdle(members: number, partitions: number): number {
  return Math.max(0, members - partitions);
}

/** The member that owns each partition of `topic`: partition → memberId. */
export function owners(group: GroupView, topic: string): Map<number, string> {
  const out = new Map<number, string>();
  if (group.state !== 'Stable') return out;
  for (const m of group.members) for (const p of ownedPartitions(m, topic)) out.set(p, m.memberId);
  return out;
}

/** Partitions whose owner changed between two snapshots of a group (what moved in a rebalance). */
export function movedPartitions(before: GroupView, after: GroupView, topic: string): number[] {
  const a = owners(before, topic);
  const b = owners(after, topic);
  const moved: number[] = [];
  for (const [p, owner] of b) if (a.has(p) && a.get(p) !== owner) moved.push(p);
  return moved.sort((x, y) => x - y);
}

/** The committed positions of every group on one partition, for the lane markers. */
export function markersOn(
  groups: GroupView[],
  topic: string,
  partition: number,
): Array<{ group: string; offset: number; lag: number | null }> {
  const out: Array<{ group: string; offset: number; lag: number | null }> = [];
  for (const g of groups) {
    const p = g.partitions.find((x) => x.topic === topic && x.partition === partition);
    if (p && p.committedOffset !== null) out.push({ group: g.id, offset: p.committedOffset, lag: p.lag });
  }
  return out.sort((a, b) => a.offset - b.offset || a.group.localeCompare(b.group));
}

/**
 * The offset range drawn for a topic's lanes: from 0 (so records deleted by retention show as a
 * growing empty stretch) to the highest high watermark; at least 10 offsets wide.
 */
export function laneDomain(topic: TopicView): { from: number; to: number } {
  const to = Math.max(10, ...topic.partitions.map((p) => p.highWatermark));
  const minStart = Math.min(...topic.partitions.map((p) => p.logStartOffset));
  // When retention has removed most of the log, zoom in on what is left (keeping a visible gap).
  const from = minStart > to * 0.75 ? Math.floor(minStart - (to - minStart) * 0.25) : 0;
  return { from: Math.max(0, from), to };
}

/** Position (0 … 1) of an offset within a domain. */
export function laneX(offset: number, domain: { from: number; to: number }): number {
  const span = Math.max(1, domain.to - domain.from);
  return Math.min(1, Math.max(0, (offset - domain.from) / span));
}

/** Appends a point to a bounded series unless it is already there (same time). */
export function appendPoint<T extends { t: number }>(series: T[] | undefined, point: T, max: number): T[] {
  const s = series ?? [];
  if (s.length && s[s.length - 1]!.t >= point.t) return s;
  const next = s.concat(point);
  return next.length > max ? next.slice(next.length - max) : next;
}

export interface LiveData {
  snapshot: Snapshot | null;
  lag: Record<string, LagPoint[]>;
  throughput: Record<string, ThroughputPoint[]>;
  events: GroupEvent[];
}

export const MAX_POINTS = 600;
export const MAX_EVENTS = 200;

/** Folds one server-sent event into the console's data. */
export function reduceLive(data: LiveData, event: string, payload: unknown): LiveData {
  switch (event) {
    case 'history': {
      const h = payload as { lag: Record<string, LagPoint[]>; throughput: Record<string, ThroughputPoint[]> };
      return { ...data, lag: h.lag, throughput: h.throughput };
    }
    case 'snapshot': {
      const s = payload as Snapshot;
      // Lag points from the snapshot's own groups, so the chart always agrees with the tables.
      const lag = { ...data.lag };
      for (const g of s.groups) lag[g.id] = appendPoint(lag[g.id], lagPointOf(g, s.at), MAX_POINTS);
      const throughput = { ...data.throughput };
      for (const [t, p] of Object.entries(s.throughput))
        throughput[t] = appendPoint(throughput[t], p, MAX_POINTS);
      return { ...data, snapshot: s, lag, throughput };
    }
    case 'group-event': {
      const e = payload as GroupEvent;
      const events = [e, ...data.events];
      return { ...data, events: events.length > MAX_EVENTS ? events.slice(0, MAX_EVENTS) : events };
    }
    default:
      return data;
  }
}

/** A group's lag now, as a chart point. */
export function lagPointOf(group: GroupView, at: number): LagPoint {
  const partitions: Record<string, number> = {};
  for (const p of group.partitions) if (p.lag !== null) partitions[`${p.topic}:${p.partition}`] = p.lag;
  return { t: at, lag: group.lag, partitions };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null || ms < 0) return 'unlimited';
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  for (const [size, unit] of units) if (ms >= size) return `${(ms / size).toFixed(1)} ${unit}`;
  return `${ms} ms`;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
};

/**
 * A duration as a learner types it, in ms: "1 min", "90s", "1.5 h", "7 d", "2 weeks", "60000 ms",
 * a bare number (ms, as retention.ms), or "unlimited" / "-1" (never deleted: -1). null when unreadable.
 */
export function parseDuration(text: string): number | null {
  const s = text.trim().toLowerCase();
  if (s === 'unlimited' || s === 'forever' || s === 'infinite' || s === '-1') return -1;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(s);
  if (!m) return null;
  const unit = m[2] || 'ms';
  const size = DURATION_UNITS[unit] ?? DURATION_UNITS[unit.replace(/s$/, '')]; // "ms" before "min(s)"
  if (size === undefined) return null;
  const ms = Math.round(Number(m[1]) * size);
  return Number.isSafeInteger(ms) ? ms : null;
}

/** "12 s ago" */
export function ago(at: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

/** A short, readable member name: `order-db-3f2a…` from `order-db-3f2a9c1e-…`. */
export function shortMember(memberId: string): string {
  const m = /^(.*?)-?([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(memberId);
  if (!m) return memberId.length > 24 ? `${memberId.slice(0, 22)}…` : memberId;
  return `${m[1] ? `${m[1]}-` : ''}${m[2]!.slice(0, 4)}`;
}

/** Shortens every member id in a sentence (rebalance reasons name members). */
export function shortenMemberIds(text: string): string {
  return text.replace(/[\w.@-]*?-?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) =>
    shortMember(id),
  );
}

const PALETTE = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04', '#dc2626'];

/** A colour per group: by its place among `all` (sorted) when given, else by a hash of its name. */
export function groupColour(name: string, all?: string[]): string {
  if (all) {
    const i = [...all].sort().indexOf(name);
    if (i >= 0) return PALETTE[i % PALETTE.length]!;
  }
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}
