/**
 * One client connection: splits the byte stream into size-prefixed request frames, dispatches
 * each to its API handler and writes the responses back in request order (clients pipeline, and
 * Kafka promises in-order answers per connection). Connections are independent of each other.
 *
 * Bad input never reaches the log: an oversize or negative frame size, an unknown API or version,
 * or a body that does not parse closes the connection (as Kafka does); a handler error closes it
 * too, after logging, so the client reconnects and retries. Such warnings are rate-limited.
 *
 * With SASL on, nothing but ApiVersions and the SASL exchange is read until the client has
 * authenticated (see sasl/session.ts). Requests' bytes count against the listener's shared
 * budget (queued.max.request.bytes) from the moment their size prefix is read: when it is spent,
 * the socket is not read until answers free some. A connection idle for connections.max.idle.ms
 * is closed.
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
import type { RateLimitedLog, RequestMemory } from './limits.js';
import type { SaslUsers } from './sasl/credentials.js';
import { SaslFailure, SaslSession } from './sasl/session.js';
import type { BrokerState } from './state.js';

/** Pause reading when this many responses are still owed, so one client cannot queue unbounded work. */
const MAX_IN_FLIGHT = 512;
/** Stop reading a client that does not read its responses once this much output is queued. */
const MAX_UNSENT_BYTES = 16 * 1024 * 1024;

export interface ConnectionOptions {
  maxRequestBytes: number;
  /** The listener's SASL users, or null for no authentication. */
  sasl: SaslUsers | null;
  memory: RequestMemory;
  warnings: RateLimitedLog;
  /** connections.max.idle.ms; 0 = never. */
  idleMs: number;
}

interface Pending {
  chunks: Buffer[] | null;
  done: boolean;
  /** Request bytes reserved in the shared budget until this response is ready. */
  bytes: number;
  closeAfter?: boolean;
}

export class Connection {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private readonly queue: Pending[] = [];
  private closed = false;
  /** Budget reserved for the frame being received (its size prefix has been read). */
  private reservedForNext = -1;
  /** Bytes held in the budget by this connection (the frame being received + unanswered ones). */
  private heldBytes = 0;
  private waitingForMemory = false;
  /** A SASL step is being evaluated: later frames wait, since its outcome decides how to read them. */
  private holding = false;
  private processing = false;
  /** The socket is corked until the next tick (see corkUntilNextTick). */
  private corked = false;
  private readonly sasl: SaslSession | null;
  readonly remote: string;

  constructor(
    private readonly socket: Socket,
    private readonly state: BrokerState,
    private readonly opts: ConnectionOptions,
  ) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.sasl = opts.sasl ? new SaslSession(opts.sasl) : null;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.updateFlow());
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    if (opts.idleMs > 0) {
      socket.setTimeout(opts.idleMs);
      socket.on('timeout', () => {
        // A request still being handled (a long-poll Fetch) is not idleness.
        if (this.queue.length > 0) return;
        this.state.logger.info(`closing idle connection from ${this.remote}`, {
          idleMs: opts.idleMs,
          setting: 'connections.max.idle.ms',
        });
        this.close();
      });
    }
  }

  close(reason?: string, kind = 'bad-request'): void {
    if (this.closed) return;
    this.closed = true;
    if (reason) this.opts.warnings.warn(kind, `closing connection from ${this.remote}: ${reason}`);
    this.releaseAll();
    this.socket.destroy();
  }

  /** Ends the connection once what is queued has been written (after a failed login's answer). */
  private endAfterWrite(): void {
    if (this.closed) return;
    this.closed = true;
    this.releaseAll();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private releaseAll(): void {
    this.opts.memory.release(this.heldBytes);
    this.heldBytes = 0;
    this.reservedForNext = -1;
    for (const slot of this.queue) slot.bytes = 0;
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    this.processFrames();
  }

  private processFrames(): void {
    // A response completed synchronously inside the loop must not start a nested loop.
    if (this.processing) return;
    this.processing = true;
    try {
      this.readFrames();
    } finally {
      this.processing = false;
    }
    this.updateFlow();
  }

  private readFrames(): void {
    while (!this.closed && !this.holding && !this.waitingForMemory && this.bufferedBytes >= 4) {
      const head = this.buffered[0]!.length >= 4 ? this.buffered[0]! : this.flatten();
      const size = head.readInt32BE(0);
      if (size < 0 || size > this.opts.maxRequestBytes) {
        this.close(
          `request of ${size} bytes is outside 0..${this.opts.maxRequestBytes} (max request size)`,
          'frame-size',
        );
        return;
      }
      if (this.reservedForNext < 0) {
        if (!this.opts.memory.tryReserve(size)) {
          this.waitForMemory();
          return;
        }
        this.reservedForNext = size;
        this.heldBytes += size;
      }
      if (this.bufferedBytes < 4 + size) break;
      const all = this.flatten();
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
      const bytes = this.reservedForNext;
      this.reservedForNext = -1;
      this.onFrame(frame, bytes);
    }
  }

  private waitForMemory(): void {
    this.waitingForMemory = true;
    this.updateFlow();
    this.opts.memory.waitForRelease(() => {
      if (this.closed) return;
      this.waitingForMemory = false;
      this.processFrames();
    });
  }

  private flatten(): Buffer {
    if (this.buffered.length > 1) this.buffered = [Buffer.concat(this.buffered, this.bufferedBytes)];
    return this.buffered[0]!;
  }

  private releaseFrame(bytes: number): void {
    if (bytes <= 0 || this.closed) return;
    this.heldBytes -= bytes;
    this.opts.memory.release(bytes);
  }

  private onFrame(frame: Buffer, bytes: number): void {
    if (this.sasl?.state === 'raw') {
      this.onRawSaslToken(frame, bytes);
      return;
    }
    let header;
    try {
      header = decodeRequestHeader(frame);
    } catch (err) {
      this.close(`malformed request header (${(err as Error).message})`, 'bad-header');
      return;
    }
    const { apiKey, apiVersion, correlationId } = header;
    if (this.sasl && !this.sasl.authenticated) {
      // Kafka's authenticator reads only these before a login, and closes on anything else.
      const allowed: number[] =
        this.sasl.state === 'initial'
          ? [ApiKey.ApiVersions, ApiKey.SaslHandshake]
          : [ApiKey.SaslAuthenticate as number];
      if (!allowed.includes(apiKey)) {
        this.close(
          `${apiName(apiKey) ?? `API key ${apiKey}`} before SASL authentication (only ${allowed.map(apiName).join(', ')} now); is the client configured for SASL?`,
          'unauthenticated',
        );
        return;
      }
    }
    const handler = handlers.get(apiKey);
    if (!handler || apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === ApiKey.ApiVersions) {
        // KIP-511: answer a too-new ApiVersions in v0 framing, listing what we do speak.
        this.respondWith(
          encodeResponse(ApiKey.ApiVersions, 0, correlationId, {
            errorCode: ErrorCode.UNSUPPORTED_VERSION,
            apiKeys: advertisedApis(),
          }),
          bytes,
        );
        return;
      }
      this.close(
        handler
          ? `${handler.name} v${apiVersion} is not supported (we speak v${handler.minVersion}-${handler.maxVersion})`
          : `unknown API key ${apiKey}`,
        'unsupported',
      );
      return;
    }
    let body;
    try {
      body = decodeRequest(apiKey, apiVersion, frame, header.bodyOffset);
    } catch (err) {
      this.close(
        `malformed ${apiName(apiKey)} v${apiVersion} request (${(err as Error).message})`,
        'bad-body',
      );
      return;
    }
    const slot: Pending = { chunks: null, done: false, bytes };
    const ctx: RequestContext = {
      version: apiVersion,
      clientId: header.clientId,
      clientHost: this.socket.remoteAddress ?? 'unknown',
      localAddress: this.socket.localAddress ?? '127.0.0.1',
      state: this.state,
      sasl: this.sasl,
      closeAfterResponse: () => (slot.closeAfter = true),
      warn: (kind, msg, fields) => this.opts.warnings.warn(kind, msg, fields),
    };
    this.state.stats.requests++;
    this.queue.push(slot);
    // Until authenticated, each SASL answer decides how the next frame is read: wait for it.
    if (this.sasl && !this.sasl.authenticated) this.holding = true;
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
        this.complete(slot);
      },
      (err) => this.handlerFailed(handler.name, apiVersion, err),
    );
  }

  /** After a SaslHandshake v0: the frame is a bare SASL token, answered by a bare token. */
  private onRawSaslToken(token: Buffer, bytes: number): void {
    const sasl = this.sasl!;
    const slot: Pending = { chunks: null, done: false, bytes };
    this.queue.push(slot);
    this.holding = true;
    sasl.step(Buffer.from(token)).then(
      (response) => {
        const size = Buffer.alloc(4);
        size.writeInt32BE(response.length);
        slot.chunks = [size, response];
        this.complete(slot);
      },
      (err: unknown) => {
        // No error frame exists in this exchange: Kafka just closes the connection.
        const reason = err instanceof SaslFailure ? err.message : String(err);
        this.opts.warnings.warn(
          'sasl-failed',
          `SASL ${sasl.mechanism} login failed; closing the connection`,
          {
            client: this.socket.remoteAddress,
            reason,
          },
        );
        this.close();
      },
    );
  }

  private complete(slot: Pending): void {
    slot.done = true;
    this.releaseFrame(slot.bytes);
    slot.bytes = 0;
    this.holding = false;
    this.flushQueue();
    if (!this.closed && this.bufferedBytes > 0) this.processFrames();
  }

  private handlerFailed(name: string, version: number, err: unknown): void {
    this.state.logger.error(`${name} v${version} failed; closing the connection so the client retries`, {
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    this.close();
  }

  private respondWith(chunks: Buffer[], bytes: number): void {
    const slot: Pending = { chunks, done: false, bytes };
    this.queue.push(slot);
    this.complete(slot);
  }

  private flushQueue(): void {
    while (this.queue.length > 0 && this.queue[0]!.done) {
      const { chunks, closeAfter } = this.queue.shift()!;
      if (chunks && !this.closed) {
        this.corkUntilNextTick();
        for (const c of chunks) this.socket.write(c);
      }
      if (closeAfter) this.endAfterWrite();
    }
    this.updateFlow();
  }

  /**
   * Holds the socket's writes until the current run of callbacks is over, so that the answers that
   * become ready together (all the acks=all produces one group-commit fsync covered, pipelined
   * requests answered at once) leave in one writev instead of one write each.
   */
  private corkUntilNextTick(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }

  /** Reads the socket only when nothing says wait: budget, owed answers, unsent output, a SASL step. */
  private updateFlow(): void {
    if (this.closed) return;
    const wait =
      this.waitingForMemory ||
      this.holding ||
      this.queue.length >= MAX_IN_FLIGHT ||
      this.socket.writableLength >= MAX_UNSENT_BYTES;
    if (wait && !this.socket.isPaused()) this.socket.pause();
    else if (!wait && this.socket.isPaused()) this.socket.resume();
  }
}
