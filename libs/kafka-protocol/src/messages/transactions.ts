/**
 * The transaction APIs a transactional producer sends (keys 24, 25, 26, 28) and the admin ones
 * (65, 66). Ranges are the client-side ones: AddPartitionsToTxn v4+ is the broker-to-broker batch
 * form (KIP-890), EndTxn v5 the transaction.version 2 form; neither is declared here.
 *
 * AddPartitionsToTxn (24), v0–3: v1 same as v0; v2 PRODUCER_FENCED may be answered; v3 flexible.
 * AddOffsetsToTxn (25), v0–3: v1 same; v2 PRODUCER_FENCED; v3 flexible.
 * EndTxn (26), v0–3: v1 same; v2 PRODUCER_FENCED; v3 flexible.
 * TxnOffsetCommit (28), v0–3: v1 same; v2 committedLeaderEpoch; v3 flexible, generation/member.
 * DescribeTransactions (65), v0 (flexible).
 * ListTransactions (66), v0–1 (flexible): v1 durationFilter.
 */
import { array, defineApi, field as f } from '../schema.js';

const topicPartitions = array([f('name', 'string', '0+'), f('partitions', array('int32'), '0+')]);

export const AddPartitionsToTxn = defineApi({
  name: 'AddPartitionsToTxn',
  apiKey: 24,
  validVersions: '0-3',
  flexibleVersions: '3+',
  request: [
    f('v3AndBelowTransactionalId', 'string', '0-3'),
    f('v3AndBelowProducerId', 'int64', '0-3'),
    f('v3AndBelowProducerEpoch', 'int16', '0-3'),
    f('v3AndBelowTopics', topicPartitions, '0-3'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f(
      'resultsByTopicV3AndBelow',
      array([
        f('name', 'string', '0+'),
        f(
          'resultsByPartition',
          array([f('partitionIndex', 'int32', '0+'), f('partitionErrorCode', 'int16', '0+')]),
          '0+',
        ),
      ]),
      '0-3',
    ),
  ],
});

export const AddOffsetsToTxn = defineApi({
  name: 'AddOffsetsToTxn',
  apiKey: 25,
  validVersions: '0-3',
  flexibleVersions: '3+',
  request: [
    f('transactionalId', 'string', '0+'),
    f('producerId', 'int64', '0+'),
    f('producerEpoch', 'int16', '0+'),
    f('groupId', 'string', '0+'),
  ],
  response: [f('throttleTimeMs', 'int32', '0+'), f('errorCode', 'int16', '0+')],
});

export const EndTxn = defineApi({
  name: 'EndTxn',
  apiKey: 26,
  validVersions: '0-3',
  flexibleVersions: '3+',
  request: [
    f('transactionalId', 'string', '0+'),
    f('producerId', 'int64', '0+'),
    f('producerEpoch', 'int16', '0+'),
    f('committed', 'bool', '0+'),
  ],
  response: [f('throttleTimeMs', 'int32', '0+'), f('errorCode', 'int16', '0+')],
});

export const TxnOffsetCommit = defineApi({
  name: 'TxnOffsetCommit',
  apiKey: 28,
  validVersions: '0-3',
  flexibleVersions: '3+',
  request: [
    f('transactionalId', 'string', '0+'),
    f('groupId', 'string', '0+'),
    f('producerId', 'int64', '0+'),
    f('producerEpoch', 'int16', '0+'),
    f('generationId', 'int32', '3+', { default: -1 }),
    f('memberId', 'string', '3+', { default: '' }),
    f('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
    f(
      'topics',
      array([
        f('name', 'string', '0+'),
        f(
          'partitions',
          array([
            f('partitionIndex', 'int32', '0+'),
            f('committedOffset', 'int64', '0+'),
            f('committedLeaderEpoch', 'int32', '2+', { default: -1 }),
            f('committedMetadata', 'string', '0+', { nullable: '0+' }),
          ]),
          '0+',
        ),
      ]),
      '0+',
    ),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f(
      'topics',
      array([
        f('name', 'string', '0+'),
        f('partitions', array([f('partitionIndex', 'int32', '0+'), f('errorCode', 'int16', '0+')]), '0+'),
      ]),
      '0+',
    ),
  ],
});

export const DescribeTransactions = defineApi({
  name: 'DescribeTransactions',
  apiKey: 65,
  validVersions: '0',
  flexibleVersions: '0+',
  request: [f('transactionalIds', array('string'), '0+')],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f(
      'transactionStates',
      array([
        f('errorCode', 'int16', '0+'),
        f('transactionalId', 'string', '0+'),
        f('transactionState', 'string', '0+'),
        f('transactionTimeoutMs', 'int32', '0+'),
        f('transactionStartTimeMs', 'int64', '0+'),
        f('producerId', 'int64', '0+'),
        f('producerEpoch', 'int16', '0+'),
        f('topics', array([f('topic', 'string', '0+'), f('partitions', array('int32'), '0+')]), '0+'),
      ]),
      '0+',
    ),
  ],
});

export const ListTransactions = defineApi({
  name: 'ListTransactions',
  apiKey: 66,
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: [
    f('stateFilters', array('string'), '0+'),
    f('producerIdFilters', array('int64'), '0+'),
    f('durationFilter', 'int64', '1+', { default: -1 }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('unknownStateFilters', array('string'), '0+'),
    f(
      'transactionStates',
      array([
        f('transactionalId', 'string', '0+'),
        f('producerId', 'int64', '0+'),
        f('transactionState', 'string', '0+'),
      ]),
      '0+',
    ),
  ],
});
