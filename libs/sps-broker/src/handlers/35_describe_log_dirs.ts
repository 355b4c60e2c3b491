/**
 * DescribeLogDirs (key 35), v0–4.
 * v0/v1: per log dir, the partitions in it with their size on disk. v2: flexible. v3: top-level
 * error_code. v4: total_bytes / usable_bytes of the file system holding the dir.
 * This broker has one log dir, `<dataDir>/logs`. A null topic list means every partition; unknown
 * topics and partitions are left out, as Apache Kafka does. offset_lag is 0 (no replicas, no
 * future logs). Used by `kafka-log-dirs --describe`, franz-go, sarama, kafka-python.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

interface DescribeLogDirsRequest {
  topics: Array<{ topic: string; partitions: number[] }> | null;
}

export default defineHandler<DescribeLogDirsRequest>({
  apiKey: ApiKey.DescribeLogDirs,
  name: 'DescribeLogDirs',
  minVersion: 0,
  maxVersion: 4,
  async handle(req, { state }) {
    const logDir = path.resolve(state.topics.dataDir, 'logs');
    const wanted =
      req.topics === null
        ? state.topics.list().map((t) => ({ topic: t.name, partitions: t.partitions.map((_, i) => i) }))
        : req.topics;
    const topics = [];
    for (const w of wanted) {
      const topic = state.topics.get(w.topic);
      if (!topic) continue;
      const partitions = [...new Set(w.partitions)]
        .filter((i) => topic.partitions[i] !== undefined)
        .map((i) => ({
          partitionIndex: i,
          partitionSize: topic.partitions[i]!.sizeBytes,
          offsetLag: 0,
          isFutureKey: false,
        }));
      if (partitions.length > 0) topics.push({ name: w.topic, partitions });
    }
    let totalBytes = -1;
    let usableBytes = -1;
    try {
      const fsStats = await fs.promises.statfs(fs.existsSync(logDir) ? logDir : state.topics.dataDir);
      totalBytes = fsStats.blocks * fsStats.bsize;
      usableBytes = fsStats.bavail * fsStats.bsize;
    } catch {
      // unknown: -1, as the spec's default
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{ errorCode: ErrorCode.NONE, logDir, topics, totalBytes, usableBytes }],
    };
  },
});
