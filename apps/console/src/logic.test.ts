import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  parseDuration,
  expectedIdle,
  idleMembers,
  isIdle,
  laneDomain,
  laneX,
  markersOn,
  movedPartitions,
  partitionLag,
  reduceLive,
  shortMember,
  shortenMemberIds,
  totalLag,
  type LiveData,
} from './logic';
import type { GroupView, MemberView, TopicView } from './types';

const member = (id: string, partitions: number[] | null, idle: boolean | null = null): MemberView => ({
  memberId: id,
  groupInstanceId: null,
  clientId: 'order-db',
  host: '/127.0.0.1',
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 30_000,
  assignment: partitions === null ? null : [{ topic: 'orders', partitions }],
  idle,
});

const group = (members: MemberView[], state: GroupView['state'] = 'Stable', generation = 1): GroupView => ({
  id: 'order-db',
  state,
  protocolType: 'consumer',
  protocol: 'RoundRobinAssigner',
  generation,
  leader: members[0]?.memberId ?? null,
  lag: 0,
  members,
  partitions: [],
  lastRebalance: null,
});

describe('lag', () => {
  it('is high watermark minus committed offset, and unknown without a commit', () => {
    expect(partitionLag(120, 100)).toBe(20);
    expect(partitionLag(120, 120)).toBe(0);
    expect(partitionLag(120, null)).toBeNull();
    expect(partitionLag(5, 9)).toBe(0); // a commit ahead of a truncated log is not negative lag
  });

  it('adds up the partitions that have a commit', () => {
    expect(totalLag([3, null, 4])).toBe(7);
    expect(totalLag([null, null])).toBeNull();
  });
});

describe('idle detection', () => {
  it('marks the members beyond the partition count idle: 5 partitions × 7 instances ⇒ 2 idle', () => {
    const g = group([
      member('a', [0]),
      member('b', [1]),
      member('c', [2]),
      member('d', [3]),
      member('e', [4]),
      member('f', []),
      member('g', []),
    ]);
    expect(idleMembers(g).map((m) => m.memberId)).toEqual(['f', 'g']);
    expect(expectedIdle(7, 5)).toBe(2);
    expect(expectedIdle(3, 5)).toBe(0);
  });

  it('calls nobody idle or busy while the group rebalances', () => {
    const g = group([member('a', []), member('b', [0, 1])], 'PreparingRebalance');
    expect(isIdle(g, g.members[0]!)).toBeNull();
    expect(idleMembers(g)).toEqual([]);
  });

  it("trusts the broker's idle flag when it sends one", () => {
    const g = group([member('a', [0], true)]);
    expect(isIdle(g, g.members[0]!)).toBe(true);
  });
});

describe('partitions moving in a rebalance', () => {
  it('lists the partitions whose owner changed', () => {
    const before = group([member('a', [0, 1]), member('b', [2, 3]), member('c', [4])], 'Stable', 1);
    const after = group([member('a', [0, 1, 4]), member('b', [2, 3])], 'Stable', 2);
    expect(movedPartitions(before, after, 'orders')).toEqual([4]);
  });
});

describe('lanes', () => {
  const topic = (parts: Array<[number, number]>): TopicView => ({
    name: 'orders',
    partitionCount: parts.length,
    retentionMs: 1000,
    retentionBytes: -1,
    compacted: false,
    bytes: 0,
    partitions: parts.map(([s, e], partition) => ({
      partition,
      logStartOffset: s,
      highWatermark: e,
      bytes: 0,
      segments: 1,
    })),
  });

  it('start at offset 0 so retention shows as an empty stretch, and zoom in when little is left', () => {
    expect(
      laneDomain(
        topic([
          [0, 40],
          [20, 80],
        ]),
      ),
    ).toEqual({ from: 0, to: 80 });
    const zoomed = laneDomain(
      topic([
        [900, 1000],
        [950, 990],
      ]),
    );
    expect(zoomed.to).toBe(1000);
    expect(zoomed.from).toBeGreaterThan(0);
    expect(zoomed.from).toBeLessThan(900);
    expect(laneX(40, { from: 0, to: 80 })).toBe(0.5);
    expect(laneX(-5, { from: 0, to: 80 })).toBe(0);
  });

  it("places each group's committed offset on the partition's lane", () => {
    const g = (id: string, offset: number | null): GroupView => ({
      ...group([]),
      id,
      partitions: [
        {
          topic: 'orders',
          partition: 1,
          memberId: null,
          clientId: null,
          host: null,
          committedOffset: offset,
          committedAt: null,
          logStartOffset: 0,
          highWatermark: 50,
          lag: offset === null ? null : 50 - offset,
        },
      ],
    });
    expect(markersOn([g('email', 40), g('crm', 10), g('erp', null)], 'orders', 1)).toEqual([
      { group: 'crm', offset: 10, lag: 40 },
      { group: 'email', offset: 40, lag: 10 },
    ]);
    expect(markersOn([g('email', 40)], 'orders', 0)).toEqual([]);
  });
});

describe('the live feed', () => {
  it('starts from the history and appends each snapshot, once per sample time', () => {
    let d: LiveData = { snapshot: null, lag: {}, throughput: {}, events: [] };
    d = reduceLive(d, 'history', { lag: { g: [{ t: 1, lag: 5, partitions: {} }] }, throughput: {} });
    const g: GroupView = {
      ...group([]),
      id: 'g',
      lag: 3,
      partitions: [
        {
          topic: 'orders',
          partition: 0,
          memberId: null,
          clientId: null,
          host: null,
          committedOffset: 7,
          committedAt: null,
          logStartOffset: 0,
          highWatermark: 10,
          lag: 3,
        },
      ],
    };
    const snap = {
      at: 2,
      topics: [],
      groups: [g],
      throughput: { orders: { t: 2, in: 1, out: 1, byGroup: {} } },
      lag: {},
    };
    d = reduceLive(d, 'snapshot', snap);
    d = reduceLive(d, 'snapshot', snap);
    expect(d.lag.g!.map((p) => p.lag)).toEqual([5, 3]);
    expect(d.lag.g![1]!.partitions).toEqual({ 'orders:0': 3 });
    expect(d.throughput.orders).toHaveLength(1);
    d = reduceLive(d, 'group-event', {
      type: 'member-joined',
      groupId: 'g',
      generationId: 1,
      state: 'PreparingRebalance',
      at: 3,
    });
    expect(d.events).toHaveLength(1);
  });
});

it('shortens kafkajs member ids for display', () => {
  expect(shortMember('order-db-3f2a9c1e-1234-4abc-8def-0123456789ab')).toBe('order-db-3f2a');
  expect(shortMember('m1')).toBe('m1');
  expect(shortenMemberIds('member order-db-3f2a9c1e-1234-4abc-8def-0123456789ab joined (new member)')).toBe(
    'member order-db-3f2a joined (new member)',
  );
});

describe('durations as typed (TTL)', () => {
  it('reads units, bare milliseconds and unlimited, and round-trips through formatDuration', () => {
    expect(parseDuration('1 min')).toBe(60_000);
    expect(parseDuration('1min')).toBe(60_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('500 ms')).toBe(500);
    expect(parseDuration('60000')).toBe(60_000);
    expect(parseDuration('1.5 h')).toBe(5_400_000);
    expect(parseDuration('7 d')).toBe(604_800_000);
    expect(parseDuration('7 Days')).toBe(604_800_000);
    expect(parseDuration('2 weeks')).toBe(1_209_600_000);
    expect(parseDuration('unlimited')).toBe(-1);
    expect(parseDuration('-1')).toBe(-1);
    expect(parseDuration('soon')).toBeNull();
    expect(parseDuration('5 parsecs')).toBeNull();
    expect(parseDuration('')).toBeNull();
    for (const text of ['1 min', '1 h', '7 d', '30 s', 'unlimited'])
      expect(formatDuration(parseDuration(text))).toBe(text);
  });
});
