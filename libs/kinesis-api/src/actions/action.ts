/**
 * One file per Kinesis action (the operation name after `Kinesis_20131202.` in X-Amz-Target). Each
 * declares its input as a zod schema with the service's limits and answers with the JSON the
 * service would; the server validates, dispatches and turns KinesisErrors into Kinesis' error shape.
 */
import type { z } from 'zod';
import type { ActionContext } from '../context.js';

export interface Action<I = unknown> {
  name: string;
  input: z.ZodType<I>;
  handle(input: I, ctx: ActionContext): Promise<object | EventStreamReply>;
}

export function defineAction<S extends z.ZodType>(action: {
  name: string;
  input: S;
  handle(input: z.output<S>, ctx: ActionContext): Promise<object | EventStreamReply>;
}): Action<z.output<S>> {
  return action as Action<z.output<S>>;
}

/** Where an event-stream action writes its messages (application/vnd.amazon.eventstream). */
export interface EventSink {
  event(eventType: string, payload: object): void;
  exception(exceptionType: string, message: string): void;
  /** True once the client has gone (or the broker is closing). */
  readonly closed: boolean;
  /** Resolves when the client goes away. */
  readonly gone: Promise<void>;
}

/** The answer of an action that streams events (SubscribeToShard) after its checks passed. */
export class EventStreamReply {
  constructor(readonly run: (sink: EventSink) => Promise<void>) {}
}
