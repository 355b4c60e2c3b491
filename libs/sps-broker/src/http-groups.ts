/**
 * The consumer-group part of the HTTP admin API: `GET /api/groups` and `GET /api/groups/:id`.
 * The same facts as `kafka-consumer-groups --describe` (and `sps groups describe`): members with
 * their client ids, hosts and assigned partitions, and per partition the committed offset, the
 * high watermark and the lag. As in Kafka's tool, a partition without a committed offset has no lag
 * (null here, '-' there), and lag is high watermark − committed offset.
 */
import { decodeAssignment } from '@orders/kafka-protocol';
import type { Group } from './groups/group.js';
import type { GroupState } from './groups/group.js';
import type { BrokerState } from './state.js';

export interface GroupMemberView {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  host: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** Decoded consumer-protocol assignment; null when the bytes are not a consumer assignment. */
  assignment: Array<{ topic: string; partitions: number[] }> | null;
  /** No partitions assigned (e.g. more consumers than partitions); null while the group rebalances. */
  idle: boolean | null;
}

export interface GroupPartitionView {
  topic: string;
  partition: number;
  /** The member that owns the partition now, if any. */
  memberId: string | null;
  clientId: string | null;
  host: string | null;
  /** null: the group has committed nothing for this partition (Kafka's tool shows '-'). */
  committedOffset: number | null;
  committedAt: string | null;
  logStartOffset: number | null;
  highWatermark: number | null;
  /** highWatermark − committedOffset; null without a commit (or for a partition that is gone). */
  lag: number | null;
}

export interface GroupSummaryView {
  id: string;
  state: GroupState;
  protocolType: string | null;
  protocol: string | null;
  generation: number;
  members: number;
  /** Sum of the lag of every partition the group has committed to; null if it has committed nothing. */
  lag: number | null;
}

export interface GroupDetailView extends Omit<GroupSummaryView, 'members'> {
  leader: string | null;
  members: GroupMemberView[];
  partitions: GroupPartitionView[];
  lastRebalance: {
    reason: string;
    startedAt: string;
    completedAt: string | null;
    durationMs: number | null;
  } | null;
}

export function groupSummary(state: BrokerState, group: Group): GroupSummaryView {
  const { lag } = partitionsOf(state, group);
  return {
    id: group.groupId,
    state: group.state,
    protocolType: protocolType(state, group),
    protocol: group.protocolName,
    generation: group.generationId,
    members: group.members.size,
    lag,
  };
}

export function groupDetail(state: BrokerState, group: Group): GroupDetailView {
  const { partitions, lag, members } = partitionsOf(state, group);
  const r = group.lastRebalance;
  return {
    id: group.groupId,
    state: group.state,
    protocolType: protocolType(state, group),
    protocol: group.protocolName,
    generation: group.generationId,
    leader: group.leaderId,
    lag,
    members,
    partitions,
    lastRebalance: r && {
      reason: r.reason,
      startedAt: new Date(r.startedAt).toISOString(),
      completedAt: r.completedAt === null ? null : new Date(r.completedAt).toISOString(),
      durationMs: r.completedAt === null ? null : r.completedAt - r.startedAt,
    },
  };
}

function protocolType(state: BrokerState, group: Group): string | null {
  // A group that only has offsets (after a restart, or from simple commits) is a consumer group.
  return group.protocolType ?? (state.groups.offsets.hasOffsets(group.groupId) ? 'consumer' : null);
}

/** Members with decoded assignments, and every partition the group is assigned or committed to. */
function partitionsOf(state: BrokerState, group: Group) {
  const stable = group.state === 'Stable';
  const owners = new Map<string, { memberId: string; clientId: string; host: string }>();
  const members: GroupMemberView[] = [...group.members.values()].map((m) => {
    // Assignments are only meaningful once the leader's SyncGroup has handed them out.
    const decoded = stable ? decodeAssignment(m.assignment) : { version: 0, partitions: [] };
    const assignment =
      decoded?.partitions
        .map((a) => ({ topic: a.topic, partitions: [...a.partitions].sort((x, y) => x - y) }))
        .sort((a, b) => a.topic.localeCompare(b.topic)) ?? null;
    for (const a of assignment ?? [])
      for (const p of a.partitions)
        owners.set(key(a.topic, p), { memberId: m.memberId, clientId: m.clientId, host: m.clientHost });
    return {
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      host: m.clientHost,
      sessionTimeoutMs: m.sessionTimeoutMs,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      assignment,
      idle: stable && assignment ? assignment.every((a) => a.partitions.length === 0) : null,
    };
  });
  members.sort((a, b) => a.clientId.localeCompare(b.clientId) || a.memberId.localeCompare(b.memberId));

  const committed = state.groups.offsets.byTopic(group.groupId);
  const wanted = new Set<string>(owners.keys());
  for (const [topic, parts] of committed) for (const p of parts.keys()) wanted.add(key(topic, p));

  let lag: number | null = null;
  const partitions: GroupPartitionView[] = [...wanted]
    .map((k) => {
      const [topic, p] = k.split('\u0000') as [string, string];
      const partition = Number(p);
      const log = state.topics.partition(topic, partition);
      const c = committed.get(topic)?.get(partition);
      const owner = owners.get(k);
      const partLag = c && log ? log.highWatermark - c.offset : null;
      if (partLag !== null) lag = (lag ?? 0) + partLag;
      return {
        topic,
        partition,
        memberId: owner?.memberId ?? null,
        clientId: owner?.clientId ?? null,
        host: owner?.host ?? null,
        committedOffset: c?.offset ?? null,
        committedAt: c ? new Date(c.commitTimestamp).toISOString() : null,
        logStartOffset: log?.logStartOffset ?? null,
        highWatermark: log?.highWatermark ?? null,
        lag: partLag,
      };
    })
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  return { members, partitions, lag: lag as number | null };
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
