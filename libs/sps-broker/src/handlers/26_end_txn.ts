/**
 * EndTxn (key 26), v0–3.
 * v0: transactional id, producer id/epoch, committed (true = commit, false = abort).
 * v1: same as v0.
 * v2: PRODUCER_FENCED may be answered (v0–1 get INVALID_PRODUCER_EPOCH).
 * v3: flexible.
 * v5 (transaction.version 2: a new epoch per transaction) is not served.
 *
 * Answered once the commit/abort markers are in every partition of the transaction (fsynced) and,
 * on commit, the transaction's offsets are in the group's offsets; while that runs, other requests
 * for the id get CONCURRENT_TRANSACTIONS. A retried EndTxn of an ended transaction succeeds.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

interface EndTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  committed: boolean;
}

export default defineHandler<EndTxnRequest>({
  apiKey: ApiKey.EndTxn,
  name: 'EndTxn',
  minVersion: 0,
  maxVersion: 3,
  async handle(req, { state, version }) {
    let errorCode: number;
    try {
      errorCode = await state.transactions.endTxn(
        req.transactionalId,
        req.producerId,
        req.producerEpoch,
        req.committed,
      );
    } catch (err) {
      state.logger.error('transaction could not be ended durably', {
        transactionalId: req.transactionalId,
        error: String(err),
      });
      errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
    }
    if (errorCode === ErrorCode.PRODUCER_FENCED && version < 2) errorCode = ErrorCode.INVALID_PRODUCER_EPOCH;
    return { throttleTimeMs: 0, errorCode };
  },
});
