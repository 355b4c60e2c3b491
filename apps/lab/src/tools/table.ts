/**
 * Lab 16's replay: a kafkajs consumer reads the compacted `customers` topic from offset 0 to its end and
 * rebuilds the table as any reader would — the latest record per key is the row, a tombstone (null
 * value) deletes it. Nothing is committed: a table is rebuilt by replaying it, every time.
 */
import { CUSTOMERS_TOPIC, type CustomerState } from '@orders/contracts';
import type { LabContext } from '../context.js';

export const TABLE_GROUP = 'lab-table';

export interface TableReplay {
  /** Records read, and their offsets' range: fewer records than offsets = compacted away. */
  records: number;
  firstOffset: number | null;
  highWatermark: number;
  tombstones: string[];
  rows: Map<string, CustomerState>;
}

export async function replayTable(ctx: LabContext, topic = CUSTOMERS_TOPIC): Promise<TableReplay> {
  const admin = await ctx.admin();
  if (!(await admin.listTopics()).includes(topic))
    throw new Error(`no topic ${topic}: crm creates it when it starts (console → Apps → crm)`);
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  const result: TableReplay = {
    records: 0,
    firstOffset: null,
    highWatermark: [...ends.values()].reduce((a, b) => a + b, 0),
    tombstones: [],
    rows: new Map(),
  };
  const left = new Set([...ends].filter(([, high]) => high > 0).map(([p]) => p));
  if (left.size === 0) return result;

  const consumer = ctx.kafka().consumer({ groupId: TABLE_GROUP, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset);
        result.records++;
        result.firstOffset = Math.min(result.firstOffset ?? offset, offset);
        const key = message.key?.toString('utf8') ?? '';
        if (message.value === null) {
          result.rows.delete(key);
          result.tombstones.push(key);
        } else result.rows.set(key, JSON.parse(message.value.toString('utf8')) as CustomerState);
        if (offset >= ends.get(partition)! - 1 && left.delete(partition) && left.size === 0) finish();
      },
    });
    // From offset 0 whatever the group did before: compacted-away offsets are skipped by the broker.
    for (const p of left) consumer.seek({ topic, partition: p, offset: '0' });
    await Promise.race([
      finished,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`replaying ${topic} took over 60 s`)), 60_000).unref(),
      ),
    ]);
  } finally {
    await consumer.disconnect();
  }
  return result;
}

/** What `npm run lab -- table` prints: the replay's numbers, then the rows by lifetime value. */
export function describeReplay(r: TableReplay, topic = CUSTOMERS_TOPIC, limit = 10): string[] {
  const lines = [
    `replayed ${topic} from offset 0: ${r.records} records for offsets 0…${r.highWatermark - 1}` +
      ` (${r.highWatermark - r.records} compacted away; first record at ${r.firstOffset ?? '-'}), ${r.tombstones.length} tombstone(s)` +
      (r.tombstones.length ? ` (${[...new Set(r.tombstones)].join(', ')})` : ''),
    `the table: ${r.rows.size} customers`,
  ];
  const top = [...r.rows.values()]
    .sort((a, b) => b.lifetimeValueCents - a.lifetimeValueCents)
    .slice(0, limit);
  for (const c of top)
    lines.push(
      `  ${c.id}  ${c.name.padEnd(24).slice(0, 24)} ${String(c.orderCount).padStart(3)} orders  ` +
        `${(c.lifetimeValueCents / 100).toFixed(2).padStart(9)}  last ${c.lastOrderAt}`,
    );
  if (r.rows.size > top.length) lines.push(`  … and ${r.rows.size - top.length} more`);
  return lines;
}
