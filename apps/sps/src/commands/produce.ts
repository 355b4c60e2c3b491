// `sps produce <topic>`: one record per stdin line, through a kafkajs producer.
import { Command } from 'commander';
import kafkajs from 'kafkajs';
import type { Message, PartitionMetadata, Producer, RecordMetadata } from 'kafkajs';
import { createInterface } from 'node:readline';
import { CliError, unknownTopicError } from '../errors.js';
import type { Io } from '../io.js';
import { kafkaClient } from '../kafka.js';
import { acksOption, collectKeyValue, intOption, type Acks } from '../options.js';
import { clientOptions } from './common.js';

const { Partitioners } = kafkajs;

export interface ProduceOptions {
  bootstrap: string;
  topic: string;
  key?: string;
  keySeparator?: string;
  headers?: Array<[string, string]>;
  partition?: number;
  acks: Acks;
  verbose?: boolean;
  /** Records per request (lines arriving together are sent together, up to this many). */
  batchSize?: number;
}

export interface ProduceResult {
  records: number;
  /** partition → offsets written, when acks ≠ 0 */
  offsets: Array<{ partition: number; offset: number }>;
}

/** One input line → one message, per the key options. `null` for lines to skip (blank lines). */
export function lineToMessage(
  line: string,
  opts: Pick<ProduceOptions, 'key' | 'keySeparator' | 'headers' | 'partition'>,
): Message | null {
  if (line.trim() === '') return null;
  let key: string | null = opts.key ?? null;
  let value = line;
  if (opts.keySeparator) {
    const i = line.indexOf(opts.keySeparator);
    if (i < 0)
      throw new CliError(
        `has no key separator '${opts.keySeparator}' (use --key for one key for all lines): ${truncate(line)}`,
      );
    key = line.slice(0, i);
    value = line.slice(i + opts.keySeparator.length);
  }
  const message: Message = { key, value };
  if (opts.headers?.length) {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of opts.headers) {
      const prev = headers[k];
      headers[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
    }
    message.headers = headers;
  }
  if (opts.partition !== undefined) message.partition = opts.partition;
  return message;
}

function truncate(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

export async function produce(opts: ProduceOptions, io: Io): Promise<ProduceResult> {
  if (opts.key !== undefined && opts.keySeparator !== undefined)
    throw new CliError(
      'use either --key (one key for all lines) or --key-separator (key in each line), not both',
    );
  if (opts.keySeparator === '') throw new CliError('--key-separator must not be empty');

  const kafka = kafkaClient(opts.bootstrap, io.env);
  const admin = kafka.admin();
  await admin.connect();
  let partitionMetadata: PartitionMetadata[];
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(opts.topic)) {
      const err = unknownTopicError(opts.topic, existing);
      throw new CliError(`${err.message}. Create it with \`npx sps topics create ${opts.topic}\``);
    }
    const { topics } = await admin.fetchTopicMetadata({ topics: [opts.topic] });
    partitionMetadata = topics[0]?.partitions ?? [];
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const partitions = partitionMetadata.length;
  if (opts.partition !== undefined && opts.partition >= partitions)
    throw new CliError(
      `partition ${opts.partition} does not exist: ${opts.topic} has ${partitions} partition${partitions === 1 ? '' : 's'} (0..${partitions - 1})`,
    );

  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const result: ProduceResult = { records: 0, offsets: [] };
  try {
    // Choose partitions here (with kafkajs' default partitioner) so each record's offset is known.
    const partitioner = Partitioners.DefaultPartitioner();
    const assign = (message: Message) => partitioner({ topic: opts.topic, partitionMetadata, message });
    await sendLines(producer, assign, opts, io, result);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  const where = opts.partition !== undefined ? `${opts.topic} partition ${opts.partition}` : opts.topic;
  const acks = opts.acks === 0 ? ' (acks=0: not confirmed by the broker)' : '';
  io.err(`produced ${result.records} record${result.records === 1 ? '' : 's'} to ${where}${acks}`);
  return result;
}

async function sendLines(
  producer: Producer,
  assign: (message: Message) => number,
  opts: ProduceOptions,
  io: Io,
  result: ProduceResult,
): Promise<void> {
  const batchSize = opts.batchSize ?? 1000;
  const rl = createInterface({ input: io.stdin, crlfDelay: Infinity, terminal: false });
  let pending: Message[] = [];
  let lineNo = 0;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;

  const flush = () => {
    if (pending.length === 0) return;
    const messages = pending;
    pending = [];
    for (const m of messages) if (m.partition === undefined) m.partition = assign(m);
    chain = chain.then(async () => {
      if (failure) return;
      try {
        const metadata = await producer.send({ topic: opts.topic, acks: opts.acks, messages });
        result.records += messages.length;
        record(metadata, messages, opts, io, result);
      } catch (err) {
        failure = explainProduceError(err, opts);
        rl.close();
      }
    });
  };
  let scheduled = false;

  for await (const line of rl) {
    lineNo++;
    let message: Message | null;
    try {
      message = lineToMessage(line, opts);
    } catch (err) {
      throw new CliError(`line ${lineNo}: ${(err as Error).message}`);
    }
    if (!message) continue;
    pending.push(message);
    if (pending.length >= batchSize) {
      flush();
      await chain; // back-pressure: don't read far ahead of the broker
    } else if (!scheduled) {
      // Lines that arrive together (a pasted block, a pipe) go in one request; a line typed at a
      // terminal goes out at once.
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        flush();
      });
    }
    if (failure) break;
  }
  flush();
  await chain;
  if (failure) throw failure;
}

function explainProduceError(err: unknown, opts: ProduceOptions): unknown {
  const type = (err as { type?: string })?.type;
  if (type === 'INVALID_RECORD' && opts.key === undefined && opts.keySeparator === undefined)
    return new CliError(
      `the broker rejected the records (INVALID_RECORD): if ${opts.topic} is compacted (cleanup.policy=compact), every record needs a key: use --key or --key-separator`,
    );
  return err;
}

function record(
  metadata: RecordMetadata[],
  messages: Message[],
  opts: ProduceOptions,
  io: Io,
  result: ProduceResult,
): void {
  if (opts.acks === 0) return;
  // The broker answers with one base offset per partition; the records of one partition got
  // consecutive offsets in the order they were sent (every message has its partition set already).
  const next = new Map<number, number>();
  for (const m of metadata) if (m.baseOffset !== undefined) next.set(m.partition, Number(m.baseOffset));
  for (const msg of messages) {
    const p = msg.partition!;
    const offset = next.get(p);
    if (offset === undefined) continue;
    next.set(p, offset + 1);
    result.offsets.push({ partition: p, offset });
    if (opts.verbose)
      io.err(
        `${opts.topic} partition ${p} offset ${offset}${msg.key != null ? ` key ${String(msg.key)}` : ''}`,
      );
  }
}

export function produceCommand(io: Io): Command {
  return new Command('produce')
    .description('write records to a topic: one record per line of standard input')
    .argument('<topic>', 'topic to write to')
    .option('-k, --key <key>', 'the same key for every record')
    .option('-K, --key-separator <sep>', "each line is key<sep>value (split at the first <sep>), e.g. ':'")
    .option(
      '-H, --header <key=value>',
      'add a header to every record, repeatable',
      collectKeyValue('--header'),
    )
    .option(
      '-p, --partition <n>',
      'write to this partition (default: by key hash, or spread for no key)',
      intOption('--partition', 0),
    )
    .option(
      '--acks <acks>',
      'acknowledgement: 0 (none), 1 (leader), all (fully written)',
      acksOption,
      -1 as Acks,
    )
    .option('-v, --verbose', 'print the partition and offset of what was written')
    .addHelpText(
      'after',
      `
Blank lines are skipped. The summary ("produced 3 records to orders") goes to stderr.

Examples:
  echo 'hello' | npx sps produce orders
  printf 'c-1:{"orderId":"o-1"}\\nc-2:{"orderId":"o-2"}\\n' | npx sps produce orders -K : -H schema-version=1
  npx sps produce orders --key c-42 < orders.jsonl
  npx sps -b 127.0.0.1:19092 produce orders --partition 0 --acks 1 --verbose`,
    )
    .action(
      async (
        topic: string,
        o: {
          key?: string;
          keySeparator?: string;
          header?: Array<[string, string]>;
          partition?: number;
          acks: Acks;
          verbose?: boolean;
        },
        cmd: Command,
      ) => {
        await produce({ ...clientOptions(cmd), topic, ...o, headers: o.header }, io);
      },
    );
}
