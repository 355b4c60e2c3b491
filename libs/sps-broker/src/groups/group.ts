/**
 * One consumer group under the classic protocol, as Kafka's coordinator runs it:
 *
 *   Empty ──join──▶ PreparingRebalance ──all joined / timeout──▶ CompletingRebalance
 *     ▲                  ▲      │                                      │ leader's SyncGroup
 *     │                  │      └────────────── no members ◀───────────┤
 *     └── last member leaves / expires ◀── Stable ◀────────────────────┘
 *
 * PreparingRebalance waits until every known member has sent JoinGroup, or the largest member
 * rebalance timeout passes (members that did not rejoin are dropped). A group that was Empty waits
 * an initial delay first, extended by each new member up to the rebalance timeout, so a fleet
 * starting together rebalances once. A member whose heartbeats stop for its session timeout is
 * removed and the group rebalances.
 */
import type { GroupConfig } from './config.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

export interface SyncResult {
  errorCode: number;
  assignment: Buffer;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  assignment: Buffer;
  joinedAt: number;
  /** Set while the member's JoinGroup waits for the rebalance to complete. */
  awaitingJoin: ((r: JoinResult) => void) | null;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  awaitingSync: ((r: SyncResult) => void) | null;
  sessionTimer: NodeJS.Timeout | null;
  lastHeartbeat: number;
}

export interface GroupEvent {
  type:
    | 'rebalance-started'
    | 'rebalance-completed'
    | 'member-joined'
    | 'member-left'
    | 'member-expired'
    | 'state';
  groupId: string;
  reason?: string;
  memberId?: string;
  generationId: number;
  state: GroupState;
  at: number;
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, valid until their session timeout. */
  readonly pendingMembers = new Map<string, NodeJS.Timeout>();
  emptySince = Date.now();
  private rebalanceTimer: NodeJS.Timeout | null = null;
  private initialDelayUntil = 0;
  private rebalanceDeadline = 0;
  lastRebalance: { startedAt: number; completedAt: number | null; reason: string } | null = null;

  constructor(
    readonly groupId: string,
    private readonly config: GroupConfig,
    private readonly emit: (e: GroupEvent) => void,
  ) {}

  private event(type: GroupEvent['type'], extra: Partial<GroupEvent> = {}): void {
    this.emit({
      type,
      groupId: this.groupId,
      generationId: this.generationId,
      state: this.state,
      at: Date.now(),
      ...extra,
    });
  }

  private setState(state: GroupState): void {
    if (this.state === state) return;
    this.state = state;
    if (state === 'Empty') this.emptySince = Date.now();
    this.event('state');
  }

  /** Protocols every member (and a candidate) supports, in the candidate's order of preference. */
  supportsProtocols(protocolType: string, names: string[]): boolean {
    if (this.members.size === 0) return names.length > 0;
    if (this.protocolType !== protocolType) return false;
    return names.some((n) => [...this.members.values()].every((m) => m.protocols.some((p) => p.name === n)));
  }

  addMember(member: Member, reason: string): void {
    this.members.set(member.memberId, member);
    if (this.members.size === 1) this.protocolType = member.protocolType;
    this.event('member-joined', { memberId: member.memberId, reason });
    this.prepareRebalance(`member ${member.memberId} joined (${reason})`);
  }

  updateMember(
    member: Member,
    protocols: Member['protocols'],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
  ): void {
    member.protocols = protocols;
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
  }

  /**
   * A static member restarted: its new incarnation takes the old one's place and assignment
   * without a rebalance; requests still pending from the old incarnation are fenced.
   */
  replaceStaticMember(
    old: Member,
    newMemberId: string,
    clientId: string,
    clientHost: string,
    sessionTimeoutMs: number,
    rebalanceTimeoutMs: number,
  ): Member {
    if (old.sessionTimer) clearTimeout(old.sessionTimer);
    old.awaitingJoin?.({ ...this.joinError(82), memberId: old.memberId });
    old.awaitingSync?.({ errorCode: 82, assignment: Buffer.alloc(0) });
    this.members.delete(old.memberId);
    const member: Member = {
      ...old,
      memberId: newMemberId,
      clientId,
      clientHost,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      awaitingJoin: null,
      awaitingSync: null,
      sessionTimer: null,
    };
    this.members.set(newMemberId, member);
    if (this.leaderId === old.memberId) this.leaderId = newMemberId;
    this.event('member-joined', {
      memberId: newMemberId,
      reason: `static instance ${old.groupInstanceId} restarted (replaces ${old.memberId}, no rebalance)`,
    });
    this.touch(member);
    return member;
  }

  /** Removes a member (left, expired or fenced) and rebalances the rest. */
  removeMember(memberId: string, why: 'left' | 'expired' | 'fenced'): void {
    const member = this.members.get(memberId);
    if (!member) return;
    if (member.sessionTimer) clearTimeout(member.sessionTimer);
    this.members.delete(memberId);
    member.awaitingJoin?.({ ...this.joinError(25), memberId });
    member.awaitingSync?.({ errorCode: 25, assignment: Buffer.alloc(0) });
    this.event(why === 'expired' ? 'member-expired' : 'member-left', { memberId, reason: why });
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    const reason = `member ${memberId} ${why === 'expired' ? 'missed its session timeout' : why}`;
    switch (this.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.prepareRebalance(reason);
        break;
      case 'PreparingRebalance':
        this.maybeCompleteJoin();
        break;
      default:
        break;
    }
  }

  joinError(errorCode: number): JoinResult {
    return { errorCode, generationId: -1, protocolName: '', leader: '', memberId: '', members: [] };
  }

  prepareRebalance(reason: string): void {
    if (this.state === 'CompletingRebalance') {
      // Members waiting on the old generation's assignment must rejoin.
      for (const m of this.members.values()) {
        m.awaitingSync?.({ errorCode: 27, assignment: Buffer.alloc(0) });
        m.awaitingSync = null;
      }
    }
    const wasEmpty = this.state === 'Empty';
    if (this.state !== 'PreparingRebalance') {
      this.lastRebalance = { startedAt: Date.now(), completedAt: null, reason };
      this.setState('PreparingRebalance');
      this.event('rebalance-started', { reason });
      const now = Date.now();
      this.rebalanceDeadline = now + this.maxRebalanceTimeout();
      this.initialDelayUntil =
        wasEmpty && this.config.initialRebalanceDelayMs > 0 ? now + this.config.initialRebalanceDelayMs : 0;
    } else if (this.initialDelayUntil > 0) {
      // Another member arrived during the initial delay: wait a little longer, within the deadline.
      this.initialDelayUntil = Math.min(
        Date.now() + this.config.initialRebalanceDelayMs,
        this.rebalanceDeadline,
      );
    }
    // A member with a longer rebalance timeout than the others extends the wait for rejoins.
    this.rebalanceDeadline = Math.max(
      this.rebalanceDeadline,
      (this.lastRebalance?.startedAt ?? Date.now()) + this.maxRebalanceTimeout(),
    );
    this.scheduleRebalanceCheck();
  }

  private maxRebalanceTimeout(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  private scheduleRebalanceCheck(): void {
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    const now = Date.now();
    const at = this.initialDelayUntil > now ? this.initialDelayUntil : this.rebalanceDeadline;
    this.rebalanceTimer = setTimeout(() => this.onRebalanceTimer(), Math.max(0, at - now));
    if (this.initialDelayUntil <= now) this.maybeCompleteJoin();
  }

  private onRebalanceTimer(): void {
    this.rebalanceTimer = null;
    if (this.state !== 'PreparingRebalance') return;
    const now = Date.now();
    if (this.initialDelayUntil > now) return this.scheduleRebalanceCheck();
    this.initialDelayUntil = 0;
    if (now >= this.rebalanceDeadline) {
      // Rebalance timeout: members that did not rejoin are out.
      for (const m of [...this.members.values()])
        if (!m.awaitingJoin)
          this.removeMemberSilently(m.memberId, 'did not rejoin before the rebalance timeout');
      this.completeJoin();
    } else {
      this.scheduleRebalanceCheck();
    }
  }

  private removeMemberSilently(memberId: string, reason: string): void {
    const m = this.members.get(memberId);
    if (!m) return;
    if (m.sessionTimer) clearTimeout(m.sessionTimer);
    this.members.delete(memberId);
    this.event('member-expired', { memberId, reason });
    if (this.leaderId === memberId) this.leaderId = null;
  }

  maybeCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance') return;
    if (this.initialDelayUntil > Date.now()) return;
    for (const m of this.members.values()) if (!m.awaitingJoin) return;
    if (this.pendingMembers.size > 0 && this.members.size > 0 && Date.now() < this.rebalanceDeadline) {
      // Members told to come back with their new id are still expected (MEMBER_ID_REQUIRED).
      return;
    }
    this.completeJoin();
  }

  private completeJoin(): void {
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = null;
    this.initialDelayUntil = 0;
    if (this.members.size === 0) {
      this.generationId++;
      this.protocolName = null;
      this.protocolType = null;
      this.leaderId = null;
      this.setState('Empty');
      return;
    }
    this.generationId++;
    this.protocolName = this.selectProtocol();
    if (!this.leaderId || !this.members.has(this.leaderId)) this.leaderId = this.members.keys().next().value!;
    this.setState('CompletingRebalance');
    const all = [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.protocols.find((p) => p.name === this.protocolName)!.metadata,
    }));
    for (const m of this.members.values()) {
      const respond = m.awaitingJoin!;
      m.awaitingJoin = null;
      m.assignment = Buffer.alloc(0);
      this.touch(m);
      respond({
        errorCode: 0,
        generationId: this.generationId,
        protocolName: this.protocolName,
        leader: this.leaderId,
        memberId: m.memberId,
        members: m.memberId === this.leaderId ? all : [],
      });
    }
  }

  /** Each member votes for its most preferred protocol that every member supports. */
  private selectProtocol(): string {
    const members = [...this.members.values()];
    const candidates = members[0]!.protocols
      .map((p) => p.name)
      .filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of members) {
      const choice = m.protocols.find((p) => votes.has(p.name))!.name;
      votes.set(choice, votes.get(choice)! + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  /** The leader's SyncGroup carries everyone's assignment: hand them out and go Stable. */
  completeSync(assignments: Array<{ memberId: string; assignment: Buffer }>): void {
    const byId = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    for (const m of this.members.values()) m.assignment = byId.get(m.memberId) ?? Buffer.alloc(0);
    this.setState('Stable');
    if (this.lastRebalance) this.lastRebalance.completedAt = Date.now();
    this.event('rebalance-completed');
    for (const m of this.members.values()) {
      const respond = m.awaitingSync;
      m.awaitingSync = null;
      respond?.({ errorCode: 0, assignment: m.assignment });
    }
  }

  /** (Re)starts a member's session timer: no heartbeat within the session timeout removes it. */
  touch(member: Member): void {
    member.lastHeartbeat = Date.now();
    if (member.sessionTimer) clearTimeout(member.sessionTimer);
    member.sessionTimer = setTimeout(() => {
      member.sessionTimer = null;
      // A member waiting in JoinGroup is bounded by the rebalance timeout instead.
      if (member.awaitingJoin) return;
      if (this.members.get(member.memberId) === member) this.removeMember(member.memberId, 'expired');
    }, member.sessionTimeoutMs);
  }

  addPending(memberId: string, sessionTimeoutMs: number): void {
    this.pendingMembers.set(
      memberId,
      setTimeout(() => {
        this.pendingMembers.delete(memberId);
        this.maybeCompleteJoin();
      }, sessionTimeoutMs),
    );
  }

  takePending(memberId: string): boolean {
    const timer = this.pendingMembers.get(memberId);
    if (!timer) return false;
    clearTimeout(timer);
    this.pendingMembers.delete(memberId);
    return true;
  }

  memberByInstanceId(instanceId: string): Member | undefined {
    for (const m of this.members.values()) if (m.groupInstanceId === instanceId) return m;
    return undefined;
  }

  /** Stops every timer (broker shutdown, group deleted). */
  dispose(): void {
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    for (const m of this.members.values()) if (m.sessionTimer) clearTimeout(m.sessionTimer);
    for (const t of this.pendingMembers.values()) clearTimeout(t);
    this.pendingMembers.clear();
  }
}
