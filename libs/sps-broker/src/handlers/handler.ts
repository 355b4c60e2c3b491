/**
 * One handler per Kafka API. Each handler file declares the versions it serves (with a note per
 * version on top of the file), and ApiVersions advertises exactly the union of what the handler
 * files declare, so the two cannot drift.
 */
import type { SaslSession } from '../sasl/session.js';
import type { BrokerState } from '../state.js';

export interface RequestContext {
  /** The request's API version (already checked to be within the handler's range). */
  version: number;
  clientId: string | null;
  /** The connection's remote address, for logs and group membership. */
  clientHost: string;
  /** Local address the client connected to: the advertised host when none is configured. */
  localAddress: string;
  state: BrokerState;
  /** This connection's SASL state, or null when the listener has no SASL. */
  sasl: SaslSession | null;
  /** Closes the connection once this request's response is written (failed logins, as Kafka). */
  closeAfterResponse(): void;
  /** A warning at most once per interval per kind (a flood of bad logins must not flood the log). */
  warn(kind: string, msg: string, fields?: Record<string, unknown>): void;
}

export interface Handler<Req = unknown, Res = unknown> {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  /** Returns the response body, or null when the protocol wants no response (Produce acks=0). */
  handle(req: Req, ctx: RequestContext): Res | null | Promise<Res | null>;
}

export function defineHandler<Req = unknown, Res = unknown>(h: Handler<Req, Res>): Handler<Req, Res> {
  return h;
}
