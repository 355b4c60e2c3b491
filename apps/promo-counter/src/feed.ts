/**
 * The live feed behind `GET /promos/stream` (server-sent events): a `snapshot` event with every count,
 * then a `promo` event each time a count goes up, and a keep-alive comment now and then so proxies keep
 * the connection open. A client that disconnects is unsubscribed (Nest runs the teardown below).
 *
 * Counts this instance commits are sent at once. When the group runs several instances, each counts
 * only its partitions' orders, so while clients are connected the feed also re-reads the table every
 * `PROMO_STREAM_SYNC_MS` and sends what the other instances counted. Counts only grow, so each client
 * is sent a count only when it is higher than the one it already has: no stale or repeated events.
 */
import { Injectable, type BeforeApplicationShutdown, type MessageEvent } from '@nestjs/common';
import { merge, Observable, Subject, type Subscription } from 'rxjs';
import { PromoStore, type PromoChange, type PromoCounts } from './store.js';

export interface FeedOptions {
  /** Keep-alive comment interval (default 15 s; env PROMO_STREAM_KEEPALIVE_MS). */
  keepAliveMs: number;
  /** How often the table is re-read while clients are connected (default 1 s; env PROMO_STREAM_SYNC_MS). */
  syncMs: number;
}

export function feedOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): FeedOptions {
  const ms = (value: string | undefined, fallback: number) => {
    const n = Number(value);
    return value && Number.isFinite(n) && n > 0 ? n : fallback;
  };
  return {
    keepAliveMs: ms(env.PROMO_STREAM_KEEPALIVE_MS, 15_000),
    syncMs: ms(env.PROMO_STREAM_SYNC_MS, 1_000),
  };
}

@Injectable()
export class PromoFeed implements BeforeApplicationShutdown {
  private clients = 0;
  private syncTimer: NodeJS.Timeout | null = null;
  private readonly synced = new Subject<PromoChange>();
  private readonly closed = new Subject<void>();

  constructor(
    private readonly store: PromoStore,
    private readonly options: FeedOptions,
  ) {}

  /** Connected stream clients (shown in GET /health). */
  get connectedClients(): number {
    return this.clients;
  }

  /** One client's events: the snapshot, then every count that goes up. */
  stream(): Observable<MessageEvent> {
    return new Observable<MessageEvent>((client) => {
      const seen = new Map<string | null, number>();
      let pending: PromoChange[] | null = []; // changes that arrive while the snapshot is read
      const send = (change: PromoChange) => {
        if ((seen.get(change.code) ?? 0) >= change.orders) return;
        seen.set(change.code, change.orders);
        client.next({ type: 'promo', data: change });
      };
      const changes: Subscription = merge(this.store.changes, this.synced).subscribe((change) =>
        pending ? pending.push(change) : send(change),
      );
      const ended = this.closed.subscribe(() => client.complete());
      this.store.counts().then(
        (snapshot: PromoCounts) => {
          for (const [code, orders] of Object.entries(snapshot.codes)) seen.set(code, orders);
          seen.set(null, snapshot.withoutCode);
          client.next({ type: 'snapshot', data: snapshot });
          const waiting = pending ?? [];
          pending = null;
          waiting.forEach(send);
        },
        (err: unknown) => client.error(err),
      );
      const keepAlive = setInterval(() => client.next({ comment: 'keep-alive' }), this.options.keepAliveMs);
      this.clientConnected();
      return () => {
        clearInterval(keepAlive);
        changes.unsubscribe();
        ended.unsubscribe();
        this.clientLeft();
      };
    });
  }

  private clientConnected() {
    if (++this.clients === 1) {
      this.syncTimer = setInterval(() => void this.sync(), this.options.syncMs);
      this.syncTimer.unref();
    }
  }

  private clientLeft() {
    if (--this.clients === 0 && this.syncTimer) {
      clearInterval(this.syncTimer);
      this.syncTimer = null;
    }
  }

  /** Re-reads the counts (other instances of the group count other partitions' orders). */
  private async sync() {
    try {
      const counts = await this.store.counts();
      for (const [code, orders] of Object.entries(counts.codes)) this.synced.next({ code, orders });
      this.synced.next({ code: null, orders: counts.withoutCode });
    } catch {
      // the database is closing, or briefly unavailable: the next tick tries again
    }
  }

  /** Ends open streams first, so the HTTP server can close. */
  beforeApplicationShutdown() {
    this.closed.next();
    if (this.syncTimer) clearInterval(this.syncTimer);
  }
}
