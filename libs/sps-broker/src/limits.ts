/**
 * Connection-level limits shared by all of a listener's connections: the bytes of requests being
 * read or handled (Kafka's queued.max.request.bytes), and warnings that cannot flood the log.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from './logger.js';

export interface ConnectionLimits {
  /** Most connections at once (Kafka's max.connections); more are accepted and closed at once. */
  maxConnections: number;
  /** Most connections from one IP address (Kafka's max.connections.per.ip). */
  maxConnectionsPerIp: number;
  /** A connection with nothing to send or receive for this long is closed (connections.max.idle.ms). */
  idleMs: number;
  /**
   * Bytes of requests being received or handled, over all connections (queued.max.request.bytes):
   * past it, sockets are not read until earlier requests are answered.
   */
  maxQueuedRequestBytes: number;
  /** At most one warning line of each kind per this many ms; the next says how many were dropped. */
  warningIntervalMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 1000,
  maxConnectionsPerIp: 500,
  idleMs: 10 * 60 * 1000,
  maxQueuedRequestBytes: 256 * 1024 * 1024,
  warningIntervalMs: 10_000,
};

/**
 * This process's soft limit on open files (`ulimit -n`), or null where it cannot be read (only
 * Linux exposes it, in /proc/self/limits). Node cannot see accept() failing with EMFILE (libuv
 * accepts and drops such connections silently), so the broker keeps its connection cap under
 * this limit instead, leaving room for log segments and the HTTP port.
 */
export function openFilesLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!m || m[1] === 'unlimited') return null;
    return Number(m[1]);
  } catch {
    return null;
  }
}

/** The connection cap that leaves file descriptors for everything else (1024 → 896). */
export function connectionsWithinFdLimit(fdLimit: number): number {
  return Math.max(1, fdLimit - Math.max(64, Math.floor(fdLimit / 8)));
}

/**
 * The budget of request bytes in flight. A request's bytes are reserved when its size prefix is
 * read (before its body arrives) and released when its response is queued. A reservation that
 * does not fit waits; one request larger than the whole budget still goes through alone (as
 * Kafka's memory pool), so a client can never be stuck forever.
 */
export class RequestMemory {
  used = 0;
  /** The most ever reserved at once: tests and the admin API check the bound with it. */
  peak = 0;
  /** How many times a frame had to wait for budget (backpressure engaged). */
  waits = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly capacity: number) {}

  tryReserve(bytes: number): boolean {
    if (this.used > 0 && this.used + bytes > this.capacity) return false;
    this.used += bytes;
    if (this.used > this.peak) this.peak = this.used;
    return true;
  }

  release(bytes: number): void {
    if (bytes <= 0) return;
    this.used -= bytes;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Calls `retry` once some bytes are released (it re-registers itself if still short). */
  waitForRelease(retry: () => void): void {
    this.waits++;
    this.waiters.push(retry);
  }
}

/**
 * Warnings of one kind at most once per interval. A suppressed warning is counted, and the next
 * line of that kind carries `suppressed=N`.
 */
export class RateLimitedLog {
  private readonly kinds = new Map<string, { last: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  warn(kind: string, msg: string, fields?: Record<string, unknown>): void {
    const t = this.now();
    const k = this.kinds.get(kind);
    if (k && t - k.last < this.intervalMs) {
      k.suppressed++;
      return;
    }
    const suppressed = k?.suppressed ?? 0;
    this.kinds.set(kind, { last: t, suppressed: 0 });
    this.logger.warn(
      suppressed > 0
        ? `${msg} (and ${suppressed} more like it in the last ${Math.round((t - k!.last) / 1000)} s)`
        : msg,
      suppressed > 0 ? { ...fields, suppressed } : fields,
    );
  }
}
