/**
 * The Kinesis Data Streams API on one port, for every client: the AWS CLI, boto3 and curl speak
 * HTTP/1.1; the AWS SDK for JavaScript v3 always speaks HTTP/2, and against an http:// endpoint
 * that means cleartext HTTP/2 with prior knowledge (h2c). Each connection's first bytes decide:
 * the HTTP/2 preface (`PRI * HTTP/2.0`) goes to node:http2, anything else to node:http.
 *
 * Requests are `POST /` with `X-Amz-Target: Kinesis_20131202.<Action>` and a JSON 1.1 body
 * (`application/x-amz-json-1.1`). SigV4 `Authorization` headers are accepted and NOT verified: any
 * credentials work (the region in the credential scope goes into the ARNs). CBOR
 * (`application/x-amz-cbor-1.1`, the Java SDK's default) is refused with a message saying how to
 * turn it off.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { actions } from './actions/index.js';
import { EventStreamReply, type EventSink } from './actions/action.js';
import { regionFromAuthorization } from './arn.js';
import type { ActionContext } from './context.js';
import { KinesisError } from './errors.js';
import { IteratorCodec } from './iterators.js';
import { LeaseTables } from './leases.js';
import { KinesisMetadata } from './metadata.js';
import type { StreamStore } from './store.js';
import { Subscriptions } from './subscriptions.js';
import { parseInput } from './validation.js';

export interface KinesisApiOptions {
  store: StreamStore;
  host?: string;
  /** 0 picks a free port. */
  port: number;
}

export interface KinesisApiHandle {
  host: string;
  port: number;
  /** `http://host:port`, the endpoint to give the AWS SDKs and `aws --endpoint-url`. */
  endpoint: string;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'Kinesis_20131202.';
const JSON_TYPE = 'application/x-amz-json-1.1';
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0');

type Request = http.IncomingMessage | http2.Http2ServerRequest;
type Response = http.ServerResponse | http2.Http2ServerResponse;

const utf8 = {
  to: (b: Uint8Array) => Buffer.from(b).toString('utf8'),
  from: (s: string) => new Uint8Array(Buffer.from(s, 'utf8')),
};

export async function startKinesisApi(options: KinesisApiOptions): Promise<KinesisApiHandle> {
  const host = options.host ?? '127.0.0.1';
  const { store } = options;
  const meta = await KinesisMetadata.open(store.dataDir);
  await meta.prune(new Set(store.list().map((t) => t.id)));
  const iterators = new IteratorCodec(meta.iteratorKey);
  const subscriptions = new Subscriptions();
  const leases = await LeaseTables.open(store.dataDir);
  const codec = new EventStreamCodec(utf8.to, utf8.from);
  let closing = false;
  const closers = new Set<() => void>();

  const handle = async (req: Request, res: Response) => {
    const requestId = randomUUID();
    const send = (status: number, body: object, extra: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': JSON_TYPE,
        'content-length': String(Buffer.byteLength(text)),
        'x-amzn-requestid': requestId,
        ...extra,
      });
      res.end(text);
    };
    const fail = (err: KinesisError) =>
      send(err.status, { __type: err.type, message: err.message }, { 'x-amzn-errortype': err.type });

    try {
      const body = await readBody(req);
      if (req.method !== 'POST')
        throw new KinesisError(
          'UnknownOperationException',
          `The Kinesis API takes POST / with X-Amz-Target: ${TARGET_PREFIX}<Action>.`,
        );
      const contentType = String(req.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim();
      if (contentType === 'application/x-amz-cbor-1.1')
        throw new KinesisError(
          'SerializationException',
          'CBOR is not supported by this Kinesis endpoint: send JSON 1.1 (Java SDK: -Daws.cborEnabled=false or AWS_CBOR_DISABLED=true).',
        );
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = target.startsWith(TARGET_PREFIX)
        ? actions.get(target.slice(TARGET_PREFIX.length))
        : undefined;
      if (!action)
        throw new KinesisError(
          'UnknownOperationException',
          target ? `Unknown operation ${target}.` : `Missing X-Amz-Target: ${TARGET_PREFIX}<Action>.`,
        );
      let json: unknown;
      try {
        json = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      } catch {
        throw new KinesisError('SerializationException', 'The request body is not valid JSON.');
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json))
        throw new KinesisError('SerializationException', 'The request body must be a JSON object.');
      const ctx: ActionContext = {
        store,
        meta,
        iterators,
        subscriptions,
        leases,
        region: regionFromAuthorization(String(req.headers.authorization ?? '')) ?? 'us-east-1',
        now: Date.now,
      };
      const answer = await action.handle(parseInput(action.input, json), ctx);
      if (answer instanceof EventStreamReply) await streamEvents(res, requestId, answer);
      else send(200, answer);
    } catch (err) {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (err instanceof KinesisError) return fail(err);
      store.logger.error('Kinesis request failed', {
        target: req.headers['x-amz-target'],
        error: String(err),
      });
      fail(new KinesisError('InternalFailureException', `Internal service failure: ${String(err)}`, 500));
    }
  };

  async function streamEvents(res: Response, requestId: string, reply: EventStreamReply): Promise<void> {
    res.writeHead(200, {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': requestId,
    });
    let closed = false;
    let markGone!: () => void;
    const gone = new Promise<void>((resolve) => (markGone = resolve));
    const stop = () => {
      closed = true;
      markGone();
    };
    res.once('close', stop);
    closers.add(stop);
    const write = (headers: Record<string, string>, payload: object) => {
      if (closed) return;
      const message = codec.encode({
        headers: Object.fromEntries(
          Object.entries(headers).map(([k, value]) => [k, { type: 'string', value }]),
        ),
        body: utf8.from(JSON.stringify(payload)),
      });
      (res as http.ServerResponse).write(Buffer.from(message));
    };
    const sink: EventSink = {
      event: (eventType, payload) =>
        write(
          { ':event-type': eventType, ':message-type': 'event', ':content-type': 'application/json' },
          payload,
        ),
      exception: (exceptionType, message) =>
        write(
          {
            ':exception-type': exceptionType,
            ':message-type': 'exception',
            ':content-type': 'application/json',
          },
          { message },
        ),
      get closed() {
        return closed || closing;
      },
      gone,
    };
    try {
      await reply.run(sink);
    } finally {
      closers.delete(stop);
      if (!closed) res.end();
    }
  }

  const h1 = http.createServer((req, res) => void handle(req, res));
  const h2 = http2.createServer({}, (req, res) => void handle(req, res));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    let seen = Buffer.alloc(0);
    const sniff = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, H2_PREFACE.length);
      const h2Start = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
      if (h2Start && n < H2_PREFACE.length) return; // too few bytes to tell yet
      socket.off('data', sniff);
      socket.pause();
      socket.unshift(seen);
      // node:http2 reads what is already buffered on the socket itself (nodejs/node#35475);
      // node:http needs the socket flowing again
      if (h2Start) h2.emit('connection', socket);
      else {
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', sniff);
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  store.logger.debug('Kinesis API listening', { host, port });

  return {
    host,
    port,
    endpoint: `http://${shownHost}:${port}`,
    async close() {
      closing = true;
      for (const stop of closers) stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        h1.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      await meta.flush();
      await leases.flush();
    },
  };
}

function readBody(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new KinesisError(
            'SerializationException',
            `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
            413,
          ),
        );
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
