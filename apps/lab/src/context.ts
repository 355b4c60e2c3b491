/**
 * What a lab's `start`, `check` and `solve` see of the running demo: its control API and the broker's
 * admin API (both on the broker's HTTP port), and the broker itself over the Kafka protocol (kafkajs).
 * Writes send `Content-Type: application/json` and no Origin, as a local script should.
 */
import { CATALOGUE, ORDERS_TOPIC } from '@orders/contracts';
import type { GroupDetailView, LagPoint, LiveHistory, RecordView } from '@orders/sps-broker';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';

export interface InstanceView {
  id: number;
  name: string;
  status: 'starting' | 'running' | 'stopping' | 'exited';
  url: string;
  port: number;
  pid: number | null;
  signal: string | null;
  startedAt: string;
}

export interface AppView {
  name: string;
  kind: 'http' | 'consumer';
  available: boolean;
  instances: InstanceView[];
}

export interface TopicView {
  name: string;
  partitionCount: number;
  retainedRecords: number;
  retention: { retentionMs: number; retentionBytes: number };
  overrides: Record<string, string>;
  partitions: Array<{ partition: number; logStartOffset: number; highWatermark: number }>;
}

/** Thrown by an HTTP call that did not answer 2xx: carries the status and the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class LabContext {
  private kafkaClient: Kafka | null = null;
  private adminClient: Admin | null = null;
  private producerClient: Producer | null = null;

  constructor(
    /** The broker's HTTP port, e.g. http://127.0.0.1:9080 (console, admin API, demo control API). */
    readonly baseUrl: string,
    /** The Kafka bootstrap (from /api/health unless given). */
    public bootstrap: string,
    readonly say: (line: string) => void = (l) => console.log(l),
  ) {}

  /** Connects to a running demo: reads the Kafka address from the broker's /api/health. */
  static async connect(baseUrl: string, say?: (line: string) => void): Promise<LabContext> {
    const url = baseUrl.replace(/\/+$/, '');
    let health: { kafka?: string };
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) });
      health = (await res.json()) as { kafka?: string };
    } catch (err) {
      throw new Error(
        `no demo answers on ${url} (${(err as Error).message}). Start it with \`npm run demo\` in another terminal, ` +
          'or point the lab at it with --url http://127.0.0.1:PORT (or --port-offset N, as given to the demo)',
      );
    }
    const ctx = new LabContext(url, health.kafka ?? '127.0.0.1:9092', say);
    const apps = await ctx.get<{ apps: AppView[] }>('/api/apps').catch(() => null);
    if (!apps)
      throw new Error(
        `${url} is a broker without the demo's control API; the labs need \`npm run demo\` (it serves /api/apps)`,
      );
    return ctx;
  }

  // ---- HTTP ----------------------------------------------------------------------------------------

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { error: text };
    }
    if (!res.ok)
      throw new ApiError(
        res.status,
        `${method} ${path} → ${res.status}: ${(parsed as { error?: string } | null)?.error ?? text}`,
      );
    return parsed as T;
  }
  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }
  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  /** The broker's Kinesis API endpoint (from /api/health), or null when the broker does not serve it. */
  async kinesisEndpoint(): Promise<string | null> {
    return (await this.get<{ kinesis?: string | null }>('/api/health')).kinesis ?? null;
  }

  // ---- the demo's apps -------------------------------------------------------------------------------

  async apps(): Promise<AppView[]> {
    return (await this.get<{ apps: AppView[] }>('/api/apps')).apps;
  }
  async app(name: string): Promise<AppView> {
    return this.get<AppView>(`/api/apps/${encodeURIComponent(name)}`);
  }
  async running(name: string): Promise<InstanceView[]> {
    return (await this.app(name)).instances.filter((i) => i.status === 'running' || i.status === 'starting');
  }

  /** Starts or stops (gracefully, newest first) instances of an app until `n` run. */
  async scaleTo(name: string, n: number): Promise<void> {
    let live = await this.running(name);
    while (live.length < n) {
      await this.post(`/api/apps/${name}/instances`);
      live = await this.running(name);
    }
    for (const i of live.slice(n).reverse()) await this.call('DELETE', `/api/apps/${name}/instances/${i.id}`);
    await this.waitFor(`${name} to run ${n} instance(s)`, async () => {
      const now = await this.app(name);
      return (
        now.instances.filter((i) => i.status === 'running').length === n &&
        !now.instances.some((i) => i.status === 'starting' || i.status === 'stopping')
      );
    });
  }

  /** SIGKILL: no goodbye to the coordinator, no last commit. */
  async kill(name: string, id: number): Promise<void> {
    await this.post(`/api/apps/${name}/instances/${id}/kill`);
  }

  // ---- the broker's view -----------------------------------------------------------------------------

  async group(id: string): Promise<GroupDetailView | null> {
    try {
      return await this.get<GroupDetailView>(`/api/groups/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }

  /** The broker's last ten minutes of lag, members and idle members per group (one point a second). */
  async lagHistory(id: string): Promise<LagPoint[]> {
    return (await this.get<LiveHistory>('/api/history')).lag[id] ?? [];
  }

  async topic(name: string): Promise<TopicView | null> {
    try {
      return await this.get<TopicView>(`/api/topics/${encodeURIComponent(name)}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }

  /** Records of one partition from `offset` (default: the newest `limit`). */
  async records(topic: string, partition: number, from?: number, limit = 100): Promise<RecordView[]> {
    const q = `limit=${limit}${from === undefined ? '' : `&offset=${from}`}`;
    const view = await this.get<{ records: RecordView[] }>(
      `/api/topics/${encodeURIComponent(topic)}/partitions/${partition}/records?${q}`,
    );
    return view.records;
  }

  /** Every record of a small topic, partition by partition. */
  async allRecords(topic: string): Promise<Array<RecordView & { partition: number }>> {
    const t = await this.topic(topic);
    if (!t) return [];
    const out: Array<RecordView & { partition: number }> = [];
    for (const p of t.partitions) {
      for (let from = p.logStartOffset; from < p.highWatermark;) {
        const batch = await this.records(topic, p.partition, from, 100);
        if (!batch.length) break;
        out.push(...batch.map((r) => ({ ...r, partition: p.partition })));
        from = batch.at(-1)!.offset + 1;
      }
    }
    return out;
  }

  async endOffsets(topic = ORDERS_TOPIC): Promise<number> {
    const t = await this.topic(topic);
    return t ? t.partitions.reduce((a, p) => a + p.highWatermark, 0) : 0;
  }

  // ---- Kafka -----------------------------------------------------------------------------------------

  kafka(): Kafka {
    this.kafkaClient ??= new Kafka({
      clientId: 'lab',
      brokers: [this.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 5 },
    });
    return this.kafkaClient;
  }
  async admin(): Promise<Admin> {
    if (!this.adminClient) {
      const a = this.kafka().admin();
      await a.connect();
      this.adminClient = a;
    }
    return this.adminClient;
  }
  async producer(): Promise<Producer> {
    if (!this.producerClient) {
      const p = this.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
      await p.connect();
      this.producerClient = p;
    }
    return this.producerClient;
  }

  /** Creates a topic unless it exists (through the broker's HTTP API, as the console does). */
  async ensureTopic(name: string, partitions: number, configs?: Record<string, string>): Promise<boolean> {
    if (await this.topic(name)) return false;
    await this.post('/api/topics', { name, partitions, ...(configs && { configs }) });
    return true;
  }

  // ---- orders ----------------------------------------------------------------------------------------

  /** Places `n` orders through the storefront (the producer), as a shopper would. */
  async placeOrders(
    n: number,
    options: { customer?: string; promoCode?: string } = {},
  ): Promise<Array<{ orderId: string; partition: number; offset: number }>> {
    const storefront = (await this.running('storefront'))[0];
    if (!storefront) throw new Error('the storefront is not running; start it from the console (Apps)');
    const placed = [];
    for (let i = 0; i < n; i++) {
      const who = options.customer ?? `lab-${Math.floor(Math.random() * 1e6)}`;
      const product = CATALOGUE[i % CATALOGUE.length]!;
      const res = await fetch(`${storefront.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          customer: {
            email: `${who}@example.org`,
            name: who,
            address: { line1: '1 Lab Street', city: 'Utrecht', postalCode: '3511', country: 'NL' },
          },
          lines: [{ sku: product.sku, qty: 1 }],
          ...(options.promoCode && { promoCode: options.promoCode }),
        }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status !== 202) throw new Error(`the storefront answered ${res.status}: ${await res.text()}`);
      placed.push((await res.json()) as { orderId: string; partition: number; offset: number });
    }
    return placed;
  }

  async setRate(rate: number): Promise<void> {
    await this.post('/api/load', { rate });
  }

  // ---- answers ---------------------------------------------------------------------------------------

  /** A learner's answer to a lab's question: the newest record keyed by the lab's number on `lab-answers`. */
  async answer(lab: string): Promise<string | null> {
    const t = await this.topic(ANSWERS_TOPIC);
    if (!t) return null;
    let newest: { value: string | null; at: number } | null = null;
    for (const r of await this.allRecords(ANSWERS_TOPIC)) {
      if (r.key !== lab) continue;
      if (!newest || r.timestamp >= newest.at) newest = { value: r.value, at: r.timestamp };
    }
    return newest?.value?.trim() ?? null;
  }

  async giveAnswer(lab: string, value: string): Promise<void> {
    await this.ensureTopic(ANSWERS_TOPIC, 1);
    await (await this.producer()).send({ topic: ANSWERS_TOPIC, messages: [{ key: lab, value }] });
  }

  // ---- waiting ---------------------------------------------------------------------------------------

  async waitFor<T>(
    what: string,
    check: () => Promise<T | null | undefined | false>,
    ms = 90_000,
  ): Promise<T> {
    const deadline = Date.now() + ms;
    let last: unknown;
    for (;;) {
      try {
        const v = await check();
        if (v) return v;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline)
        throw new Error(`waited ${ms / 1000} s for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
      await sleep(500);
    }
  }

  /**
   * Whether the group was caught up (lag 0, with at least one member) at some sample in the last
   * `withinMs`: with orders trickling in, "lag 0 right now" flickers, "caught up a moment ago" does not.
   */
  async recentlyCaughtUp(id: string, withinMs = 30_000, minMembers = 1): Promise<boolean> {
    const since = Date.now() - withinMs;
    const g = await this.group(id);
    if (g && g.lag === 0 && g.members.length >= minMembers) return true;
    return (await this.lagHistory(id)).some(
      (p) => p.t >= since && p.lag === 0 && (p.members ?? 0) >= minMembers,
    );
  }

  /** Waits until a group has committed everything on `orders` (lag 0) with `members` members. */
  async caughtUp(id: string, members?: number, ms = 120_000): Promise<GroupDetailView> {
    return this.waitFor(
      `group ${id} to reach lag 0${members === undefined ? '' : ` with ${members} member(s)`}`,
      async () => {
        const g = await this.group(id);
        if (!g || g.state !== 'Stable' || g.lag !== 0) return null;
        if (members !== undefined && g.members.length !== members) return null;
        return g;
      },
      ms,
    );
  }

  async close(): Promise<void> {
    await this.producerClient?.disconnect().catch(() => undefined);
    await this.adminClient?.disconnect().catch(() => undefined);
  }
}

/** Where learners (and `solve`) write answers to a lab's question: key = lab number. */
export const ANSWERS_TOPIC = 'lab-answers';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
