/**
 * InitProducerId (key 22), v0–4.
 * v0: transactional_id (nullable) and transaction timeout; returns a producer id and epoch.
 * v1: same as v0.
 * v2: flexible.
 * v3: producer_id/producer_epoch in the request (KIP-360): a producer that hit an epoch error names
 *     its current id/epoch and gets the next epoch, unless another instance took over (fenced).
 * v4: PRODUCER_FENCED may be answered (older versions get INVALID_PRODUCER_EPOCH instead, as Kafka does).
 *
 * Without a transactional id (idempotent producer): a fresh id with epoch 0. Ids never repeat across
 * restarts: a block of ids is fsynced before any of it is handed out; if that write fails (disk
 * full) the answer is KAFKA_STORAGE_ERROR (retriable), never a closed connection.
 * With a transactional id: the transaction coordinator's id for it, with the epoch bumped on every
 * call after the first (fencing older instances), aborting a transaction left open
 * (transactions/coordinator.ts). A timeout above transaction.max.timeout.ms (15 min) is
 * INVALID_TRANSACTION_TIMEOUT.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId: number;
  producerEpoch: number;
}

export default defineHandler<InitProducerIdRequest>({
  apiKey: ApiKey.InitProducerId,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 4,
  async handle(req, { state, version }) {
    const answer = (errorCode: number, producerId = -1, producerEpoch = -1) => ({
      throttleTimeMs: 0,
      errorCode,
      producerId,
      producerEpoch,
    });
    try {
      if (req.transactionalId !== null) {
        const r = await state.transactions.initProducerId(req.transactionalId, req.transactionTimeoutMs, {
          producerId: req.producerId ?? -1,
          producerEpoch: req.producerEpoch ?? -1,
        });
        const errorCode =
          r.errorCode === ErrorCode.PRODUCER_FENCED && version < 4
            ? ErrorCode.INVALID_PRODUCER_EPOCH
            : r.errorCode;
        return answer(errorCode, r.producerId, r.producerEpoch);
      }
      return answer(ErrorCode.NONE, await state.producers.allocateId(), 0);
    } catch (err) {
      state.logger.error('producer id or transaction state not persisted; answering KAFKA_STORAGE_ERROR', {
        error: String(err),
      });
      return answer(ErrorCode.KAFKA_STORAGE_ERROR);
    }
  },
});
