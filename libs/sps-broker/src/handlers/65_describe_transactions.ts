/**
 * DescribeTransactions (key 65), v0 (flexible). `kafka-transactions describe --transactional-id X`.
 * Per id: state, timeout, start time (-1 when none is open), producer id/epoch and the partitions
 * of the open transaction; an unknown id is TRANSACTIONAL_ID_NOT_FOUND, as Kafka answers.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

export default defineHandler<{ transactionalIds: string[] }>({
  apiKey: ApiKey.DescribeTransactions,
  name: 'DescribeTransactions',
  minVersion: 0,
  maxVersion: 0,
  handle(req, { state }) {
    return {
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((transactionalId) => {
        const meta = state.transactions.get(transactionalId);
        if (!meta)
          return {
            errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
            transactionalId,
            transactionState: '',
            transactionTimeoutMs: 0,
            transactionStartTimeMs: -1,
            producerId: -1,
            producerEpoch: -1,
            topics: [],
          };
        const byTopic = new Map<string, number[]>();
        for (const k of meta.partitions) {
          const at = k.lastIndexOf('\u0000');
          const topic = k.slice(0, at);
          byTopic.set(topic, [...(byTopic.get(topic) ?? []), Number(k.slice(at + 1))]);
        }
        return {
          errorCode: ErrorCode.NONE,
          transactionalId,
          transactionState: meta.state,
          transactionTimeoutMs: meta.timeoutMs,
          transactionStartTimeMs: meta.startTimeMs,
          producerId: meta.producerId,
          producerEpoch: meta.producerEpoch,
          topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
        };
      }),
    };
  },
});
