// The broker's live feed and admin API as the console receives them (see libs/sps-broker/src/live.ts,
// http-groups.ts, http-records.ts, http-offsets.ts; mirrored here so the page builds without them).

export interface PartitionView {
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  bytes: number;
  segments: number;
}

export interface TopicView {
  name: string;
  partitionCount: number;
  retentionMs: number | null;
  retentionBytes: number | null;
  bytes: number;
  partitions: PartitionView[];
}

export interface MemberView {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  host: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  assignment: Array<{ topic: string; partitions: number[] }> | null;
  idle: boolean | null;
}

export interface GroupPartition {
  topic: string;
  partition: number;
  memberId: string | null;
  clientId: string | null;
  host: string | null;
  committedOffset: number | null;
  committedAt: string | null;
  logStartOffset: number | null;
  highWatermark: number | null;
  lag: number | null;
}

export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface GroupView {
  id: string;
  state: GroupStateName;
  protocolType: string | null;
  protocol: string | null;
  generation: number;
  leader: string | null;
  lag: number | null;
  members: MemberView[];
  partitions: GroupPartition[];
  lastRebalance: {
    reason: string;
    startedAt: string;
    completedAt: string | null;
    durationMs: number | null;
  } | null;
}

export interface LagPoint {
  t: number;
  lag: number | null;
  partitions: Record<string, number>;
}

export interface ThroughputPoint {
  t: number;
  in: number;
  out: number;
  byGroup: Record<string, number>;
}

export interface Snapshot {
  at: number;
  topics: TopicView[];
  groups: GroupView[];
  throughput: Record<string, ThroughputPoint>;
  lag: Record<string, LagPoint>;
}

export interface History {
  intervalMs: number;
  lag: Record<string, LagPoint[]>;
  throughput: Record<string, ThroughputPoint[]>;
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
  state: GroupStateName;
  at: number;
}

export interface RecordView {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  encoding: 'utf8' | 'base64';
  valueBytes: number;
  truncated: boolean;
  headers: Array<{ key: string; value: string | null }>;
}

export interface RecordsView {
  topic: string;
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  records: RecordView[];
  undecoded: Array<{ baseOffset: number; lastOffset: number; reason: string }>;
}

// The demo's control API (apps/demo/src/control-api.ts).
export interface InstanceInfo {
  id: number;
  name: string;
  app: string;
  pid: number | null;
  port: number;
  url: string;
  status: 'starting' | 'running' | 'stopping' | 'exited';
  exitCode: number | null;
  signal: string | null;
  startedAt: string;
  exitedAt: string | null;
  restarts: number;
  error?: string;
}

export interface AppInfo {
  name: string;
  kind: 'http' | 'consumer';
  description: string;
  defaultPort: number;
  available: boolean;
  script: string;
  instances: InstanceInfo[];
}
