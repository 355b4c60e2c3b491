// A small Kafka client for `sps consume` and `sps groups`: ApiVersions, Metadata, ListOffsets and
// Fetch, plus FindCoordinator, OffsetFetch and simple (generation −1) OffsetCommit for a group's
// offsets, over our own connections (one per broker node), on @orders/kafka-protocol.
import { CliError } from '../errors.js';
import type { HostPort } from '../options.js';
import type { ClientSecurity } from '../security.js';
import { Connection, ConnectionError } from './connection.js';
import {
  ApiKeys,
  Errors,
  errorName,
  num,
  type ApiVersionsResponse,
  type FetchResponse,
  type FindCoordinatorResponse,
  type ListOffsetsResponse,
  type OffsetCommitResponse,
  type OffsetFetchResponse,
  type MetadataResponse,
} from './protocol.js';

/** Versions this client can speak, per API: [lowest, highest]. It uses the highest both sides know. */
export const CLIENT_VERSIONS = {
  Metadata: [1, 6],
  ListOffsets: [1, 3],
  Fetch: [4, 11],
} as const satisfies Record<string, readonly [number, number]>;

export type NegotiatedVersions = Record<keyof typeof CLIENT_VERSIONS, number>;

/** Chooses a version per API from the broker's ApiVersions answer, or says which API is missing. */
export function negotiateVersions(
  apiKeys: ApiVersionsResponse['apiKeys'],
  address = 'the broker',
): NegotiatedVersions {
  const out = {} as NegotiatedVersions;
  for (const [name, [lo, hi]] of Object.entries(CLIENT_VERSIONS) as Array<
    [keyof typeof CLIENT_VERSIONS, readonly [number, number]]
  >) {
    const b = apiKeys.find((k) => k.apiKey === ApiKeys[name]);
    if (!b) throw new CliError(`${address} does not support the ${name} API, which sps consume needs`);
    const v = Math.min(hi, b.maxVersion);
    if (v < lo || v < b.minVersion)
      throw new CliError(
        `${address} supports ${name} v${b.minVersion}-${b.maxVersion}, but sps consume speaks v${lo}-${hi}: no version in common`,
      );
    out[name] = v;
  }
  return out;
}

export const LATEST = -1;
export const EARLIEST = -2;

export interface TopicMetadata {
  name: string;
  /** partition index → leader node id */
  partitions: Map<number, number>;
}

export interface PartitionFetch {
  partition: number;
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  records: Buffer | null;
}

export class KafkaClient {
  private readonly connections = new Map<string, Promise<Connection>>();
  private brokers = new Map<number, HostPort>();
  private bootstrapConnection: Connection | undefined;
  private apiKeys: ApiVersionsResponse['apiKeys'] = [];
  versions!: NegotiatedVersions;

  constructor(
    private readonly bootstrap: HostPort[],
    private readonly clientId = 'sps-cli',
    private readonly security?: ClientSecurity,
  ) {}

  /** Connects to the first reachable bootstrap broker and negotiates versions. */
  async connect(): Promise<void> {
    let lastError: unknown;
    for (const { host, port } of this.bootstrap) {
      try {
        const conn = await this.open(host, port);
        const res = await conn.request<ApiVersionsResponse>(ApiKeys.ApiVersions, 0, {});
        if (res.errorCode !== Errors.NONE)
          throw new CliError(`${conn.address} rejected ApiVersions v0: ${errorName(res.errorCode)}`);
        this.versions = negotiateVersions(res.apiKeys, conn.address);
        this.apiKeys = res.apiKeys;
        this.bootstrapConnection = conn;
        return;
      } catch (err) {
        if (err instanceof CliError) throw err;
        lastError = err;
      }
    }
    throw lastError;
  }

  private open(host: string, port: number): Promise<Connection> {
    const key = `${host}:${port}`;
    let c = this.connections.get(key);
    if (!c) {
      c = Connection.connect(host, port, { clientId: this.clientId, security: this.security });
      c.catch(() => this.connections.delete(key));
      this.connections.set(key, c);
    }
    return c;
  }

  private async leaderConnection(nodeId: number): Promise<Connection> {
    const b = this.brokers.get(nodeId);
    if (!b) return this.bootstrapConnection!;
    return this.open(b.host, b.port);
  }

  /** Metadata for `topics` (null: all topics). Never asks the broker to auto-create. */
  async metadata(
    topics: string[] | null,
  ): Promise<{ topics: Array<TopicMetadata & { errorCode: number; isInternal: boolean }> }> {
    const res = await this.bootstrapConnection!.request<MetadataResponse>(
      ApiKeys.Metadata,
      this.versions.Metadata,
      {
        topics: topics === null ? null : topics.map((name) => ({ name })),
        allowAutoTopicCreation: false,
      },
    );
    this.brokers = new Map(res.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
    return {
      topics: res.topics.map((t) => ({
        name: t.name,
        errorCode: t.errorCode,
        isInternal: !!t.isInternal,
        partitions: new Map(t.partitions.map((p) => [p.partitionIndex, p.leaderId])),
      })),
    };
  }

  /** ListOffsets: per partition, the offset for `timestamp` (LATEST, EARLIEST or epoch ms); -1 = none. */
  async listOffsets(
    topic: TopicMetadata,
    requests: Array<{ partition: number; timestamp: number }>,
  ): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const [leader, group] of groupBy(requests, (r) => topic.partitions.get(r.partition) ?? -1)) {
      const conn = await this.leaderConnection(leader);
      const res = await conn.request<ListOffsetsResponse>(ApiKeys.ListOffsets, this.versions.ListOffsets, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          {
            name: topic.name,
            partitions: group.map((r) => ({
              partitionIndex: r.partition,
              currentLeaderEpoch: -1,
              timestamp: r.timestamp,
              maxNumOffsets: 1,
            })),
          },
        ],
      });
      for (const t of res.topics)
        for (const p of t.partitions) {
          if (p.errorCode !== Errors.NONE)
            throw new CliError(
              `listing offsets of ${topic.name} partition ${p.partitionIndex} failed: ${errorName(p.errorCode)}`,
            );
          out.set(p.partitionIndex, num(p.offset));
        }
    }
    return out;
  }

  /** One Fetch per leader, in parallel; READ_UNCOMMITTED. */
  async fetch(
    topic: TopicMetadata,
    partitions: Array<{ partition: number; offset: number; maxBytes: number }>,
    maxWaitMs: number,
  ): Promise<PartitionFetch[]> {
    const groups = [...groupBy(partitions, (p) => topic.partitions.get(p.partition) ?? -1)];
    const answers = await Promise.all(
      groups.map(async ([leader, group]) => {
        const conn = await this.leaderConnection(leader);
        const res = await conn.request<FetchResponse>(
          ApiKeys.Fetch,
          this.versions.Fetch,
          {
            replicaId: -1,
            maxWaitMs,
            minBytes: 1,
            maxBytes: 50 * 1024 * 1024,
            isolationLevel: 0,
            sessionId: 0,
            sessionEpoch: -1,
            topics: [
              {
                topic: topic.name,
                partitions: group.map((p) => ({
                  partition: p.partition,
                  currentLeaderEpoch: -1,
                  fetchOffset: p.offset,
                  logStartOffset: -1,
                  partitionMaxBytes: p.maxBytes,
                })),
              },
            ],
            forgottenTopicsData: [],
            rackId: '',
          },
          maxWaitMs + 30_000,
        );
        if (res.errorCode)
          throw new CliError(`fetch from ${conn.address} failed: ${errorName(res.errorCode)}`);
        return res.responses.flatMap((t) =>
          t.partitions.map((p) => ({
            partition: p.partitionIndex,
            errorCode: p.errorCode,
            highWatermark: num(p.highWatermark),
            logStartOffset: num(p.logStartOffset),
            records: p.records,
          })),
        );
      }),
    );
    return answers.flat();
  }

  /** The highest version of an API both sides speak, within [lo, hi], or a CliError naming it. */
  private versionOf(name: keyof typeof ApiKeys, lo: number, hi: number, purpose: string): number {
    const b = this.apiKeys.find((k) => k.apiKey === ApiKeys[name]);
    const v = b ? Math.min(hi, b.maxVersion) : -1;
    if (!b || v < lo || v < b.minVersion)
      throw new CliError(
        `the broker does not support ${name} v${lo}-${hi}${b ? ` (it speaks v${b.minVersion}-${b.maxVersion})` : ''}, which ${purpose} needs`,
      );
    return v;
  }

  /** The connection to a group's coordinator (FindCoordinator; the bootstrap broker if it has none). */
  async coordinator(groupId: string): Promise<Connection> {
    const v = this.versionOf('FindCoordinator', 0, 2, 'finding the group coordinator');
    for (let attempt = 0; ; attempt++) {
      const res = await this.bootstrapConnection!.request<FindCoordinatorResponse>(
        ApiKeys.FindCoordinator,
        v,
        { key: groupId, keyType: 0 },
      );
      if (res.errorCode === Errors.NONE) return this.open(res.host, res.port);
      // COORDINATOR_NOT_AVAILABLE while Kafka creates __consumer_offsets: retry briefly.
      if (attempt < 20 && (res.errorCode === 15 || res.errorCode === 14)) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      throw new CliError(`finding the coordinator of group '${groupId}' failed: ${errorName(res.errorCode)}`);
    }
  }

  /** Every offset the group has committed (OffsetFetch with null topics), by topic and partition. */
  async committedOffsets(groupId: string): Promise<Map<string, Map<number, number>>> {
    const v = this.versionOf('OffsetFetch', 2, 5, 'reading committed offsets');
    const conn = await this.coordinator(groupId);
    const res = await conn.request<OffsetFetchResponse>(ApiKeys.OffsetFetch, v, { groupId, topics: null });
    if (res.errorCode)
      throw new CliError(`reading the offsets of group '${groupId}' failed: ${errorName(res.errorCode)}`);
    const out = new Map<string, Map<number, number>>();
    for (const t of res.topics) {
      const parts = new Map<number, number>();
      for (const p of t.partitions) {
        if (p.errorCode !== Errors.NONE)
          throw new CliError(
            `reading the offset of group '${groupId}' for ${t.name} partition ${p.partitionIndex} failed: ${errorName(p.errorCode)}`,
          );
        if (num(p.committedOffset) >= 0) parts.set(p.partitionIndex, num(p.committedOffset));
      }
      if (parts.size) out.set(t.name, parts);
    }
    return out;
  }

  /**
   * Commits offsets for a group as an admin tool does (generation −1, no member id): the broker
   * accepts it only while the group has no members. Returns the error code per partition.
   */
  async commitOffsets(
    groupId: string,
    topic: string,
    offsets: Array<{ partition: number; offset: number }>,
  ): Promise<Map<number, number>> {
    const v = this.versionOf('OffsetCommit', 2, 7, 'committing offsets');
    const conn = await this.coordinator(groupId);
    const res = await conn.request<OffsetCommitResponse>(ApiKeys.OffsetCommit, v, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        {
          name: topic,
          partitions: offsets.map((o) => ({
            partitionIndex: o.partition,
            committedOffset: o.offset,
            committedLeaderEpoch: -1,
            committedMetadata: null,
          })),
        },
      ],
    });
    const out = new Map<number, number>();
    for (const t of res.topics) for (const p of t.partitions) out.set(p.partitionIndex, p.errorCode);
    return out;
  }

  close(): void {
    for (const c of this.connections.values())
      c.then(
        (conn) => conn.close(),
        () => undefined,
      );
    this.connections.clear();
  }
}

function groupBy<T, K>(items: T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

export { ConnectionError };
