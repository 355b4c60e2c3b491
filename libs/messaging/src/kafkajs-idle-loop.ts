/**
 * A fix for kafkajs 2.2.4's request queue, applied once per process by importing this module (config.ts
 * does, so every app that talks to Kafka through @orders/messaging has it).
 *
 * After every answer, each connection's RequestQueue re-arms its "check pending requests" timer even
 * when nothing is pending and nothing is throttled, with a negative delay — so Node runs it after 1 ms,
 * and it re-arms itself again: a 1 ms timer loop per broker connection, for the life of the process
 * (tulios/kafkajs#1556, #1704; unfixed in 2.2.4, the last release). Measured here: an idle storefront
 * spent 22 ms of CPU per second on it, and under load it fired between every two produce requests.
 *
 * The check is only needed when a request waits (too many in flight, or the broker throttles us): then
 * `push` and every answer call it again. So when the queue is empty and not throttled, don't re-arm.
 */
import { createRequire } from 'node:module';

interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
}
type Schedule = (this: RequestQueueLike) => void;

const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
  prototype: { scheduleCheckPendingRequests: Schedule; __ordersIdleLoopFixed?: true };
};
const proto = RequestQueue.prototype;
if (typeof proto.scheduleCheckPendingRequests !== 'function')
  throw new Error('kafkajs changed: RequestQueue.scheduleCheckPendingRequests is gone; remove this fix');
if (!proto.__ordersIdleLoopFixed) {
  const original = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueLike) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    original.call(this);
  };
  proto.__ordersIdleLoopFixed = true;
}

/** Whether the fix is in place (for a test). */
export const kafkajsIdleLoopFixed = (): boolean => proto.__ordersIdleLoopFixed === true;
