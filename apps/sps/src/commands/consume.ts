// `sps consume <topic>`: reads partitions directly (no consumer group) with our own protocol client.
import { Command, Option } from 'commander';
import { clientSecurityFromEnv } from '../security.js';
import { KafkaClient, EARLIEST, LATEST, type TopicMetadata } from '../client/client.js';
import { decodeRecordBatches, errorName, Errors, type DecodedRecord } from '../client/protocol.js';
import { CliError, unknownTopicError } from '../errors.js';
import type { Io } from '../io.js';
import { choiceOption, intOption, parseBootstrap, timeOption } from '../options.js';
import { clientOptions } from './common.js';

export type RecordFormat = 'text' | 'json';

export interface ConsumeOptions {
  bootstrap: string;
  topic: string;
  fromBeginning?: boolean;
  offset?: number;
  fromTime?: number;
  partition?: number;
  follow?: boolean;
  maxMessages?: number;
  format?: RecordFormat;
  printKey?: boolean;
  printHeaders?: boolean;
  printOffset?: boolean;
  printTimestamp?: boolean;
  quiet?: boolean;
  /** Long-poll wait per Fetch when following (ms). */
  maxWaitMs?: number;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string | null>;
}

const PARTITION_MAX_BYTES = 1024 * 1024;
const PARTITION_MAX_BYTES_LIMIT = 64 * 1024 * 1024;

/** One record as the user asked to see it. */
export function formatRecord(
  r: ConsumedRecord,
  opts: Pick<ConsumeOptions, 'format' | 'printKey' | 'printHeaders' | 'printOffset' | 'printTimestamp'>,
): string {
  if (opts.format === 'json') return JSON.stringify(r);
  const cols: string[] = [];
  if (opts.printOffset) cols.push(`${r.partition}:${r.offset}`);
  if (opts.printTimestamp) cols.push(new Date(r.timestamp).toISOString());
  if (opts.printKey) cols.push(r.key ?? '');
  if (opts.printHeaders)
    cols.push(
      Object.entries(r.headers)
        .map(([k, v]) => (v === null ? k : `${k}=${v}`))
        .join(','),
    );
  cols.push(r.value ?? '');
  return cols.join('\t');
}

export function toConsumedRecord(topic: string, partition: number, rec: DecodedRecord): ConsumedRecord {
  const headers: Record<string, string | null> = {};
  for (const h of rec.headers) headers[h.key] = h.value === null ? null : h.value.toString('utf8');
  return {
    topic,
    partition,
    offset: Number(rec.offset),
    timestamp: Number(rec.timestamp),
    key: rec.key === null ? null : rec.key.toString('utf8'),
    value: rec.value === null ? null : rec.value.toString('utf8'),
    headers,
  };
}

/**
 * The offset after the last complete record batch in a Fetch answer (or undefined if there is none).
 * Lets the reader move past batches that yield no records (control batches, compacted gaps).
 */
export function nextOffsetAfterBatches(buf: Buffer): number | undefined {
  let pos = 0;
  let next: number | undefined;
  while (buf.length - pos >= 61) {
    // 61 = size of a record batch header
    const baseOffset = Number(buf.readBigInt64BE(pos));
    const batchLength = buf.readInt32BE(pos + 8);
    if (batchLength <= 0 || pos + 12 + batchLength > buf.length) break;
    const lastOffsetDelta = buf.readInt32BE(pos + 23);
    next = baseOffset + lastOffsetDelta + 1;
    pos += 12 + batchLength;
  }
  return next;
}

function describeRange(topic: string, partition: number, earliest: number, latest: number): string {
  if (latest <= earliest)
    return `${topic} partition ${partition} has no records (log start ${earliest}, high watermark ${latest})`;
  return `valid offsets in ${topic} partition ${partition} are ${earliest}..${latest - 1} (log start ${earliest}, high watermark ${latest}; ${latest} waits for the next record)`;
}

export async function consume(opts: ConsumeOptions, io: Io): Promise<{ records: number }> {
  const starts = [opts.fromBeginning, opts.offset !== undefined, opts.fromTime !== undefined].filter(
    Boolean,
  ).length;
  if (starts > 1) throw new CliError('use only one of --from-beginning, --offset and --from-time');
  if (opts.maxMessages === 0) return { records: 0 };

  const client = new KafkaClient(parseBootstrap(opts.bootstrap), 'sps-cli', clientSecurityFromEnv(io.env));
  let stopped = false;
  const offStop = io.onStop(() => {
    stopped = true;
    client.close();
  });
  let count = 0;
  try {
    await client.connect();
    const topic = await topicMetadata(client, opts.topic);
    const all = [...topic.partitions.keys()].sort((a, b) => a - b);
    if (opts.partition !== undefined && !topic.partitions.has(opts.partition))
      throw new CliError(
        `partition ${opts.partition} does not exist: ${opts.topic} has ${all.length} partition${all.length === 1 ? '' : 's'} (0..${all.length - 1})`,
      );
    const partitions = opts.partition !== undefined ? [opts.partition] : all;

    const earliest = await client.listOffsets(
      topic,
      partitions.map((partition) => ({ partition, timestamp: EARLIEST })),
    );
    const latest = await client.listOffsets(
      topic,
      partitions.map((partition) => ({ partition, timestamp: LATEST })),
    );
    const position = new Map<number, number>();
    if (opts.fromBeginning) for (const p of partitions) position.set(p, earliest.get(p)!);
    else if (opts.fromTime !== undefined) {
      const byTime = await client.listOffsets(
        topic,
        partitions.map((partition) => ({ partition, timestamp: opts.fromTime! })),
      );
      for (const p of partitions) {
        const o = byTime.get(p)!;
        position.set(p, o < 0 ? latest.get(p)! : o);
      }
    } else if (opts.offset !== undefined) {
      const pastEnd: number[] = [];
      for (const p of partitions) {
        const lo = earliest.get(p)!;
        const hi = latest.get(p)!;
        if (opts.offset < lo || (opts.offset > hi && partitions.length === 1))
          throw new CliError(
            `offset ${opts.offset} is out of range: ${describeRange(opts.topic, p, lo, hi)}`,
          );
        if (opts.offset > hi) pastEnd.push(p);
        position.set(p, Math.min(opts.offset, hi));
      }
      if (pastEnd.length && !opts.quiet)
        io.err(
          `note: offset ${opts.offset} is past the end of ${opts.topic} partition${pastEnd.length === 1 ? '' : 's'} ${pastEnd.join(', ')}; reading ${pastEnd.length === 1 ? 'it' : 'them'} from ${pastEnd.length === 1 ? 'its' : 'their'} end`,
        );
    } else for (const p of partitions) position.set(p, latest.get(p)!);

    // Without --follow, read up to the high watermark as it was at start.
    const end = new Map(partitions.map((p) => [p, latest.get(p)!]));
    const maxBytes = new Map(partitions.map((p) => [p, PARTITION_MAX_BYTES]));
    const active = () => partitions.filter((p) => opts.follow || position.get(p)! < end.get(p)!);
    const limit = opts.maxMessages ?? Infinity;

    while (!stopped && count < limit) {
      const reading = active();
      if (reading.length === 0) break;
      let answers;
      try {
        answers = await client.fetch(
          topic,
          reading.map((p) => ({ partition: p, offset: position.get(p)!, maxBytes: maxBytes.get(p)! })),
          opts.follow ? (opts.maxWaitMs ?? 500) : 100,
        );
      } catch (err) {
        if (stopped) break;
        throw err;
      }
      const lines: string[] = [];
      for (const a of answers) {
        if (count >= limit) break;
        const p = a.partition;
        if (a.errorCode === Errors.OFFSET_OUT_OF_RANGE) {
          const [lo, hi] = [
            (await client.listOffsets(topic, [{ partition: p, timestamp: EARLIEST }])).get(p)!,
            (await client.listOffsets(topic, [{ partition: p, timestamp: LATEST }])).get(p)!,
          ];
          throw new CliError(
            `offset ${position.get(p)} is out of range: ${describeRange(opts.topic, p, lo, hi)}`,
          );
        }
        if (a.errorCode === Errors.UNKNOWN_TOPIC_OR_PARTITION)
          throw new CliError(`${opts.topic} partition ${p} no longer exists (was the topic deleted?)`);
        if (a.errorCode !== Errors.NONE) {
          // Transient (leader moving, broker starting): refresh and try again shortly.
          if (!opts.quiet) io.err(`${opts.topic} partition ${p}: ${errorName(a.errorCode)}; retrying`);
          await new Promise((r) => setTimeout(r, 250));
          Object.assign(topic, await topicMetadata(client, opts.topic));
          continue;
        }
        if (!a.records || a.records.length === 0) continue;
        const from = position.get(p)!;
        const stopAt = opts.follow ? Infinity : end.get(p)!;
        let progressed = false;
        let hitLimit = false;
        for (const rec of decodeRecordBatches(a.records)) {
          const offset = Number(rec.offset);
          if (offset < from) continue; // a batch starts before the fetch offset: skip its head
          if (offset >= stopAt) break;
          if (count >= limit) {
            hitLimit = true;
            break;
          }
          lines.push(formatRecord(toConsumedRecord(opts.topic, p, rec), opts));
          position.set(p, offset + 1);
          progressed = true;
          count++;
        }
        if (hitLimit || count >= limit) continue;
        const after = nextOffsetAfterBatches(a.records);
        if (after !== undefined && after > position.get(p)!) position.set(p, Math.min(after, stopAt));
        else if (!progressed && after === undefined) {
          // Not even one whole batch fitted: ask for more next time.
          const m = maxBytes.get(p)!;
          if (m >= PARTITION_MAX_BYTES_LIMIT)
            throw new CliError(
              `${opts.topic} partition ${p} offset ${from}: a record batch is larger than ${m} bytes`,
            );
          maxBytes.set(p, m * 2);
        }
      }
      if (lines.length) io.out(lines.join('\n'));
    }
  } finally {
    offStop();
    client.close();
  }
  if (!opts.quiet) {
    const where = opts.partition !== undefined ? `${opts.topic} partition ${opts.partition}` : opts.topic;
    io.err(`consumed ${count} record${count === 1 ? '' : 's'} from ${where}`);
  }
  return { records: count };
}

async function topicMetadata(client: KafkaClient, name: string): Promise<TopicMetadata> {
  for (let attempt = 0; ; attempt++) {
    const { topics } = await client.metadata([name]);
    const t = topics.find((x) => x.name === name);
    if (t && t.errorCode === Errors.NONE && t.partitions.size > 0) return t;
    const code = t?.errorCode ?? Errors.UNKNOWN_TOPIC_OR_PARTITION;
    if (code === Errors.UNKNOWN_TOPIC_OR_PARTITION) {
      const everything = await client.metadata(null);
      throw unknownTopicError(
        name,
        everything.topics.map((x) => x.name),
      );
    }
    if (attempt >= 10) throw new CliError(`metadata for ${name} failed: ${errorName(code)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function consumeCommand(io: Io): Command {
  return new Command('consume')
    .description('read records from a topic, without a consumer group (nothing is committed)')
    .argument('<topic>', 'topic to read')
    .option('--from-beginning', 'start at the oldest record still in the log (default: only new records)')
    .option('-o, --offset <n>', 'start at this offset (in each partition read)', intOption('--offset', 0))
    .option(
      '--from-time <time>',
      'start at the first record at or after this time (ISO, or epoch ms)',
      timeOption,
    )
    .option('-p, --partition <n>', 'read only this partition (default: all)', intOption('--partition', 0))
    .option('-f, --follow', 'keep waiting for new records (default: stop at the end of the partitions)')
    .option('-n, --max-messages <n>', 'stop after this many records', intOption('--max-messages', 0))
    .addOption(
      new Option('--format <format>', 'text: the value per line; json: one object per line')
        .argParser(choiceOption('--format', ['text', 'json'] as const))
        .default('text'),
    )
    .option('-K, --print-key', 'text: print the key before the value (tab-separated)')
    .option('-H, --print-headers', 'text: print the headers (k=v,k2=v2) before the value')
    .option('-O, --print-offset', 'text: print partition:offset before the value')
    .option('-T, --print-timestamp', 'text: print the record time (ISO) before the value')
    .option('-q, --quiet', 'no summary on stderr')
    .addHelpText(
      'after',
      `
Columns in text mode, when asked for: partition:offset, timestamp, key, headers, value (tab-separated).
The summary ("consumed 3 records from orders") goes to stderr.

Examples:
  npx sps consume orders --from-beginning                  everything so far, then exit
  npx sps consume orders -f                                new records as they arrive (Ctrl-C to stop)
  npx sps consume orders --partition 2 --offset 40 -n 10 -O -K
  npx sps consume orders --from-time 2025-01-31T10:00:00Z --format json | jq .value
  npx sps -b 127.0.0.1:19092 consume orders --from-beginning --print-headers`,
    )
    .action(async (topic: string, o: Omit<ConsumeOptions, 'bootstrap' | 'topic'>, cmd: Command) => {
      await consume({ ...clientOptions(cmd), topic, ...o }, io);
    });
}
