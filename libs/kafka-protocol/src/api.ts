/** Kafka API keys handled by this codec. */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  DescribeLogDirs: 35,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
  IncrementalAlterConfigs: 44,
  OffsetDelete: 47,
  DescribeCluster: 60,
  DescribeProducers: 61,
  DescribeTransactions: 65,
  ListTransactions: 66,
  DescribeTopicPartitions: 75,
} as const;

export type ApiKeyName = keyof typeof ApiKey;
export type ApiKeyValue = (typeof ApiKey)[ApiKeyName];

const apiNames = new Map<number, string>(
  Object.entries(ApiKey).map(([name, key]) => [key, name] as [number, string]),
);

/** `apiName(1)` → `'Fetch'`; unknown keys → `'ApiKey(<key>)'`. */
export function apiName(key: number): string {
  return apiNames.get(key) ?? `ApiKey(${key})`;
}
