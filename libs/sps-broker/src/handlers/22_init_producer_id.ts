/**
 * InitProducerId (key 22), v0–1.
 * v0: transactional_id (nullable) and transaction timeout; returns a producer id and epoch.
 * v1: same as v0.
 * Idempotent producers (the Java client's default) get a fresh id with epoch 0. Transactions are
 * not supported: a transactional id is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which
 * clients report as fatal instead of retrying forever.
 * Ids never repeat across restarts: a block of ids is fsynced before any of it is handed out; if
 * that write fails (disk full) the answer is KAFKA_STORAGE_ERROR (retriable), never a closed connection.
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
    let producerId: number;
    try {
      producerId = await state.producers.allocateId();
    } catch (err) {
      state.logger.error('producer id block not persisted; answering KAFKA_STORAGE_ERROR', {
        error: String(err),
      });
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
        producerId: -1,
        producerEpoch: -1,
      };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  },
});
