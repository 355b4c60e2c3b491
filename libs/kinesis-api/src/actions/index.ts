/** The actions served, by name: what X-Amz-Target may name after `Kinesis_20131202.`. */
import type { Action } from './action.js';
import AddTagsToStream from './AddTagsToStream.js';
import CreateStream from './CreateStream.js';
import DecreaseStreamRetentionPeriod from './DecreaseStreamRetentionPeriod.js';
import DeleteStream from './DeleteStream.js';
import DeregisterStreamConsumer from './DeregisterStreamConsumer.js';
import DescribeStream from './DescribeStream.js';
import DescribeStreamConsumer from './DescribeStreamConsumer.js';
import DescribeStreamSummary from './DescribeStreamSummary.js';
import GetRecords from './GetRecords.js';
import GetShardIterator from './GetShardIterator.js';
import IncreaseStreamRetentionPeriod from './IncreaseStreamRetentionPeriod.js';
import ListShards from './ListShards.js';
import ListStreamConsumers from './ListStreamConsumers.js';
import ListStreams from './ListStreams.js';
import ListTagsForStream from './ListTagsForStream.js';
import PutRecord from './PutRecord.js';
import PutRecords from './PutRecords.js';
import RegisterStreamConsumer from './RegisterStreamConsumer.js';
import RemoveTagsFromStream from './RemoveTagsFromStream.js';
import SpsListLeases from './SpsListLeases.js';
import SpsPutLease from './SpsPutLease.js';
import SubscribeToShard from './SubscribeToShard.js';
import UpdateShardCount from './UpdateShardCount.js';

const all: Action<never>[] = [
  AddTagsToStream,
  CreateStream,
  DecreaseStreamRetentionPeriod,
  DeleteStream,
  DeregisterStreamConsumer,
  DescribeStream,
  DescribeStreamConsumer,
  DescribeStreamSummary,
  GetRecords,
  GetShardIterator,
  IncreaseStreamRetentionPeriod,
  ListShards,
  ListStreamConsumers,
  ListStreams,
  ListTagsForStream,
  PutRecord,
  PutRecords,
  RegisterStreamConsumer,
  RemoveTagsFromStream,
  SubscribeToShard,
  UpdateShardCount,
  // not AWS actions: the teaching KCL's lease table (leases.ts)
  SpsListLeases,
  SpsPutLease,
] as Action<never>[];

export const actions: ReadonlyMap<string, Action> = new Map(all.map((a) => [a.name, a as Action]));
