/**
 * ListTransactions (key 66), v0–1 (flexible). `kafka-transactions list`.
 * v0: filters by state names and producer ids (empty = all); unknown state names are echoed in
 *     unknown_state_filters, as Kafka does.
 * v1: duration_filter: only transactions open longer than that many ms (-1 = no filter).
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { TXN_STATES } from '../transactions/coordinator.js';
import { defineHandler } from './handler.js';

interface ListTransactionsRequest {
  stateFilters: string[];
  producerIdFilters: number[];
  durationFilter?: number;
}

export default defineHandler<ListTransactionsRequest>({
  apiKey: ApiKey.ListTransactions,
  name: 'ListTransactions',
  minVersion: 0,
  maxVersion: 1,
  handle(req, { state }) {
    const known = new Set<string>(TXN_STATES);
    const states = new Set(req.stateFilters);
    const ids = new Set(req.producerIdFilters);
    const duration = req.durationFilter ?? -1;
    const now = Date.now();
    const transactionStates = state.transactions
      .list()
      .filter(
        (t) =>
          (states.size === 0 || states.has(t.state)) &&
          (ids.size === 0 || ids.has(t.producerId)) &&
          (duration < 0 || (t.startTimeMs >= 0 && now - t.startTimeMs > duration)),
      )
      .map((t) => ({
        transactionalId: t.transactionalId,
        producerId: t.producerId,
        transactionState: t.state,
      }));
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      unknownStateFilters: req.stateFilters.filter((s) => !known.has(s)),
      transactionStates,
    };
  },
});
