/**
 * InitProducerId (key 22), v0–1.
 * v0: transactional_id (nullable) and transaction timeout; returns a producer id and epoch.
 * v1: same as v0.
 * Idempotent producers (the Java client's default) get a fresh id with epoch 0. Transactions are
 * not supported: a transactional id is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which
 * clients report as fatal instead of retrying forever.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

export default defineHandler<{ transactionalId: string | null; transactionTimeoutMs: number }>({
  apiKey: ApiKey.InitProducerId,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 1,
  async handle(req, { state }) {
    if (req.transactionalId !== null) {
      state.logger.warn('transactional producer refused: sps does not support transactions', {
        transactionalId: req.transactionalId,
      });
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        producerId: -1,
        producerEpoch: -1,
      };
    }
    const producerId = await state.producers.allocateId();
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  },
});
