/** Reads a partition from the start without consumer groups: Fetch until the high watermark. */
import { ApiKey, decodeRecordBatches, readBatchHeader } from '@orders/kafka-protocol';
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

export interface ProducedRecord extends ReadRecord {
  producerId: number;
  producerEpoch: number;
  /** the record's own sequence: the batch's base sequence + its offset delta (-1: not idempotent) */
  sequence: number;
}

/**
 * Like readPartition, with each record's producer id, epoch and sequence (from its batch header):
 * what a duplicate check needs.
 */
export async function readProducedRecords(
  port: number,
  topic: string,
  partition: number,
): Promise<ProducedRecord[]> {
  const conn = await RawConnection.connect(port);
  try {
    const out: ProducedRecord[] = [];
    let offset = 0;
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
      const buf: Buffer | null = p.records;
      let got = 0;
      for (let at = 0; buf && at + 61 <= buf.length;) {
        const h = readBatchHeader(buf, at);
        if (at + h.totalSize > buf.length) break;
        for (const r of decodeRecordBatches(buf.subarray(at, at + h.totalSize))) {
          if (r.offset < offset) continue;
          out.push({
            offset: r.offset,
            key: r.key?.toString() ?? null,
            value: r.value?.toString() ?? null,
            headers: Object.fromEntries(r.headers.map((x) => [x.key, x.value?.toString() ?? ''])),
            timestamp: r.timestamp,
            producerId: h.producerId,
            producerEpoch: h.producerEpoch,
            sequence: h.producerId >= 0 ? h.baseSequence + (r.offset - h.baseOffset) : -1,
          });
          got++;
          offset = r.offset + 1;
        }
        at += h.totalSize;
      }
      if (offset >= Number(p.highWatermark) || got === 0) return out;
    }
  } finally {
    conn.close();
  }
}
