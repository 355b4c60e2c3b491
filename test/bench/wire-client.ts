/**
 * The thinnest Kafka client that can take part in the e2e latency harness: Produce v7 and Fetch v11
 * over plain sockets with TCP_NODELAY, no linger, no consumer group, no per-message bookkeeping. It
 * speaks only what both our broker and Apache Kafka 4.x accept, so the same client measures both.
 *
 * It exists to split a client's latency figure into the broker's part and the client's part: what
 * this client measures is (almost) all broker + loopback; what kafkajs adds on top of it is kafkajs
 * (its fetch loop, its batching of sends). It is a bench tool, not a client anyone should use.
 */
import net from 'node:net';
import {
  ApiKey,
  decodeRecordBatches,
  decodeResponse,
  encodeRecordBatch,
  encodeRequest,
} from '@orders/kafka-protocol';
import type { LogClient } from './e2e-latency.js';

/** One connection with pipelined requests answered in order. */
class WireConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (f: Buffer) => void; reject: (e: Error) => void }> = [];
  private correlationId = 1;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
      while (this.buffered.length >= 4) {
        const size = this.buffered.readInt32BE(0);
        if (this.buffered.length < 4 + size) break;
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        this.waiting.shift()?.resolve(frame);
      }
    });
    const fail = () => {
      for (const w of this.waiting.splice(0)) w.reject(new Error('connection closed'));
    };
    socket.on('close', fail);
    socket.on('error', fail);
  }

  static open(host: string, port: number): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new WireConnection(socket)));
      socket.once('error', reject);
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are read loosely here
  request(apiKey: number, version: number, body: object): Promise<any> {
    const id = this.correlationId++;
    return new Promise<Buffer>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(encodeRequest(apiKey, version, id, 'bench-wire', body));
    }).then((frame) => decodeResponse(apiKey, version, frame).body);
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * A {@link LogClient} factory for the e2e harness: each phase gets a fresh one-partition topic (made by
 * `createTopic`), produces with `acks` (-1 = all, 1 = leader) and consumes with long-polling fetches
 * (max_wait_ms 500, min_bytes 1) from offset 0 of that topic.
 */
export function wireClient(
  bootstrap: string,
  label: string,
  acks: -1 | 1,
  createTopic: (topic: string) => Promise<void>,
): () => Promise<LogClient> {
  const at = bootstrap.lastIndexOf(':');
  const host = bootstrap.slice(0, at);
  const port = Number(bootstrap.slice(at + 1));
  let phaseNo = 0;
  return async () => {
    const topic = `e2e-wire-${label}-${phaseNo++}`;
    await createTopic(topic);
    const producer = await WireConnection.open(host, port);
    const consumers: WireConnection[] = [];
    let stopped = false;
    const produce = async (values: string[]) => {
      const res = await producer.request(ApiKey.Produce, 7, {
        transactionalId: null,
        acks,
        timeoutMs: 30_000,
        topicData: [
          {
            name: topic,
            partitionData: [
              { index: 0, records: encodeRecordBatch({ records: values.map((value) => ({ value })) }) },
            ],
          },
        ],
      });
      const code = res.responses[0].partitionResponses[0].errorCode;
      if (code !== 0) throw new Error(`produce to ${topic} failed with error ${code}`);
    };
    /** Fetches from offset 0 until closed, handing each record value to `onRecord`. */
    const consume = async (onRecord: (value: string) => void) => {
      const conn = await WireConnection.open(host, port);
      consumers.push(conn);
      let offset = 0;
      void (async () => {
        while (!stopped) {
          const res = await conn
            .request(ApiKey.Fetch, 11, {
              replicaId: -1,
              maxWaitMs: 500,
              minBytes: 1,
              maxBytes: 16 << 20,
              isolationLevel: 0,
              sessionId: 0,
              sessionEpoch: -1,
              topics: [
                {
                  topic,
                  partitions: [
                    {
                      partition: 0,
                      currentLeaderEpoch: -1,
                      fetchOffset: offset,
                      logStartOffset: -1,
                      partitionMaxBytes: 8 << 20,
                    },
                  ],
                },
              ],
              forgottenTopicsData: [],
              rackId: '',
            })
            .catch(() => null);
          if (!res) return;
          const p = res.responses[0].partitions[0];
          if (p.errorCode !== 0) throw new Error(`fetch from ${topic} failed with error ${p.errorCode}`);
          if (!p.records || p.records.length === 0) continue;
          for (const r of decodeRecordBatches(p.records)) {
            if (r.offset < offset) continue;
            offset = r.offset + 1;
            onRecord(r.value!.toString());
          }
        }
      })();
    };
    return {
      subscribe: consume,
      send: (value) => produce([value]),
      sendBatch: produce,
      async readAll(count) {
        let seen = 0;
        await new Promise<void>((resolve) => void consume(() => ++seen >= count && resolve()));
      },
      async close() {
        stopped = true;
        producer.close();
        for (const c of consumers) c.close();
      },
    };
  };
}
