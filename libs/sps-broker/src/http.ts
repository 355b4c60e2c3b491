/**
 * The broker's HTTP port: a small JSON admin API (health, topics, partitions, consumer groups)
 * that the teaching console and scripts build on. Read-only; write actions come from mounted routes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeTopicConfigs } from './config-resources.js';
import { groupDetail, groupSummary } from './http-groups.js';
import type { BrokerState } from './state.js';
import type { Topic } from './topics.js';

type Json = Record<string, unknown> | unknown[];

const ENDPOINTS = ['/api/health', '/api/topics', '/api/topics/:name', '/api/groups', '/api/groups/:id'];

/**
 * Extra routes mounted on the broker's HTTP port (the demo's control API, the console). Called
 * first, for every method; returns true when it answered the request.
 */
export type HttpRoutes = (req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>;

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

export async function startHttp(
  state: BrokerState,
  host: string,
  port: number,
  kafka: () => { host: string; port: number },
  routes?: HttpRoutes,
): Promise<HttpServer> {
  const server = http.createServer(async (req, res) => {
    if (routes) {
      try {
        if (await routes(req, res)) return;
      } catch (err) {
        state.logger.error('HTTP route failed', { url: req.url, error: String(err) });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: String(err) }));
        return;
      }
    }
    answer(req, res);
  });
  const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const send = (status: number, body: Json) => {
      const text = JSON.stringify(body, null, 2);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(text);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return send(405, { error: `${req.method} is not supported here; the admin API is read-only` });
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (path === '/api/health') return send(200, health(state, kafka()));
      if (path === '/api/topics')
        return send(200, { topics: state.topics.list().map((t) => topicSummary(state, t)) });
      const m = /^\/api\/topics\/([^/]+)$/.exec(path);
      if (m) {
        const name = decodeURIComponent(m[1]!);
        const topic = state.topics.get(name);
        if (!topic)
          return send(404, { error: `topic '${name}' does not exist`, topics: state.topics.names() });
        return send(200, topicDetail(state, topic));
      }
      if (path === '/api/groups')
        return send(200, { groups: state.groups.list().map((g) => groupSummary(state, g)) });
      const g = /^\/api\/groups\/([^/]+)$/.exec(path);
      if (g) {
        const id = decodeURIComponent(g[1]!);
        const group = state.groups.get(id);
        if (!group) {
          const groups = state.groups.list().map((x) => x.groupId);
          const known = groups.length ? `groups: ${groups.join(', ')}` : 'there are no groups yet';
          return send(404, { error: `group '${id}' does not exist; ${known}`, groups });
        }
        return send(200, { ...groupDetail(state, group) });
      }
      if (path === '/')
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
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function health(state: BrokerState, kafka: { host: string; port: number }) {
  return {
    status: 'ok',
    nodeId: state.settings.nodeId,
    clusterId: state.settings.clusterId,
    kafka: `${kafka.host}:${kafka.port}`,
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
