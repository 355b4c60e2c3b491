// A minimal Kafka protocol connection: length-prefixed frames over a net.Socket, one promise per
// request, matched by correlation id. Brokers answer a connection's requests in order.
import { Socket, connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ClientSecurity } from '../security.js';
import { decodeResponse, encodeRequest } from './protocol.js';
import { authenticate } from './sasl.js';

export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}

interface Pending {
  apiKey: number;
  version: number;
  resolve(body: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface ConnectOptions {
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** TLS and SASL (KAFKA_SSL…, KAFKA_SASL_…); default plaintext, no login. */
  security?: ClientSecurity;
}

export class Connection {
  private nextCorrelationId = 1;
  private readonly pending = new Map<number, Pending>();
  private chunks: Buffer[] = [];
  private buffered = 0;
  private closedError: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    private readonly clientId: string,
    private readonly requestTimeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      this.fail(new ConnectionError(`connection to ${address} failed: ${err.message}`, err.code)),
    );
    socket.on('close', () =>
      this.fail(new ConnectionError(`connection to ${address} closed by the broker`, 'ECONNRESET')),
    );
  }

  /** Connects (over TLS when asked) and logs in with SASL when asked. */
  static async connect(host: string, port: number, opts: ConnectOptions = {}): Promise<Connection> {
    const conn = await Connection.open(host, port, opts);
    const sasl = opts.security?.sasl;
    if (sasl) {
      try {
        await authenticate(conn, sasl);
      } catch (err) {
        conn.close();
        throw err;
      }
    }
    return conn;
  }

  private static open(host: string, port: number, opts: ConnectOptions): Promise<Connection> {
    const address = `${host}:${port}`;
    const tls = opts.security?.tls;
    return new Promise((resolve, reject) => {
      const socket = tls
        ? tlsConnect({ host, port, ca: tls.ca, servername: isIP(host) ? undefined : host })
        : netConnect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionError(`connecting to ${address} timed out`, 'ETIMEDOUT'));
      }, opts.connectTimeoutMs ?? 5000);
      const onError = (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new ConnectionError(
            `cannot connect to ${address}: ${tls ? err.message : (err.code ?? err.message)}`,
            err.code,
          ),
        );
      };
      socket.once('error', onError);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new Connection(socket, address, opts.clientId ?? 'sps-cli', opts.requestTimeoutMs ?? 30_000));
      });
    });
  }

  /** Sends one request and resolves with the decoded response body. */
  request<T>(apiKey: number, version: number, body: object, timeoutMs = this.requestTimeoutMs): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const correlationId = this.nextCorrelationId++;
    if (this.nextCorrelationId > 0x7fffffff) this.nextCorrelationId = 1;
    const frame = encodeRequest(apiKey, version, correlationId, this.clientId, body);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(
          new ConnectionError(
            `no answer from ${this.address} within ${timeoutMs} ms (api ${apiKey} v${version})`,
            'ETIMEDOUT',
          ),
        );
      }, timeoutMs);
      this.pending.set(correlationId, {
        apiKey,
        version,
        resolve: resolve as (b: unknown) => void,
        reject,
        timer,
      });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.fail(new ConnectionError(`connection to ${this.address} closed`, 'ECLOSED'));
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      const size = buf.readInt32BE(0);
      if (size < 4) {
        this.socket.destroy();
        this.fail(new ConnectionError(`${this.address} sent an invalid frame size ${size}`));
        return;
      }
      if (this.buffered < 4 + size) {
        this.chunks = [buf];
        return;
      }
      const frame = buf.subarray(4, 4 + size);
      buf = buf.subarray(4 + size);
      this.chunks = buf.length ? [buf] : [];
      this.buffered = buf.length;
      this.onFrame(frame);
    }
  }

  private onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const p = this.pending.get(correlationId);
    if (!p) return; // answer to a request that timed out
    this.pending.delete(correlationId);
    clearTimeout(p.timer);
    try {
      p.resolve(decodeResponse(p.apiKey, p.version, frame).body);
    } catch (err) {
      p.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }
}
