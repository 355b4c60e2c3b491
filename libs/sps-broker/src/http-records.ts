/**
 * `GET /api/topics/:name/partitions/:p/records?limit=20[&offset=N]`: the newest records of a
 * partition (or `limit` records from offset N), decoded for people: key, headers, value, offset,
 * timestamp. Bounded: at most 100 records and 1 MiB read from the log, values cut at 64 KiB.
 * Batches compressed with a codec the decoder lacks (snappy, lz4, zstd) are listed by offset range.
 */
import { HttpError } from './http-json.js';
import { decodeRecordBatches } from '@orders/kafka-protocol';
import { OffsetOutOfRangeError } from '@orders/sps-log';
import type { BrokerState } from './state.js';

export const MAX_RECORDS = 100;
const MAX_READ_BYTES = 1024 * 1024;
const MAX_VALUE_BYTES = 64 * 1024;

export interface RecordView {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  /** 'utf8' when key and value are text (JSON, plain), else 'base64'. */
  encoding: 'utf8' | 'base64';
  valueBytes: number;
  truncated: boolean;
  headers: Array<{ key: string; value: string | null }>;
}

export interface RecordsView {
  topic: string;
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  records: RecordView[];
  /** Batches that could not be decoded here (e.g. snappy-compressed), by offset range. */
  undecoded: Array<{ baseOffset: number; lastOffset: number; reason: string }>;
}

export async function readRecords(
  state: BrokerState,
  topicName: string,
  partition: number,
  query: { limit?: number; offset?: number },
): Promise<RecordsView> {
  const topic = state.topics.get(topicName);
  if (!topic)
    throw new HttpError(
      404,
      `topic '${topicName}' does not exist; topics: ${state.topics.names().join(', ')}`,
    );
  const log = topic.partitions[partition];
  if (!log)
    throw new HttpError(
      404,
      `topic '${topicName}' has no partition ${partition}; partitions: 0 … ${topic.partitions.length - 1}`,
    );
  const limit = Math.min(Math.max(1, query.limit ?? 20), MAX_RECORDS);
  const lso = log.logStartOffset;
  const hwm = log.highWatermark;
  const from = query.offset ?? Math.max(lso, hwm - limit);
  if (from < lso || from > hwm)
    throw new HttpError(
      416,
      `offset ${from} is outside partition ${partition}'s retained range ${lso} … ${hwm} (log start … high watermark)`,
    );
  const view: RecordsView = {
    topic: topicName,
    partition,
    logStartOffset: lso,
    highWatermark: hwm,
    records: [],
    undecoded: [],
  };
  if (from === hwm) return view;
  let read;
  try {
    read = await log.read(from, MAX_READ_BYTES);
  } catch (err) {
    if (err instanceof OffsetOutOfRangeError)
      throw new HttpError(416, `offset ${from} is no longer retained (retention ran); try again`);
    throw err;
  }
  for (const chunk of read.records) {
    for (const batch of splitBatches(chunk)) {
      let decoded;
      try {
        decoded = decodeRecordBatches(batch.bytes);
      } catch (err) {
        view.undecoded.push({
          baseOffset: batch.baseOffset,
          lastOffset: batch.lastOffset,
          reason: (err as Error).message,
        });
        continue;
      }
      for (const r of decoded) {
        if (r.offset < from) continue;
        if (view.records.length >= limit) break;
        view.records.push(recordView(r));
      }
    }
  }
  return view;
}

function splitBatches(buf: Buffer): Array<{ bytes: Buffer; baseOffset: number; lastOffset: number }> {
  const out = [];
  let pos = 0;
  while (pos + 61 <= buf.length) {
    const size = 12 + buf.readInt32BE(pos + 8);
    if (size < 61 || pos + size > buf.length) break;
    const baseOffset = Number(buf.readBigInt64BE(pos));
    const lastOffset = baseOffset + buf.readInt32BE(pos + 23);
    out.push({ bytes: buf.subarray(pos, pos + size), baseOffset, lastOffset });
    pos += size;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isText(b: Buffer | null): boolean {
  if (!b) return true;
  try {
    utf8.decode(b);
    return true;
  } catch {
    return false;
  }
}

function recordView(r: {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
}): RecordView {
  const value = r.value && r.value.length > MAX_VALUE_BYTES ? r.value.subarray(0, MAX_VALUE_BYTES) : r.value;
  const text = isText(r.key) && isText(value);
  const enc = (b: Buffer | null) => (b === null ? null : b.toString(text ? 'utf8' : 'base64'));
  return {
    offset: r.offset,
    timestamp: r.timestamp,
    key: enc(r.key),
    value: enc(value),
    encoding: text ? 'utf8' : 'base64',
    valueBytes: r.value?.length ?? 0,
    truncated: value !== r.value,
    headers: r.headers.map((h) => ({
      key: h.key,
      value:
        h.value === null ? null : isText(h.value) ? h.value.toString('utf8') : h.value.toString('base64'),
    })),
  };
}
