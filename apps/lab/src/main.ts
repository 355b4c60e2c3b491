#!/usr/bin/env node
// `npm run lab -- list | start N | check N | solve N | tally | lost-ack | cron-report | table`, against a running demo.
import { Command, InvalidArgumentError } from 'commander';
import { ANSWERS_TOPIC, LabContext } from './context.js';
import type { Lab } from './lab.js';
import { findLab, LABS, RESERVED } from './labs/index.js';
import { lostAck } from './tools/lost-ack.js';
import { kinesisLeases, kinesisRead } from './tools/kinesis.js';
import { putAndNote } from './labs/14-kinesis-api.js';
import { runTally } from './tools/tally.js';
import { describeReplay, replayTable } from './tools/table.js';
import { CRON_GROUP } from './labs/10-replay.js';

const DEFAULT_HTTP_PORT = 9080;

interface Global {
  url?: string;
  portOffset: number;
}

const program = new Command('lab')
  .description('the workshop (docs/workshop): prepare, check and solve each lab on a running `npm run demo`')
  .option(
    '--url <url>',
    `the demo's broker HTTP port (default http://127.0.0.1:${DEFAULT_HTTP_PORT}; env LAB_URL)`,
  )
  .option(
    '--port-offset <n>',
    'the --port-offset the demo was started with (env DEMO_PORT_OFFSET)',
    int,
    Number(process.env.DEMO_PORT_OFFSET ?? 0),
  )
  .showHelpAfterError();

function baseUrl(): string {
  const o = program.opts<Global>();
  return o.url ?? process.env.LAB_URL ?? `http://127.0.0.1:${DEFAULT_HTTP_PORT + o.portOffset}`;
}

async function withContext<T>(run: (ctx: LabContext) => Promise<T>): Promise<T> {
  const ctx = await LabContext.connect(baseUrl());
  try {
    return await run(ctx);
  } finally {
    await ctx.close();
  }
}

function lab(n: string): Lab {
  const found = findLab(n);
  if (found) return found;
  const reserved = RESERVED[n.padStart(2, '0')];
  throw new InvalidArgumentError(
    reserved
      ? `lab ${n} is not written yet: ${reserved}`
      : `no lab ${n}; labs: ${LABS.map((l) => l.id).join(', ')} (npm run lab -- list)`,
  );
}

/** Prints the check's findings; true when all passed. */
async function report(l: Lab, ctx: LabContext): Promise<boolean> {
  const results = await l.check(ctx);
  console.log(`lab ${l.id}: ${l.title}`);
  for (const r of results) {
    console.log(`  ${r.ok ? '✔' : '✘'} ${r.text}`);
    if (!r.ok && r.hint) console.log(`      → ${r.hint}`);
  }
  const ok = results.every((r) => r.ok);
  console.log(ok ? `lab ${l.id} done. ${next(l)}` : `lab ${l.id}: not yet.`);
  return ok;
}

function next(l: Lab): string {
  const i = LABS.indexOf(l);
  const n = LABS[i + 1];
  return n ? `Next: npm run lab -- start ${Number(n.id)}` : 'That was the last lab: well done.';
}

program
  .command('list')
  .description('the labs, in order')
  .action(() => {
    const rows = [
      ...LABS.map((l) => [l.id, `${l.minutes} min`, l.title, `docs/workshop/${l.id}-${l.slug}.md`]),
      ...Object.entries(RESERVED).map(([id, what]) => [id, '', `(reserved) ${what}`, '']),
    ].sort((a, b) => a[0]!.localeCompare(b[0]!));
    for (const [id, min, title, doc] of rows)
      console.log(`${id}  ${min!.padEnd(7)} ${title}${doc ? `\n                ${doc}` : ''}`);
  });

program
  .command('start <n>')
  .description('prepare the demo for lab N')
  .action((n: string) =>
    withContext(async (ctx) => {
      const l = lab(n);
      await ctx.ensureTopic(ANSWERS_TOPIC, 1); // where answers to the labs' questions go
      console.log(`lab ${l.id}: ${l.title}`);
      for (const line of await l.start(ctx)) console.log(`  ${line}`);
      console.log(`  then: npm run lab -- check ${Number(l.id)}`);
    }),
  );

program
  .command('check <n>')
  .description('verify from the system’s state that lab N is done')
  .action((n: string) =>
    withContext(async (ctx) => {
      if (!(await report(lab(n), ctx))) process.exitCode = 1;
    }),
  );

program
  .command('solve <n>')
  .description('do lab N’s steps (for teachers and CI), then check it')
  .action((n: string) =>
    withContext(async (ctx) => {
      const l = lab(n);
      console.log(`solving lab ${l.id}: ${l.title}`);
      await l.start(ctx);
      await l.solve(ctx);
      if (!(await report(l, ctx))) process.exitCode = 1;
    }),
  );

program
  .command('tally')
  .description('lab 06: a consumer (group lab-tally) that applies an effect per order and commits every 10')
  .option('--group <group>', 'consumer group', 'lab-tally')
  .option('--crash-after <n>', 'SIGKILL itself after N effects (before their commit)', int)
  .option('--idempotent', 'skip orders whose effect was applied already')
  .action((o: { group: string; crashAfter?: number; idempotent?: boolean }) =>
    withContext(async (ctx) => {
      const s = await runTally(ctx, o);
      console.log(
        `${s.group}: read ${s.read} orders, applied ${s.applied}, skipped ${s.skipped} as duplicates; caught up, exiting`,
      );
    }),
  );

program
  .command('cron-report')
  .description(
    'lab 10: a cron-style consumer (group nightly-report): reads what is new since its last run, reports, exits',
  )
  .action(() =>
    withContext(async (ctx) => {
      const s = await runTally(ctx, { group: CRON_GROUP, effectsTopic: null });
      const promos =
        Object.entries(s.byPromo)
          .map(([code, n]) => `${code} ${n}`)
          .join(', ') || 'none';
      console.log(
        `${CRON_GROUP}: ${s.read} new orders since the last run, revenue ${(s.revenueCents / 100).toFixed(2)}; promo codes: ${promos}`,
      );
    }),
  );

program
  .command('lost-ack')
  .description('lab 07: one record whose acknowledgement is lost, so the producer retries')
  .option('--no-idempotence', 'a plain producer (enable.idempotence=false)')
  .option('--restart-broker', 'restart the demo’s broker before the retry')
  .action((o: { idempotence: boolean; restartBroker?: boolean }) =>
    withContext(async (ctx) => {
      const r = await lostAck(ctx, { idempotent: o.idempotence, restartBroker: o.restartBroker });
      console.log(
        `producer (${r.idempotent ? 'idempotent' : 'not idempotent'}${r.restartBroker ? ', broker restarted before the retry' : ''}): ` +
          `the ack was lost, the producer retried; copies of run ${r.run.slice(0, 8)} on lab-retry: ${r.copies}` +
          (r.error ? ` (the producer gave up: ${r.error})` : ''),
      );
    }),
  );

program
  .command('kinesis-read')
  .description(
    'lab 14: the newest records of each shard of the orders stream, read with the AWS SDK (Kinesis API)',
  )
  .option('-n, --per-shard <n>', 'records per shard', int, 3)
  .action((o: { perShard: number }) =>
    withContext(async (ctx) => {
      for (const r of await kinesisRead(ctx, o.perShard))
        console.log(
          `${r.shardId}  ${r.sequenceNumber}  key ${r.partitionKey}  order ${r.orderId ?? '(not an order)'}`,
        );
    }),
  );

program
  .command('kinesis-put')
  .description(
    'lab 14: put one valid order on the orders stream with PutRecord (AWS SDK), print its shard and sequence number',
  )
  .action(() =>
    withContext(async (ctx) => {
      const put = await putAndNote(ctx);
      console.log(
        `PutRecord: order ${put.orderId} (partition key ${put.customerId}) → ${put.shardId}, sequence number ${put.sequenceNumber}`,
      );
    }),
  );

program
  .command('kinesis-leases')
  .description(
    'lab 14: a KCL application’s leases and checkpoints (sequence numbers) beside the Kafka group’s committed offsets',
  )
  .option('--application <name>', 'the KCL application (lease table)', 'promo-counter-kinesis')
  .option('--group <group>', 'the Kafka consumer group to compare with', 'promo-counter')
  .action((o: { application: string; group: string }) =>
    withContext(async (ctx) => {
      const leases = await kinesisLeases(ctx, o.application, o.group);
      if (!leases.length) console.log(`${o.application} has no leases yet: is its KCL worker running?`);
      for (const l of leases)
        console.log(
          `${l.shardId}  lease ${l.owner ?? '(free)'}  checkpoint ${l.checkpoint} (offset ${l.checkpointOffset ?? '–'})  ` +
            `${o.group} committed offset ${l.kafkaCommitted ?? '–'}`,
        );
    }),
  );

program
  .command('table')
  .description(
    'lab 16: replay the compacted topic customers from offset 0 with kafkajs and print the table it gives',
  )
  .option('--limit <n>', 'rows to print, by lifetime value', int, 10)
  .action((o: { limit: number }) =>
    withContext(async (ctx) => {
      for (const line of describeReplay(await replayTable(ctx), undefined, o.limit)) console.log(line);
    }),
  );

await program.parseAsync().catch((err: Error) => {
  console.error(`lab: ${err.message}`);
  process.exit(1);
});

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
}
