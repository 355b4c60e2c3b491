/**
 * A bare Kafka protocol connection for tests that need to send exactly the bytes they choose
 * (malformed frames, odd versions) or read without consumer groups.
 */
import net from 'node:net';
import { decodeResponse, encodeRequest } from '@orders/kafka-protocol';

export class RawConnection {
  private buffer = Buffer.alloc(0);
  private waiting: Array<(frame: Buffer) => void> = [];
  private correlationId = 1;
  closed = false;
  private closeWaiters: Array<() => void> = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 4) {
        const size = this.buffer.readInt32BE(0);
        if (this.buffer.length < 4 + size) break;
        const frame = this.buffer.subarray(4, 4 + size);
        this.buffer = this.buffer.subarray(4 + size);
        this.waiting.shift()?.(frame);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.closeWaiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends raw bytes and resolves with the next response frame (without its size prefix). */
  sendRaw(bytes: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      this.onceClosed().then(() => reject(new Error('connection closed by broker')));
      this.socket.write(bytes);
    });
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read responses loosely
  async request<T = any>(apiKey: number, version: number, body: object): Promise<T> {
    const id = this.correlationId++;
    const frame = await this.sendRaw(encodeRequest(apiKey, version, id, 'raw-test', body));
    const decoded = decodeResponse<T>(apiKey, version, frame);
    if (decoded.correlationId !== id) throw new Error(`correlation id ${decoded.correlationId} != ${id}`);
    return decoded.body;
  }

  onceClosed(): Promise<void> {
    return this.closed ? Promise.resolve() : new Promise((r) => this.closeWaiters.push(r));
  }

  close(): void {
    this.socket.destroy();
  }
}
