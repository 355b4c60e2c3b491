/**
 * The live feed behind the teaching console (`GET /api/stream`, server-sent events).
 *
 * Once a second a sampler reads a few numbers the broker already keeps — each partition's high
 * watermark and each group's committed offsets — and keeps bounded histories: the lag of every
 * group (so the console's lag trend chart has a past when the page opens) and records in / out per
 * topic per second (the throughput chart; "out" is what consumer groups committed). That costs a
 * walk over topics and groups per second and nothing per record. The full snapshot (topics,
 * groups with members, assignments, committed offsets and lag) is built only while somebody is
 * connected, and group events (rebalances, joins, leaves, expiries) are pushed as they happen.
 */
import { decodeAssignment } from '@orders/kafka-protocol';
import type { Group, GroupEvent } from './groups/group.js';
import { groupDetail, type GroupDetailView } from './http-groups.js';
import type { BrokerState } from './state.js';
import type { Topic } from './topics.js';

export interface LiveOptions {
  /** Sampling and push interval (default 1000 ms). */
  intervalMs?: number;
  /** Samples kept per group and per topic (default 600: ten minutes at 1 s). */
  historySize?: number;
}

export interface LagPoint {
  /** Sample time (ms since the epoch). */
  t: number;
  /** The group's total lag; null while it has committed nothing. */
  lag: number | null;
  /** Lag per partition, keyed `topic:partition` (only partitions with a commit). */
  partitions: Record<string, number>;
  /** Members at that moment, and how many of them owned no partition (null while it rebalances). */
  members?: number;
  idle?: number | null;
}

export interface ThroughputPoint {
  t: number;
  /** Records appended per second. */
  in: number;
  /** Records consumed (committed by consumer groups) per second, all groups together. */
  out: number;
  /** The same per group. */
  byGroup: Record<string, number>;
}

export interface TopicLiveView {
  name: string;
  partitionCount: number;
  retentionMs: number | null;
  retentionBytes: number | null;
  /** cleanup.policy has `compact`: the cleaner keeps the latest record per key. */
  compacted: boolean;
  bytes: number;
  partitions: Array<{
    partition: number;
    logStartOffset: number;
    highWatermark: number;
    bytes: number;
    segments: number;
  }>;
}

export interface LiveSnapshot {
  at: number;
  topics: TopicLiveView[];
  groups: GroupDetailView[];
  /** The newest throughput sample per topic and lag sample per group. */
  throughput: Record<string, ThroughputPoint>;
  lag: Record<string, LagPoint>;
}

export interface LiveHistory {
  intervalMs: number;
  lag: Record<string, LagPoint[]>;
  throughput: Record<string, ThroughputPoint[]>;
}

export type LiveEventName = 'snapshot' | 'history' | 'group-event';
export type LiveSubscriber = (event: LiveEventName, data: unknown) => void;

/** A fixed-size buffer that drops the oldest item. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  get size(): number {
    return this.count;
  }

  last(): T | undefined {
    return this.count ? this.items[(this.next - 1 + this.capacity) % this.capacity] : undefined;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) out.push(this.items[(start + i) % this.capacity]!);
    return out;
  }
}

export class LiveFeed {
  readonly intervalMs: number;
  private readonly historySize: number;
  private readonly lagHistory = new Map<string, Ring<LagPoint>>();
  private readonly throughputHistory = new Map<string, Ring<ThroughputPoint>>();
  /** Previous sample: sum of high watermarks per topic (by topic id, so a re-created topic restarts). */
  private prevIn = new Map<string, { id: string; sum: number }>();
  /** Previous sample: committed offsets per group and `topic:partition`. */
  private prevCommitted = new Map<string, Map<string, number>>();
  private prevAt = 0;
  private readonly subscribers = new Set<LiveSubscriber>();
  private timer: NodeJS.Timeout | null = null;
  private offEvents: (() => void) | null = null;
  private pendingPush: NodeJS.Timeout | null = null;

  constructor(
    private readonly state: BrokerState,
    options: LiveOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.historySize = options.historySize ?? 600;
  }

  start(): void {
    if (this.timer) return;
    this.sample();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    this.offEvents = this.state.groups.onEvent((e) => this.onGroupEvent(e));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.offEvents?.();
    this.offEvents = null;
    if (this.pendingPush) clearTimeout(this.pendingPush);
    this.pendingPush = null;
    this.subscribers.clear();
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Sends the history and a snapshot at once, then every sample and every group event. */
  subscribe(subscriber: LiveSubscriber): () => void {
    this.subscribers.add(subscriber);
    subscriber('history', this.history());
    subscriber('snapshot', this.snapshot());
    return () => this.subscribers.delete(subscriber);
  }

  history(): LiveHistory {
    return {
      intervalMs: this.intervalMs,
      lag: Object.fromEntries([...this.lagHistory].map(([g, r]) => [g, r.toArray()])),
      throughput: Object.fromEntries([...this.throughputHistory].map(([t, r]) => [t, r.toArray()])),
    };
  }

  snapshot(): LiveSnapshot {
    const { state } = this;
    return {
      at: Date.now(),
      topics: state.topics.list().map(topicView),
      groups: state.groups.list().map((g) => groupDetail(state, g)),
      throughput: Object.fromEntries(
        [...this.throughputHistory].flatMap(([t, r]) => (r.last() ? [[t, r.last()!]] : [])),
      ),
      lag: Object.fromEntries([...this.lagHistory].flatMap(([g, r]) => (r.last() ? [[g, r.last()!]] : []))),
    };
  }

  private tick(): void {
    try {
      this.sample();
      if (this.subscribers.size) this.push('snapshot', this.snapshot());
    } catch (err) {
      this.state.logger.error('live feed sample failed', { error: String(err) });
    }
  }

  private onGroupEvent(e: GroupEvent): void {
    if (!this.subscribers.size || e.type === 'state') return;
    this.push('group-event', e);
    // Show the group's new state now rather than at the next tick (coalescing event bursts).
    this.pendingPush ??= setTimeout(() => {
      this.pendingPush = null;
      if (this.subscribers.size) this.push('snapshot', this.snapshot());
    }, 100);
  }

  private push(event: LiveEventName, data: unknown): void {
    for (const s of [...this.subscribers]) {
      try {
        s(event, data);
      } catch {
        this.subscribers.delete(s);
      }
    }
  }

  /** Takes one sample: lag per group, records in/out per topic since the previous sample. */
  sample(now = Date.now()): void {
    const { topics, groups } = this.state;
    const seconds = this.prevAt ? Math.max((now - this.prevAt) / 1000, 0.001) : 0;

    const inPerTopic = new Map<string, number>();
    const nextIn = new Map<string, { id: string; sum: number }>();
    for (const topic of topics.list()) {
      let sum = 0;
      for (const log of topic.partitions) sum += log.highWatermark;
      const prev = this.prevIn.get(topic.name);
      nextIn.set(topic.name, { id: topic.id, sum });
      inPerTopic.set(
        topic.name,
        prev && prev.id === topic.id && seconds ? Math.max(0, sum - prev.sum) / seconds : 0,
      );
    }
    this.prevIn = nextIn;

    const outPerTopic = new Map<string, Record<string, number>>();
    const nextCommitted = new Map<string, Map<string, number>>();
    const liveGroups = new Set<string>();
    for (const group of groups.list()) {
      const id = group.groupId;
      liveGroups.add(id);
      const prev = this.prevCommitted.get(id);
      const committed = new Map<string, number>();
      const partitions: Record<string, number> = {};
      let lag: number | null = null;
      for (const [topic, parts] of groups.offsets.byTopic(id)) {
        for (const [p, c] of parts) {
          const k = `${topic}:${p}`;
          committed.set(k, c.offset);
          const before = prev?.get(k);
          if (before !== undefined && c.offset > before && seconds) {
            let byGroup = outPerTopic.get(topic);
            if (!byGroup) outPerTopic.set(topic, (byGroup = {}));
            byGroup[id] = (byGroup[id] ?? 0) + (c.offset - before) / seconds;
          }
          const log = topics.partition(topic, p);
          if (log) {
            const l = Math.max(0, log.highWatermark - c.offset);
            partitions[k] = l;
            lag = (lag ?? 0) + l;
          }
        }
      }
      nextCommitted.set(id, committed);
      this.ring(this.lagHistory, id).push({
        t: now,
        lag,
        partitions,
        members: group.members.size,
        idle: idleMembers(group),
      });
    }
    this.prevCommitted = nextCommitted;
    for (const id of [...this.lagHistory.keys()]) if (!liveGroups.has(id)) this.lagHistory.delete(id);

    for (const [topic, rate] of inPerTopic) {
      const byGroup = outPerTopic.get(topic) ?? {};
      const out = Object.values(byGroup).reduce((a, b) => a + b, 0);
      this.ring(this.throughputHistory, topic).push({
        t: now,
        in: round(rate),
        out: round(out),
        byGroup: roundAll(byGroup),
      });
    }
    for (const name of [...this.throughputHistory.keys()])
      if (!inPerTopic.has(name)) this.throughputHistory.delete(name);
    this.prevAt = now;
  }

  private ring<T>(map: Map<string, Ring<T>>, key: string): Ring<T> {
    let r = map.get(key);
    if (!r) map.set(key, (r = new Ring<T>(this.historySize)));
    return r;
  }
}

/** Members of a stable group that own no partition (more consumers than partitions); null otherwise. */
function idleMembers(group: Group): number | null {
  if (group.state !== 'Stable' || group.protocolType !== 'consumer') return null;
  let idle = 0;
  for (const m of group.members.values()) {
    const a = decodeAssignment(m.assignment);
    if (!a) return null;
    if (a.partitions.every((t) => t.partitions.length === 0)) idle++;
  }
  return idle;
}

function topicView(topic: Topic): TopicLiveView {
  const c = topic.partitions[0]?.config;
  let bytes = 0;
  const partitions = topic.partitions.map((log, partition) => {
    bytes += log.sizeBytes;
    return {
      partition,
      logStartOffset: log.logStartOffset,
      highWatermark: log.highWatermark,
      bytes: log.sizeBytes,
      segments: log.segmentCount,
    };
  });
  return {
    name: topic.name,
    partitionCount: topic.partitions.length,
    retentionMs: c ? c.retentionMs : null,
    retentionBytes: c ? c.retentionBytes : null,
    compacted: c?.compaction !== undefined,
    bytes,
    partitions,
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function roundAll(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));
}
