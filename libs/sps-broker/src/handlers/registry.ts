/** Every API the broker serves, one file each; ApiVersions advertises exactly this table. */
import type { Handler } from './handler.js';
import produce from './00_produce.js';
import fetch from './01_fetch.js';
import listOffsets from './02_list_offsets.js';
import metadata from './03_metadata.js';
import offsetCommit from './08_offset_commit.js';
import offsetFetch from './09_offset_fetch.js';
import findCoordinator from './10_find_coordinator.js';
import joinGroup from './11_join_group.js';
import heartbeat from './12_heartbeat.js';
import leaveGroup from './13_leave_group.js';
import syncGroup from './14_sync_group.js';
import describeGroups from './15_describe_groups.js';
import listGroups from './16_list_groups.js';
import saslHandshake from './17_sasl_handshake.js';
import apiVersions from './18_api_versions.js';
import createTopics from './19_create_topics.js';
import deleteTopics from './20_delete_topics.js';
import deleteRecords from './21_delete_records.js';
import initProducerId from './22_init_producer_id.js';
import addPartitionsToTxn from './24_add_partitions_to_txn.js';
import addOffsetsToTxn from './25_add_offsets_to_txn.js';
import endTxn from './26_end_txn.js';
import txnOffsetCommit from './28_txn_offset_commit.js';
import describeConfigs from './32_describe_configs.js';
import alterConfigs from './33_alter_configs.js';
import describeLogDirs from './35_describe_log_dirs.js';
import saslAuthenticate from './36_sasl_authenticate.js';
import createPartitions from './37_create_partitions.js';
import deleteGroups from './42_delete_groups.js';
import incrementalAlterConfigs from './44_incremental_alter_configs.js';
import offsetDelete from './47_offset_delete.js';
import describeCluster from './60_describe_cluster.js';
import describeProducers from './61_describe_producers.js';
import describeTransactions from './65_describe_transactions.js';
import listTransactions from './66_list_transactions.js';
import describeTopicPartitions from './75_describe_topic_partitions.js';

const ALL: Handler[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  saslHandshake,
  apiVersions,
  createTopics,
  deleteTopics,
  deleteRecords,
  initProducerId,
  addPartitionsToTxn,
  addOffsetsToTxn,
  endTxn,
  txnOffsetCommit,
  describeConfigs,
  alterConfigs,
  describeLogDirs,
  saslAuthenticate,
  createPartitions,
  deleteGroups,
  incrementalAlterConfigs,
  offsetDelete,
  describeCluster,
  describeProducers,
  describeTransactions,
  listTransactions,
  describeTopicPartitions,
];

export const handlers: ReadonlyMap<number, Handler> = new Map(ALL.map((h) => [h.apiKey, h]));

export function advertisedApis(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
  return [...handlers.values()]
    .sort((a, b) => a.apiKey - b.apiKey)
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
}
