/**
 * One client connection: splits the byte stream into size-prefixed request frames, dispatches
 * each to its API handler and writes the responses back in request order (clients pipeline, and
 * Kafka promises in-order answers per connection). Connections are independent of each other.
 *
 * Bad input never reaches the log: an oversize or negative frame size, an unknown API or version,
 * or a body that does not parse closes the connection (as Kafka does); a handler error closes it
 * too, after logging, so the client reconnects and retries.
 */
import type { Socket } from 'node:net';
import {
  ApiKey,
  ErrorCode,
  apiName,
  decodeRequest,
  decodeRequestHeader,
  encodeResponse,
} from '@orders/kafka-protocol';
import { advertisedApis, handlers } from './handlers/registry.js';
import type { RequestContext } from './handlers/handler.js';
import type { BrokerState } from './state.js';

/** Pause reading when this many responses are still owed, so one client cannot queue unbounded work. */
const MAX_IN_FLIGHT = 512;

interface Pending {
  chunks: Buffer[] | null;
  done: boolean;
}

export class Connection {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private readonly queue: Pending[] = [];
  private closed = false;
  readonly remote: string;

  constructor(
    private readonly socket: Socket,
    private readonly state: BrokerState,
    private readonly maxRequestBytes: number,
  ) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('drain', () => this.maybeResume());
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (reason) this.state.logger.warn(`closing connection from ${this.remote}: ${reason}`);
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    while (!this.closed && this.bufferedBytes >= 4) {
      const head = this.buffered[0]!.length >= 4 ? this.buffered[0]! : this.flatten();
      const size = head.readInt32BE(0);
      if (size < 0 || size > this.maxRequestBytes) {
        this.close(`request of ${size} bytes is outside 0..${this.maxRequestBytes} (max request size)`);
        return;
      }
      if (this.bufferedBytes < 4 + size) return;
      const all = this.flatten();
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
      this.onFrame(frame);
    }
  }

  private flatten(): Buffer {
    if (this.buffered.length > 1) this.buffered = [Buffer.concat(this.buffered, this.bufferedBytes)];
    return this.buffered[0]!;
  }

  private onFrame(frame: Buffer): void {
    let header;
    try {
      header = decodeRequestHeader(frame);
    } catch (err) {
      this.close(`malformed request header (${(err as Error).message})`);
      return;
    }
    const { apiKey, apiVersion, correlationId } = header;
    const handler = handlers.get(apiKey);
    if (!handler || apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === ApiKey.ApiVersions) {
        // KIP-511: answer a too-new ApiVersions in v0 framing, listing what we do speak.
        this.respondWith(
          encodeResponse(ApiKey.ApiVersions, 0, correlationId, {
            errorCode: ErrorCode.UNSUPPORTED_VERSION,
            apiKeys: advertisedApis(),
          }),
        );
        return;
      }
      this.close(
        handler
          ? `${handler.name} v${apiVersion} is not supported (we speak v${handler.minVersion}-${handler.maxVersion})`
          : `unknown API key ${apiKey}`,
      );
      return;
    }
    let body;
    try {
      body = decodeRequest(apiKey, apiVersion, frame, header.bodyOffset);
    } catch (err) {
      this.close(`malformed ${apiName(apiKey)} v${apiVersion} request (${(err as Error).message})`);
      return;
    }
    const ctx: RequestContext = {
      version: apiVersion,
      clientId: header.clientId,
      clientHost: this.socket.remoteAddress ?? 'unknown',
      localAddress: this.socket.localAddress ?? '127.0.0.1',
      state: this.state,
    };
    this.state.stats.requests++;
    const slot: Pending = { chunks: null, done: false };
    this.queue.push(slot);
    if (this.queue.length >= MAX_IN_FLIGHT) this.socket.pause();
    // Called synchronously so that appends from pipelined produce requests keep their order.
    let result;
    try {
      result = handler.handle(body, ctx);
    } catch (err) {
      this.handlerFailed(handler.name, apiVersion, err);
      return;
    }
    Promise.resolve(result).then(
      (response) => {
        slot.chunks =
          response === null || response === undefined
            ? null
            : encodeResponse(apiKey, apiVersion, correlationId, response as object);
        slot.done = true;
        this.flushQueue();
      },
      (err) => this.handlerFailed(handler.name, apiVersion, err),
    );
  }

  private handlerFailed(name: string, version: number, err: unknown): void {
    this.state.logger.error(`${name} v${version} failed; closing the connection so the client retries`, {
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    this.close();
  }

  private respondWith(chunks: Buffer[]): void {
    this.queue.push({ chunks, done: true });
    this.flushQueue();
  }

  private flushQueue(): void {
    while (this.queue.length > 0 && this.queue[0]!.done) {
      const { chunks } = this.queue.shift()!;
      if (chunks && !this.closed) {
        this.socket.cork();
        for (const c of chunks) this.socket.write(c);
        this.socket.uncork();
      }
    }
    // A client that does not read its responses stops being read from (backpressure).
    if (this.socket.writableLength >= 16 * 1024 * 1024) this.socket.pause();
    else this.maybeResume();
  }

  private maybeResume(): void {
    if (
      !this.closed &&
      this.socket.isPaused() &&
      this.queue.length < MAX_IN_FLIGHT / 2 &&
      this.socket.writableLength < 16 * 1024 * 1024
    )
      this.socket.resume();
  }
}
