/**
 * The broker's HTTP port: a small JSON admin API (health, topics, partitions, consumer groups,
 * records) that the teaching console and scripts build on, the console's live feed
 * (`/api/stream`, server-sent events), the console's write actions (resetting an inactive group's
 * offsets, creating a topic, adding partitions, changing a topic's configs), and the console itself
 * (static files at `/`). Every request passes @orders/http-guard first: Host must be a name of this
 * server (DNS rebinding), and writes need a same-origin or absent Origin, JSON bodies, and the token
 * from other machines — for the routes mounted here (the demo's control API) too.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardWrite, sendRefusal, type GuardOptions } from '@orders/http-guard';
import { describeTopicConfigs } from './config-resources.js';
import { groupDetail, groupSummary } from './http-groups.js';
import { parseResetRequest, resetOffsets } from './http-offsets.js';
import { decodePathSegment, HttpError, readJsonBody } from './http-json.js';
import { readRecords } from './http-records.js';
import { addPartitions, changeConfigs, createTopic } from './http-topics.js';
import { LiveFeed, type LiveOptions } from './live.js';
import type { BrokerState } from './state.js';
import { staticFiles } from './static.js';
import type { Topic } from './topics.js';

type Json = Record<string, unknown> | unknown[];

const ENDPOINTS = [
  'GET /api/health',
  'GET /api/topics',
  'GET /api/topics/:name',
  'POST /api/topics {"name", "partitions", "configs"?: {"retention.ms": "…"}}',
  'POST /api/topics/:name/partitions {"total"}',
  'PATCH /api/topics/:name/configs {"retention.ms": "60000", …} (null: back to the default)',
  'GET /api/topics/:name/partitions/:p/records?limit=20[&offset=N]',
  'GET /api/groups',
  'GET /api/groups/:id',
  'POST /api/groups/:id/reset-offsets {"topic", "to": "earliest"|"latest"|{"timestamp"}|{"offset"}|{"shiftBy"}}',
  'GET /api/stream (server-sent events: history, snapshot every second, group-event)',
  'GET /api/history',
];

export interface HttpExtras {
  /** A built single-page app to serve at `/` (the console's dist/); null = none. */
  consoleDir?: string | null;
  /** Lets write actions come from other machines with `Authorization: Bearer <token>`. */
  token?: string;
  /** Names clients may use in `Host` besides this machine's own (see @orders/http-guard). */
  allowedHosts?: readonly string[];
  /** The flags to name in refusals (default `--allowed-host {name}`, `--console-token {secret}`). */
  hints?: GuardOptions['hints'];
  live?: LiveOptions;
  /** The Kinesis API's endpoint (it starts after this port), shown in /api/health; null when off. */
  kinesisEndpoint?: () => string | null;
}

/**
 * Extra routes mounted on the broker's HTTP port (the demo's control API, the console). Called
 * first, for every method; returns true when it answered the request.
 */
export type HttpRoutes = (req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>;

export interface HttpServer {
  port: number;
  live: LiveFeed;
  close(): Promise<void>;
}

export async function startHttp(
  state: BrokerState,
  host: string,
  port: number,
  kafka: () => { host: string; port: number },
  routes?: HttpRoutes,
  extras: HttpExtras = {},
): Promise<HttpServer> {
  const live = new LiveFeed(state, extras.live);
  const files = extras.consoleDir ? staticFiles(extras.consoleDir) : null;
  const guard: GuardOptions = {
    token: extras.token,
    allowedHosts: extras.allowedHosts,
    hints: extras.hints ?? { allowedHost: '--allowed-host {name}', token: '--console-token {secret}' },
  };
  const server = http.createServer(async (req, res) => {
    const refusal = guardWrite(req, guard);
    if (refusal) return sendRefusal(res, refusal);
    for (const route of [routes, files]) {
      if (!route) continue;
      try {
        if (await route(req, res)) return;
      } catch (err) {
        if (err instanceof HttpError && !res.headersSent) {
          res.writeHead(err.status, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ error: err.message }));
          return;
        }
        state.logger.error('HTTP route failed', { url: req.url, error: String(err) });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: String(err) }));
        return;
      }
    }
    await answer(req, res);
  });
  const answer = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const send = (status: number, body: Json) => {
      const text = JSON.stringify(body, null, 2);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        ...(status === 401 && { 'www-authenticate': 'Bearer' }),
      });
      res.end(text);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      // The write actions: [path pattern, method, what it does (status on success)].
      const writes: Array<[RegExp, string, number, (m: string[], body: unknown) => Promise<Json>]> = [
        [
          /^\/api\/groups\/([^/]+)\/reset-offsets$/,
          'POST',
          200,
          async (m, body) => ({ ...(await resetOffsets(state, m[1]!, parseResetRequest(body))) }),
        ],
        [/^\/api\/topics$/, 'POST', 201, async (_, body) => ({ ...(await createTopic(state, body)) })],
        [
          /^\/api\/topics\/([^/]+)\/partitions$/,
          'POST',
          200,
          async (m, body) => ({ ...(await addPartitions(state, m[1]!, body)) }),
        ],
        [
          /^\/api\/topics\/([^/]+)\/configs$/,
          'PATCH',
          200,
          async (m, body) => ({ ...(await changeConfigs(state, m[1]!, body)) }),
        ],
      ];
      for (const [pattern, method, status, run] of writes) {
        const match = pattern.exec(path);
        if (!match) continue;
        // GET /api/topics lists the topics: reads fall through to the routes below.
        if (path === '/api/topics' && (req.method === 'GET' || req.method === 'HEAD')) break;
        if (req.method !== method) return send(405, { error: `use ${method} on ${path}` });
        // Who may write (Host, Origin, token, JSON) was checked on the way in (guardWrite).
        try {
          const args = match.map((x, i) => (i === 0 ? x : decodePathSegment(x)));
          return send(status, await run(args, await readJsonBody(req)));
        } catch (err) {
          if (err instanceof HttpError) return send(err.status, { error: err.message });
          throw err;
        }
      }
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return send(405, {
          error: `${req.method} is not supported on ${path}; the writes are: ${ENDPOINTS.filter((e) => !e.startsWith('GET')).join('; ')}`,
        });
      if (path === '/api/stream') return stream(live, req, res);
      if (path === '/api/history') return send(200, { ...live.history() });
      if (path === '/api/health')
        return send(200, health(state, kafka(), extras.kinesisEndpoint?.() ?? null));
      const rec = /^\/api\/topics\/([^/]+)\/partitions\/(\d+)\/records$/.exec(path);
      if (rec) {
        const num = (name: string) => {
          const v = url.searchParams.get(name);
          if (v === null || v === '') return undefined;
          const n = Number(v);
          if (!Number.isSafeInteger(n) || n < 0) throw new HttpError(400, `${name}: a whole number ≥ 0`);
          return n;
        };
        try {
          const view = await readRecords(state, decodePathSegment(rec[1]!), Number(rec[2]), {
            limit: num('limit'),
            offset: num('offset'),
          });
          return send(200, { ...view });
        } catch (err) {
          if (err instanceof HttpError) return send(err.status, { error: err.message });
          throw err;
        }
      }
      if (path === '/api/topics')
        return send(200, { topics: state.topics.list().map((t) => topicSummary(state, t)) });
      const m = /^\/api\/topics\/([^/]+)$/.exec(path);
      if (m) {
        const name = decodePathSegment(m[1]!);
        const topic = state.topics.get(name);
        if (!topic)
          return send(404, { error: `topic '${name}' does not exist`, topics: state.topics.names() });
        return send(200, topicDetail(state, topic));
      }
      if (path === '/api/groups')
        return send(200, { groups: state.groups.list().map((g) => groupSummary(state, g)) });
      const g = /^\/api\/groups\/([^/]+)$/.exec(path);
      if (g) {
        const id = decodePathSegment(g[1]!);
        const group = state.groups.get(id);
        if (!group) {
          const groups = state.groups.list().map((x) => x.groupId);
          const known = groups.length ? `groups: ${groups.join(', ')}` : 'there are no groups yet';
          return send(404, { error: `group '${id}' does not exist; ${known}`, groups });
        }
        return send(200, { ...groupDetail(state, group) });
      }
      if (path === '/' || path === '/api')
        return send(200, {
          name: 'sps',
          description: 'the orders stream broker (Kafka protocol); admin API below',
          endpoints: ENDPOINTS,
        });
      return send(404, {
        error: `no such endpoint: ${url.pathname}`,
        endpoints: ENDPOINTS,
      });
    } catch (err) {
      if (err instanceof HttpError) return send(err.status, { error: err.message });
      state.logger.error('admin API request failed', { url: req.url, error: String(err) });
      send(500, { error: String(err) });
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  live.start();
  return {
    port: (server.address() as AddressInfo).port,
    live,
    close: () =>
      new Promise<void>((resolve) => {
        live.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Server-sent events: `history` once, then `snapshot` every interval and `group-event` as they happen. */
function stream(live: LiveFeed, req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  res.write(`retry: ${live.intervalMs}\n\n`);
  req.socket.setNoDelay(true);
  const unsubscribe = live.subscribe((event, data) => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  });
  const end = () => unsubscribe();
  req.once('close', end);
  res.once('close', end);
}

function health(state: BrokerState, kafka: { host: string; port: number }, kinesis: string | null) {
  return {
    status: 'ok',
    nodeId: state.settings.nodeId,
    clusterId: state.settings.clusterId,
    kafka: `${kafka.host}:${kafka.port}`,
    /** The Kinesis API's endpoint (AWS SDK `endpoint`), or null when the broker does not serve it. */
    kinesis,
    uptimeMs: Date.now() - state.startedAt,
    topics: state.topics.list().length,
    connections: state.stats.connections,
    requests: state.stats.requests,
    producedBatches: state.stats.producedBatches,
    producedBytes: state.stats.producedBytes,
    fetchedBytes: state.stats.fetchedBytes,
    waitingFetches: state.appends.waiting,
    memory: { rssBytes: process.memoryUsage().rss },
  };
}

function retention(state: BrokerState, topic: Topic) {
  const c = topic.partitions[0]?.config;
  const configs = Object.fromEntries(
    describeTopicConfigs(state, topic.name, false).map((d) => [d.name, d.value]),
  );
  return {
    retentionMs: c ? c.retentionMs : Number(configs['retention.ms']),
    retentionBytes: c ? c.retentionBytes : Number(configs['retention.bytes']),
    segmentBytes: c ? c.segmentBytes : Number(configs['segment.bytes']),
    segmentMs: c ? c.segmentMs : Number(configs['segment.ms']),
    cleanupPolicy: configs['cleanup.policy'],
  };
}

function topicSummary(state: BrokerState, topic: Topic) {
  let records = 0;
  let bytes = 0;
  for (const log of topic.partitions) {
    records += log.highWatermark - log.logStartOffset;
    bytes += log.sizeBytes;
  }
  return {
    name: topic.name,
    id: topic.id,
    partitionCount: topic.partitions.length,
    retainedRecords: records,
    bytes,
    retention: retention(state, topic),
    overrides: topic.overrides,
  };
}

function topicDetail(state: BrokerState, topic: Topic) {
  return {
    ...topicSummary(state, topic),
    configs: describeTopicConfigs(state, topic.name, false).map((c) => ({
      name: c.name,
      value: c.value,
      source: c.isDefault ? 'default' : 'topic',
    })),
    partitions: topic.partitions.map((log, partition) => ({
      partition,
      leader: state.settings.nodeId,
      logStartOffset: log.logStartOffset,
      highWatermark: log.highWatermark,
      retainedRecords: log.highWatermark - log.logStartOffset,
      bytes: log.sizeBytes,
      segmentCount: log.segmentCount,
      segments: log.segments(),
    })),
  };
}
