// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient .d.ts has no module to import; test builds compile this file from source
/// <reference path="./codec-libs.d.ts" />
/**
 * Record-batch compression codecs, through well-kept libraries: gzip (node:zlib), snappy (snappyjs),
 * lz4 (lz4js, the LZ4 frame format Kafka uses since magic v1) and zstd (fzstd, decompression only).
 * The broker stores batches verbatim; it decompresses only to look inside one (an exact timestamp
 * lookup, compaction), never on the produce or fetch path.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import * as lz4 from 'lz4js';
import * as snappy from 'snappyjs';
import { ProtocolError } from './errors.js';

export const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CodecName = (typeof CODEC_NAMES)[number];

/** The Java client frames snappy the way xerial's SnappyOutputStream does; librdkafka and kafkajs send raw snappy. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = 16; // magic, int32 version, int32 compatible version

function snappyDecompress(data: Buffer): Buffer {
  if (data.length >= XERIAL_HEADER && data.subarray(0, 8).equals(XERIAL_MAGIC)) {
    const parts: Buffer[] = [];
    let pos = XERIAL_HEADER;
    while (pos + 4 <= data.length) {
      const len = data.readInt32BE(pos);
      pos += 4;
      if (len < 0 || pos + len > data.length) throw new ProtocolError('truncated xerial snappy block');
      parts.push(Buffer.from(snappy.uncompress(data.subarray(pos, pos + len))));
      pos += len;
    }
    return Buffer.concat(parts);
  }
  return Buffer.from(snappy.uncompress(data));
}

/** Decompresses a batch's records region compressed with codec `codec` (attributes & 7). */
export function decompressRecords(codec: number, data: Buffer): Buffer {
  try {
    switch (codec) {
      case 0:
        return data;
      case 1:
        return gunzipSync(data);
      case 2:
        return snappyDecompress(data);
      case 3:
        return Buffer.from(lz4.decompress(data));
      case 4:
        return Buffer.from(zstdDecompress(data));
    }
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError(`cannot decompress ${CODEC_NAMES[codec]} records: ${(err as Error).message}`);
  }
  throw new ProtocolError(`unknown compression codec ${codec}`);
}

/** Compresses a records region. zstd has no well-kept pure-JS compressor here, so it is refused. */
export function compressRecords(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case 0:
      return data;
    case 1:
      return gzipSync(data);
    case 2:
      return Buffer.from(snappy.compress(data));
    case 3:
      return Buffer.from(lz4.compress(data));
    default:
      throw new ProtocolError(`compressing with ${CODEC_NAMES[codec] ?? `codec ${codec}`} is not supported`);
  }
}
