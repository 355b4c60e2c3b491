// The broker's live feed and admin API as the console receives them: the broker's own types (type-only
// imports, erased from the bundle), so the page and the API cannot drift apart.
import type {
  GroupDetailView,
  GroupMemberView,
  GroupPartitionView,
  GroupState,
  LiveHistory,
  LiveSnapshot,
  TopicLiveView,
} from '@orders/sps-broker';

export type { GroupEvent, LagPoint, RecordsView, RecordView, ThroughputPoint } from '@orders/sps-broker';
export type TopicView = TopicLiveView;
export type PartitionView = TopicLiveView['partitions'][number];
export type MemberView = GroupMemberView;
export type GroupPartition = GroupPartitionView;
export type GroupStateName = GroupState;
export type GroupView = GroupDetailView;
export type Snapshot = LiveSnapshot;
export type History = LiveHistory;

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
