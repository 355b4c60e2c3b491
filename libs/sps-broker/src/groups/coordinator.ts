/**
 * The group coordinator: owns every consumer group and their committed offsets, and implements
 * the rules Kafka's classic coordinator applies (see group.ts for the state machine). Handlers
 * for JoinGroup, SyncGroup, Heartbeat, … are thin and call into here.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode as E } from '@orders/kafka-protocol';
import type { Logger } from '../logger.js';
import type { GroupConfig } from './config.js';
import { Group, type GroupEvent, type JoinResult, type Member, type SyncResult } from './group.js';
import { OffsetStore, type CommittedOffset } from './offset-store.js';

export interface JoinRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  clientId: string;
  clientHost: string;
  /** JoinGroup v4+ clients understand MEMBER_ID_REQUIRED. */
  requireKnownMemberId: boolean;
}

export interface OffsetCommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  offsets: Array<{
    topic: string;
    partition: number;
    offset: number;
    leaderEpoch: number;
    metadata: string | null;
  }>;
}

const MAX_METADATA_BYTES = 4096;

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly listeners = new Set<(e: GroupEvent) => void>();

  private constructor(
    readonly offsets: OffsetStore,
    readonly config: GroupConfig,
    private readonly logger: Logger,
  ) {}

  static async open(dataDir: string, config: GroupConfig, logger: Logger): Promise<GroupCoordinator> {
    const c = new GroupCoordinator(await OffsetStore.open(dataDir), config, logger);
    // Groups that committed offsets exist (Empty) after a restart, as in Kafka.
    for (const id of c.offsets.groups()) {
      const g = c.getOrCreate(id);
      g.protocolType = null;
      g.emptySince = c.offsets.lastCommitTimestamp(id);
    }
    return c;
  }

  /** Rebalances, joins, leaves and expiries, for logs and the console. */
  onEvent(listener: (e: GroupEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit = (e: GroupEvent) => {
    if (e.type !== 'state')
      this.logger.info(`group ${e.groupId}: ${e.type}`, {
        generation: e.generationId,
        state: e.state,
        ...(e.memberId ? { member: e.memberId } : {}),
        ...(e.reason ? { reason: e.reason } : {}),
      });
    for (const l of this.listeners) l(e);
  };

  get(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }

  list(): Group[] {
    return [...this.groups.values()].sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  private getOrCreate(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (!g) this.groups.set(groupId, (g = new Group(groupId, this.config, this.emit)));
    return g;
  }

  join(req: JoinRequest): Promise<JoinResult> {
    const fail = (code: number, memberId = req.memberId): Promise<JoinResult> =>
      Promise.resolve({
        errorCode: code,
        generationId: -1,
        protocolName: '',
        leader: '',
        memberId,
        members: [],
      });
    if (!req.groupId) return fail(E.INVALID_GROUP_ID);
    if (
      req.sessionTimeoutMs < this.config.minSessionTimeoutMs ||
      req.sessionTimeoutMs > this.config.maxSessionTimeoutMs
    )
      return fail(E.INVALID_SESSION_TIMEOUT);
    const existing = this.groups.get(req.groupId);
    if (
      existing &&
      !existing.supportsProtocols(
        req.protocolType,
        req.protocols.map((p) => p.name),
      ) &&
      !(existing.members.size === 1 && existing.members.has(req.memberId))
    )
      return fail(E.INCONSISTENT_GROUP_PROTOCOL);
    if (req.protocols.length === 0) return fail(E.INCONSISTENT_GROUP_PROTOCOL);
    const group = this.getOrCreate(req.groupId);

    if (req.memberId === '') {
      const memberId = `${req.clientId || 'member'}-${randomUUID()}`;
      if (req.groupInstanceId) {
        // Static member (KIP-345): a restarted instance comes back under a new member id.
        const old = group.memberByInstanceId(req.groupInstanceId);
        if (old && group.state === 'Stable' && sameMetadata(old.protocols, req.protocols)) {
          // Same subscription while the group is stable: it takes over its old assignment, no rebalance.
          const member = group.replaceStaticMember(
            old,
            memberId,
            req.clientId,
            req.clientHost,
            req.sessionTimeoutMs,
            req.rebalanceTimeoutMs,
          );
          return Promise.resolve({
            errorCode: E.NONE,
            generationId: group.generationId,
            protocolName: group.protocolName ?? '',
            leader: group.leaderId ?? '',
            memberId: member.memberId,
            members: member.memberId === group.leaderId ? this.memberList(group) : [],
          });
        }
        if (old) group.removeMember(old.memberId, 'fenced');
      } else if (req.requireKnownMemberId) {
        group.addPending(memberId, req.sessionTimeoutMs);
        return fail(E.MEMBER_ID_REQUIRED, memberId);
      }
      return this.addAndWait(group, req, memberId);
    }

    const member = group.members.get(req.memberId);
    if (!member) {
      if (group.takePending(req.memberId)) return this.addAndWait(group, req, req.memberId);
      return fail(E.UNKNOWN_MEMBER_ID);
    }
    if (req.groupInstanceId && member.groupInstanceId !== req.groupInstanceId)
      return fail(E.FENCED_INSTANCE_ID);

    return new Promise<JoinResult>((resolve) => {
      member.clientId = req.clientId;
      member.clientHost = req.clientHost;
      const sameProtocols = sameMetadata(member.protocols, req.protocols);
      switch (group.state) {
        case 'PreparingRebalance':
          group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs);
          member.awaitingJoin?.({ ...group.joinError(E.REBALANCE_IN_PROGRESS), memberId: member.memberId });
          member.awaitingJoin = resolve;
          group.maybeCompleteJoin();
          return;
        case 'CompletingRebalance':
        case 'Stable':
          if (sameProtocols && !(group.state === 'Stable' && member.memberId === group.leaderId)) {
            // Nothing changed: answer with the current generation (a retried join).
            group.touch(member);
            resolve({
              errorCode: 0,
              generationId: group.generationId,
              protocolName: group.protocolName ?? '',
              leader: group.leaderId ?? '',
              memberId: member.memberId,
              members: member.memberId === group.leaderId ? this.memberList(group) : [],
            });
            return;
          }
          group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs);
          member.awaitingJoin = resolve;
          group.prepareRebalance(
            `member ${member.memberId} rejoined${sameProtocols ? '' : ' with a new subscription'}`,
          );
          return;
        default:
          resolve({ ...group.joinError(E.UNKNOWN_MEMBER_ID), memberId: req.memberId });
      }
    });
  }

  private memberList(group: Group) {
    return [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.protocols.find((p) => p.name === group.protocolName)?.metadata ?? Buffer.alloc(0),
    }));
  }

  private addAndWait(group: Group, req: JoinRequest, memberId: string): Promise<JoinResult> {
    return new Promise((resolve) => {
      const member: Member = {
        memberId,
        groupInstanceId: req.groupInstanceId,
        clientId: req.clientId,
        clientHost: req.clientHost,
        sessionTimeoutMs: req.sessionTimeoutMs,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs,
        protocolType: req.protocolType,
        protocols: req.protocols,
        assignment: Buffer.alloc(0),
        joinedAt: Date.now(),
        awaitingJoin: resolve,
        awaitingSync: null,
        sessionTimer: null,
        lastHeartbeat: Date.now(),
      };
      group.addMember(member, req.groupInstanceId ? `static instance ${req.groupInstanceId}` : 'new member');
    });
  }

  sync(
    groupId: string,
    generationId: number,
    memberId: string,
    assignments: Array<{ memberId: string; assignment: Buffer }>,
    groupInstanceId: string | null = null,
  ): Promise<SyncResult> {
    const fail = (errorCode: number) => Promise.resolve({ errorCode, assignment: Buffer.alloc(0) });
    const group = this.groups.get(groupId);
    if (group && isFenced(group, memberId, groupInstanceId)) return fail(E.FENCED_INSTANCE_ID);
    const member = group?.members.get(memberId);
    if (!group || !member) return fail(E.UNKNOWN_MEMBER_ID);
    if (generationId !== group.generationId) return fail(E.ILLEGAL_GENERATION);
    switch (group.state) {
      case 'PreparingRebalance':
        return fail(E.REBALANCE_IN_PROGRESS);
      case 'Stable':
        group.touch(member);
        return Promise.resolve({ errorCode: 0, assignment: member.assignment });
      case 'CompletingRebalance':
        return new Promise((resolve) => {
          member.awaitingSync?.({ errorCode: E.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
          member.awaitingSync = (r) => {
            group.touch(member);
            resolve(r);
          };
          if (memberId === group.leaderId) group.completeSync(assignments);
        });
      default:
        return fail(E.UNKNOWN_MEMBER_ID);
    }
  }

  heartbeat(
    groupId: string,
    generationId: number,
    memberId: string,
    groupInstanceId: string | null = null,
  ): number {
    const group = this.groups.get(groupId);
    if (group && isFenced(group, memberId, groupInstanceId)) return E.FENCED_INSTANCE_ID;
    const member = group?.members.get(memberId);
    if (!group || !member) return E.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return E.ILLEGAL_GENERATION;
    group.touch(member);
    switch (group.state) {
      case 'PreparingRebalance':
        return E.REBALANCE_IN_PROGRESS;
      case 'CompletingRebalance':
      case 'Stable':
        return E.NONE;
      default:
        return E.UNKNOWN_MEMBER_ID;
    }
  }

  leave(
    groupId: string,
    members: Array<{ memberId: string; groupInstanceId: string | null }>,
  ): {
    errorCode: number;
    members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
  } {
    const group = this.groups.get(groupId);
    if (!group)
      return {
        errorCode: E.UNKNOWN_MEMBER_ID,
        members: members.map((m) => ({ ...m, errorCode: E.UNKNOWN_MEMBER_ID })),
      };
    const results = members.map((m) => {
      const target = m.memberId
        ? group.members.get(m.memberId)
        : m.groupInstanceId
          ? group.memberByInstanceId(m.groupInstanceId)
          : undefined;
      if (!target) return { ...m, errorCode: E.UNKNOWN_MEMBER_ID };
      if (m.groupInstanceId && target.groupInstanceId !== m.groupInstanceId)
        return { ...m, errorCode: E.FENCED_INSTANCE_ID };
      group.removeMember(target.memberId, 'left');
      return { ...m, errorCode: E.NONE };
    });
    const errorCode = members.length === 1 ? results[0]!.errorCode : E.NONE;
    return { errorCode, members: results };
  }

  /** Validates a commit against the group's state (Kafka's rules) and stores it durably. */
  async commit(
    req: OffsetCommitRequest,
    partitionExists: (topic: string, partition: number) => boolean,
  ): Promise<Map<string, number>> {
    const errors = new Map<string, number>();
    const key = (t: string, p: number) => `${t}\u0000${p}`;
    const failAll = (code: number) => {
      for (const o of req.offsets) errors.set(key(o.topic, o.partition), code);
      return errors;
    };
    if (!req.groupId) return failAll(E.INVALID_GROUP_ID);
    let group = this.groups.get(req.groupId);
    if (req.generationId < 0) {
      // A "simple" commit (admin tools, assign()-based consumers): only when nobody is a member.
      if (group && group.members.size > 0) return failAll(E.UNKNOWN_MEMBER_ID);
      group ??= this.getOrCreate(req.groupId);
    } else {
      if (group && isFenced(group, req.memberId, req.groupInstanceId)) return failAll(E.FENCED_INSTANCE_ID);
      const member = group?.members.get(req.memberId);
      if (!group || !member) return failAll(E.UNKNOWN_MEMBER_ID);
      if (req.generationId !== group.generationId) return failAll(E.ILLEGAL_GENERATION);
      if (group.state === 'CompletingRebalance') return failAll(E.REBALANCE_IN_PROGRESS);
      // Stable, and PreparingRebalance too: kafkajs commits with the old generation before rejoining.
      group.touch(member);
    }
    const accepted = req.offsets.filter((o) => {
      if (!partitionExists(o.topic, o.partition))
        errors.set(key(o.topic, o.partition), E.UNKNOWN_TOPIC_OR_PARTITION);
      else if (o.metadata && Buffer.byteLength(o.metadata) > MAX_METADATA_BYTES)
        errors.set(key(o.topic, o.partition), E.OFFSET_METADATA_TOO_LARGE);
      else return true;
      return false;
    });
    try {
      await this.offsets.commit(req.groupId, accepted);
      for (const o of accepted) errors.set(key(o.topic, o.partition), E.NONE);
    } catch (err) {
      this.logger.error('offset commit could not be made durable', {
        group: req.groupId,
        error: String(err),
      });
      for (const o of accepted) errors.set(key(o.topic, o.partition), E.COORDINATOR_NOT_AVAILABLE);
    }
    return errors;
  }

  committed(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(groupId, topic, partition);
  }

  /** DeleteGroups: only groups without members (NON_EMPTY_GROUP otherwise). */
  async delete(groupId: string): Promise<number> {
    const group = this.groups.get(groupId);
    if (!group && !this.offsets.hasOffsets(groupId)) return E.GROUP_ID_NOT_FOUND;
    if (group && group.members.size > 0) return E.NON_EMPTY_GROUP;
    group?.dispose();
    this.groups.delete(groupId);
    await this.offsets.deleteGroup(groupId);
    this.logger.info(`group ${groupId}: deleted`);
    return E.NONE;
  }

  /** Topics the group's members subscribe to (consumer protocol), for OffsetDelete's check. */
  subscribedTopics(group: Group, decode: (metadata: Buffer) => string[] | null): Set<string> {
    const out = new Set<string>();
    if (
      group.state !== 'Stable' &&
      group.state !== 'CompletingRebalance' &&
      group.state !== 'PreparingRebalance'
    )
      return out;
    for (const m of group.members.values()) {
      const p = m.protocols.find((x) => x.name === group.protocolName) ?? m.protocols[0];
      for (const t of (p && decode(p.metadata)) ?? []) out.add(t);
    }
    return out;
  }

  /** Offsets of groups that have stayed empty longer than the retention expire, as in Kafka. */
  async expireOffsets(now = Date.now()): Promise<string[]> {
    const expired: string[] = [];
    for (const id of this.offsets.groups()) {
      const group = this.groups.get(id);
      if (group && group.members.size > 0) continue;
      const since = Math.max(group?.emptySince ?? 0, this.offsets.lastCommitTimestamp(id));
      if (now - since < this.config.offsetsRetentionMs) continue;
      await this.offsets.deleteGroup(id);
      if (group && group.state === 'Empty') {
        group.dispose();
        this.groups.delete(id);
      }
      expired.push(id);
      this.logger.info(
        `group ${id}: offsets expired after ${Math.round(this.config.offsetsRetentionMs / 60000)} min empty`,
      );
    }
    return expired;
  }

  async close(): Promise<void> {
    for (const g of this.groups.values()) g.dispose();
    await this.offsets.close();
  }
}

/** A static instance now registered under another member id: the caller is an old incarnation. */
function isFenced(group: Group, memberId: string, groupInstanceId: string | null): boolean {
  if (!groupInstanceId) return false;
  const current = group.memberByInstanceId(groupInstanceId);
  return current !== undefined && current.memberId !== memberId;
}

function sameMetadata(
  a: Array<{ name: string; metadata: Buffer }>,
  b: Array<{ name: string; metadata: Buffer }>,
): boolean {
  return (
    a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata))
  );
}
