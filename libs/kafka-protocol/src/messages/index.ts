/** Every API this codec implements, with derived request/response types. */
import type { ApiSchema, RequestInputOf, RequestOf, ResponseInputOf, ResponseOf } from '../schema.js';
import { AlterConfigs } from './alter-configs.js';
import { ApiVersions } from './api-versions.js';
import { CreatePartitions } from './create-partitions.js';
import { CreateTopics } from './create-topics.js';
import { DeleteGroups } from './delete-groups.js';
import { DeleteRecords } from './delete-records.js';
import { DeleteTopics } from './delete-topics.js';
import { DescribeCluster } from './describe-cluster.js';
import { DescribeConfigs } from './describe-configs.js';
import { DescribeGroups } from './describe-groups.js';
import { DescribeLogDirs } from './describe-log-dirs.js';
import { DescribeProducers } from './describe-producers.js';
import { DescribeTopicPartitions } from './describe-topic-partitions.js';
import { Fetch } from './fetch.js';
import { FindCoordinator } from './find-coordinator.js';
import { Heartbeat } from './heartbeat.js';
import { IncrementalAlterConfigs } from './incremental-alter-configs.js';
import { InitProducerId } from './init-producer-id.js';
import { JoinGroup } from './join-group.js';
import { LeaveGroup } from './leave-group.js';
import { ListGroups } from './list-groups.js';
import { ListOffsets } from './list-offsets.js';
import { Metadata } from './metadata.js';
import { OffsetCommit } from './offset-commit.js';
import { OffsetDelete } from './offset-delete.js';
import { OffsetFetch } from './offset-fetch.js';
import { Produce } from './produce.js';
import { SaslAuthenticate, SaslHandshake } from './sasl.js';
import { SyncGroup } from './sync-group.js';
import {
  AddOffsetsToTxn,
  AddPartitionsToTxn,
  DescribeTransactions,
  EndTxn,
  ListTransactions,
  TxnOffsetCommit,
} from './transactions.js';

export {
  AddOffsetsToTxn,
  AddPartitionsToTxn,
  DescribeTransactions,
  EndTxn,
  ListTransactions,
  TxnOffsetCommit,
  AlterConfigs,
  ApiVersions,
  CreatePartitions,
  CreateTopics,
  DeleteGroups,
  DeleteRecords,
  DeleteTopics,
  DescribeCluster,
  DescribeConfigs,
  DescribeGroups,
  DescribeLogDirs,
  DescribeProducers,
  DescribeTopicPartitions,
  Fetch,
  FindCoordinator,
  Heartbeat,
  IncrementalAlterConfigs,
  InitProducerId,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetDelete,
  OffsetFetch,
  Produce,
  SaslAuthenticate,
  SaslHandshake,
  SyncGroup,
};

/** All API schemas, ordered by API key. */
export const ALL_APIS: readonly ApiSchema[] = [
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  DescribeGroups,
  ListGroups,
  SaslHandshake,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  DeleteRecords,
  InitProducerId,
  AddPartitionsToTxn,
  AddOffsetsToTxn,
  EndTxn,
  TxnOffsetCommit,
  DescribeConfigs,
  AlterConfigs,
  DescribeLogDirs,
  SaslAuthenticate,
  CreatePartitions,
  DeleteGroups,
  IncrementalAlterConfigs,
  OffsetDelete,
  DescribeCluster,
  DescribeProducers,
  DescribeTransactions,
  ListTransactions,
  DescribeTopicPartitions,
];

export type ProduceRequest = RequestOf<typeof Produce>;
export type ProduceResponse = ResponseInputOf<typeof Produce>;
export type FetchRequest = RequestOf<typeof Fetch>;
export type FetchResponse = ResponseInputOf<typeof Fetch>;
export type ListOffsetsRequest = RequestOf<typeof ListOffsets>;
export type ListOffsetsResponse = ResponseInputOf<typeof ListOffsets>;
export type MetadataRequest = RequestOf<typeof Metadata>;
export type MetadataResponse = ResponseInputOf<typeof Metadata>;
export type OffsetCommitRequest = RequestOf<typeof OffsetCommit>;
export type OffsetCommitResponse = ResponseInputOf<typeof OffsetCommit>;
export type OffsetFetchRequest = RequestOf<typeof OffsetFetch>;
export type OffsetFetchResponse = ResponseInputOf<typeof OffsetFetch>;
export type FindCoordinatorRequest = RequestOf<typeof FindCoordinator>;
export type FindCoordinatorResponse = ResponseInputOf<typeof FindCoordinator>;
export type JoinGroupRequest = RequestOf<typeof JoinGroup>;
export type JoinGroupResponse = ResponseInputOf<typeof JoinGroup>;
export type HeartbeatRequest = RequestOf<typeof Heartbeat>;
export type HeartbeatResponse = ResponseInputOf<typeof Heartbeat>;
export type LeaveGroupRequest = RequestOf<typeof LeaveGroup>;
export type LeaveGroupResponse = ResponseInputOf<typeof LeaveGroup>;
export type SyncGroupRequest = RequestOf<typeof SyncGroup>;
export type SyncGroupResponse = ResponseInputOf<typeof SyncGroup>;
export type DescribeGroupsRequest = RequestOf<typeof DescribeGroups>;
export type DescribeGroupsResponse = ResponseInputOf<typeof DescribeGroups>;
export type ListGroupsRequest = RequestOf<typeof ListGroups>;
export type ListGroupsResponse = ResponseInputOf<typeof ListGroups>;
export type SaslHandshakeRequest = RequestOf<typeof SaslHandshake>;
export type SaslHandshakeResponse = ResponseInputOf<typeof SaslHandshake>;
export type ApiVersionsRequest = RequestOf<typeof ApiVersions>;
export type ApiVersionsResponse = ResponseInputOf<typeof ApiVersions>;
export type CreateTopicsRequest = RequestOf<typeof CreateTopics>;
export type CreateTopicsResponse = ResponseInputOf<typeof CreateTopics>;
export type DeleteTopicsRequest = RequestOf<typeof DeleteTopics>;
export type DeleteTopicsResponse = ResponseInputOf<typeof DeleteTopics>;
export type DeleteRecordsRequest = RequestOf<typeof DeleteRecords>;
export type DeleteRecordsResponse = ResponseInputOf<typeof DeleteRecords>;
export type DescribeLogDirsRequest = RequestOf<typeof DescribeLogDirs>;
export type DescribeLogDirsResponse = ResponseInputOf<typeof DescribeLogDirs>;
export type DescribeClusterRequest = RequestOf<typeof DescribeCluster>;
export type DescribeClusterResponse = ResponseInputOf<typeof DescribeCluster>;
export type DescribeProducersRequest = RequestOf<typeof DescribeProducers>;
export type DescribeProducersResponse = ResponseInputOf<typeof DescribeProducers>;
export type DescribeTopicPartitionsRequest = RequestOf<typeof DescribeTopicPartitions>;
export type DescribeTopicPartitionsResponse = ResponseInputOf<typeof DescribeTopicPartitions>;
export type InitProducerIdRequest = RequestOf<typeof InitProducerId>;
export type InitProducerIdResponse = ResponseInputOf<typeof InitProducerId>;
export type DescribeConfigsRequest = RequestOf<typeof DescribeConfigs>;
export type DescribeConfigsResponse = ResponseInputOf<typeof DescribeConfigs>;
export type AlterConfigsRequest = RequestOf<typeof AlterConfigs>;
export type AlterConfigsResponse = ResponseInputOf<typeof AlterConfigs>;
export type SaslAuthenticateRequest = RequestOf<typeof SaslAuthenticate>;
export type SaslAuthenticateResponse = ResponseInputOf<typeof SaslAuthenticate>;
export type CreatePartitionsRequest = RequestOf<typeof CreatePartitions>;
export type CreatePartitionsResponse = ResponseInputOf<typeof CreatePartitions>;
export type DeleteGroupsRequest = RequestOf<typeof DeleteGroups>;
export type DeleteGroupsResponse = ResponseInputOf<typeof DeleteGroups>;
export type IncrementalAlterConfigsRequest = RequestOf<typeof IncrementalAlterConfigs>;
export type IncrementalAlterConfigsResponse = ResponseInputOf<typeof IncrementalAlterConfigs>;
export type OffsetDeleteRequest = RequestOf<typeof OffsetDelete>;
export type OffsetDeleteResponse = ResponseInputOf<typeof OffsetDelete>;

/** Decoded response types (all fields present), for client-side code such as the CLI. */
export type DecodedResponse<A extends ApiSchema> = ResponseOf<A>;
/** Request body types accepted by encodeRequest (all fields optional). */
export type RequestInput<A extends ApiSchema> = RequestInputOf<A>;
