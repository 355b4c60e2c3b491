/** Reads a partition from the start without consumer groups: Fetch until the high watermark. */
import { ApiKey, decodeRecordBatches } from '@orders/kafka-protocol';
import { RawConnection } from './raw-client.js';

export interface ReadRecord {
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  timestamp: number;
}

export async function readPartition(
  port: number,
  topic: string,
  partition: number,
  fromOffset = 0,
): Promise<ReadRecord[]> {
  const conn = await RawConnection.connect(port);
  try {
    const out: ReadRecord[] = [];
    let offset = fromOffset;
    for (;;) {
      const res = await conn.request(ApiKey.Fetch, 11, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 8 * 1024 * 1024,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic,
            partitions: [
              {
                partition,
                currentLeaderEpoch: -1,
                fetchOffset: offset,
                logStartOffset: -1,
                partitionMaxBytes: 4 * 1024 * 1024,
              },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
      const p = res.responses[0].partitions[0];
      if (p.errorCode !== 0) throw new Error(`fetch error ${p.errorCode}`);
      const records = p.records ? decodeRecordBatches(p.records) : [];
      for (const r of records) {
        if (r.offset < offset) continue;
        out.push({
          offset: r.offset,
          key: r.key?.toString() ?? null,
          value: r.value?.toString() ?? null,
          headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString() ?? ''])),
          timestamp: r.timestamp,
        });
        offset = r.offset + 1;
      }
      if (offset >= Number(p.highWatermark) || records.length === 0) return out;
    }
  } finally {
    conn.close();
  }
}
