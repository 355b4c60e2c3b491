/**
 * The seed's second duplicate: the producer sends, the broker stores the record, the acknowledgement
 * is lost on the way back, and the producer sends again. A real kafkajs producer connects through a
 * socket that swallows the response to its first Produce request and drops the connection, so
 * kafkajs retries exactly as it would after a network failure. With `--restart-broker`, the demo's
 * broker restarts while the producer is cut off, so the retry meets a broker that has been down:
 * only a broker that keeps idempotent-producer state across restarts recognises the retry.
 *
 * Writes one record (value = a fresh run id) to `lab-retry` and reports how many copies landed.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import type { LabContext } from '../context.js';
import { ApiError } from '../context.js';

export const RETRY_TOPIC = 'lab-retry';
const PRODUCE_API_KEY = 0;

export interface LostAckOptions {
  idempotent: boolean;
  restartBroker?: boolean;
}

export interface LostAckResult {
  run: string;
  idempotent: boolean;
  restartBroker: boolean;
  copies: number;
  /** What the producer said, if it gave up. */
  error?: string;
}

/** Whether this demo can restart its embedded broker (POST /api/broker/restart). */
export async function canRestartBroker(ctx: LabContext): Promise<boolean> {
  try {
    await ctx.get('/api/broker');
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return false;
    throw err;
  }
}

export async function lostAck(ctx: LabContext, o: LostAckOptions): Promise<LostAckResult> {
  await ctx.ensureTopic(RETRY_TOPIC, 1);
  if (o.restartBroker && !(await canRestartBroker(ctx)))
    throw new Error('this demo cannot restart its broker (no /api/broker): is it an external Kafka?');
  const run = randomUUID();

  let armed = true; // swallow the first Produce response, once
  let cut: Promise<void> | null = null; // set once the ack was swallowed (resolves when the broker is back)
  const socketFactory = ({
    host,
    port,
    onConnect,
  }: {
    host: string;
    port: number;
    onConnect: () => void;
  }) => {
    const socket = net.connect({ host, port }, onConnect);
    let produceCorrelation: number | null = null;
    // Outgoing: note the correlation id of the first Produce request.
    const write = socket.write.bind(socket) as (chunk: Buffer, ...rest: unknown[]) => boolean;
    socket.write = ((chunk: Buffer, ...rest: unknown[]) => {
      if (armed && produceCorrelation === null && Buffer.isBuffer(chunk) && chunk.length >= 12) {
        if (chunk.readInt16BE(4) === PRODUCE_API_KEY) produceCorrelation = chunk.readInt32BE(8);
      }
      return write(chunk, ...rest);
    }) as typeof socket.write;
    // Incoming: pass whole frames on, except the armed Produce response, which is dropped with the connection.
    let buffered = Buffer.alloc(0);
    const emit = socket.emit.bind(socket) as (event: string, ...args: unknown[]) => boolean;
    socket.emit = ((event: string, ...args: unknown[]) => {
      if (event !== 'data') return emit(event, ...args);
      buffered = Buffer.concat([buffered, args[0] as Buffer]);
      while (buffered.length >= 8) {
        const size = buffered.readInt32BE(0);
        if (buffered.length < 4 + size) break;
        const frame = buffered.subarray(0, 4 + size);
        buffered = buffered.subarray(4 + size);
        if (armed && produceCorrelation !== null && frame.readInt32BE(4) === produceCorrelation) {
          armed = false;
          if (o.restartBroker) {
            // The broker going down closes this connection itself; the retry then finds it restarted.
            cut = restartBroker(ctx);
          } else {
            cut = Promise.resolve();
            socket.destroy(new Error('connection lost before the acknowledgement arrived (lab)'));
          }
          return true;
        }
        emit('data', frame);
      }
      return true;
    }) as typeof socket.emit;
    return socket;
  };

  const kafka = new Kafka({
    clientId: `lab-lost-ack-${o.idempotent ? 'idempotent' : 'plain'}`,
    brokers: [ctx.bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 30_000,
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 5_000 },
    socketFactory: socketFactory as never,
  });
  const producer = kafka.producer({
    idempotent: o.idempotent,
    maxInFlightRequests: o.idempotent ? 1 : undefined,
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
  const result: LostAckResult = {
    run,
    idempotent: o.idempotent,
    restartBroker: Boolean(o.restartBroker),
    copies: 0,
  };
  await producer.connect();
  try {
    await producer.send({
      topic: RETRY_TOPIC,
      acks: -1,
      messages: [
        {
          key: 'order-1',
          value: run,
          headers: {
            idempotent: String(o.idempotent),
            'restart-broker': String(Boolean(o.restartBroker)),
          },
        },
      ],
    });
  } catch (err) {
    result.error = (err as Error).message;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  if (cut) await cut;
  result.copies = (await ctx.allRecords(RETRY_TOPIC)).filter((r) => r.value === run).length;
  return result;
}

/** Asks the demo to restart its embedded broker and waits until it answers again. */
async function restartBroker(ctx: LabContext): Promise<void> {
  await ctx.post('/api/broker/restart');
  await ctx.waitFor('the broker to be back', async () => {
    const h = await ctx.get<{ status: string; uptimeMs: number }>('/api/health');
    return h.status === 'ok';
  });
}
