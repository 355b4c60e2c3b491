/**
 * Kafka transactions with the Java client (kafka-clients 4.x) and Kafka's own kafka-transactions
 * tool, on both brokers: the same scenarios must give the same results on sps as on Apache Kafka.
 * Commit; abort (never seen by read_committed, seen by read_uncommitted); a zombie producer fenced
 * by a new instance with the same transactional id; consume-transform-produce with
 * sendOffsetsToTransaction; `kafka-transactions list` / `describe` while a transaction is open.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers/exec.js';
import { compileJava, jsonLines, runJava } from './helpers/java.js';
import { kafkajs, startTarget, uniqueTopic, type Target } from './helpers/target.js';
import { javaBin, kafkaLibs, missing, repoRoot, requireTool } from './helpers/tools.js';

interface Line {
  committed?: number;
  error?: string;
  isolation?: string;
  values?: string[];
  zombie?: string;
  transformed?: number;
  committedOffset?: number;
}

describe.skipIf(missing('java'))('Java transactional producer', () => {
  let target: Target;

  beforeAll(async () => {
    requireTool('java');
    await compileJava();
    target = await startTarget();
  });

  afterAll(async () => {
    await target?.close();
  });

  async function topic(prefix: string): Promise<string> {
    const name = uniqueTopic(prefix);
    const admin = kafkajs(target).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: name, numPartitions: 1 }] });
    await admin.disconnect();
    return name;
  }

  async function scenario(args: string[]): Promise<Line[]> {
    const r = await runJava('TransactionScenarios', args, 150_000);
    expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr.slice(-4000)}`).toBe(0);
    const lines = jsonLines<Line>(r.stdout);
    console.log(`[compat] ${args[0]} on ${target.name}: ${JSON.stringify(lines)}`);
    return lines;
  }

  async function tool(...args: string[]): Promise<string> {
    const r = await run(
      join(repoRoot, 'scripts/kafka/tool.sh'),
      ['kafka-transactions', '--bootstrap-server', target.bootstrap, ...args],
      { timeoutMs: 60_000 },
    );
    expect(r.code, `kafka-transactions ${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r.stdout;
  }

  it('initTransactions, five records, commitTransaction: committed', async () => {
    const t = await topic('java-tx');
    const r = await runJava('TransactionalProducer', [target.bootstrap, t, `${t}-txid`, '5']);
    expect(r.code, r.stderr).toBe(0);
    const [outcome] = jsonLines<Line>(r.stdout);
    console.log(`[compat] Java transactional producer on ${target.name}: ${JSON.stringify(outcome)}`);
    expect(outcome).toMatchObject({ committed: 5 });
  });

  it('an aborted transaction is never seen by read_committed and is seen by read_uncommitted', async () => {
    const t = await topic('java-tx-abort');
    const lines = await scenario(['abort', target.bootstrap, t, `${t}-txid`]);
    expect(lines.find((l) => l.isolation === 'read_committed')?.values).toEqual(['c1', 'c2', 'c3']);
    expect(lines.find((l) => l.isolation === 'read_uncommitted')?.values).toEqual([
      'c1',
      'c2',
      'a1',
      'a2',
      'c3',
    ]);
  });

  it('a zombie producer is fenced by a new instance with the same transactional id', async () => {
    const t = await topic('java-tx-zombie');
    const lines = await scenario(['zombie', target.bootstrap, t, `${t}-txid`]);
    // Apache Kafka 4.4 answers the zombie's produce (old epoch, its partition already in the
    // transaction) with INVALID_PRODUCER_EPOCH, which the client raises as this abortable error
    expect(lines[0]!.zombie).toBe('org.apache.kafka.common.errors.InvalidProducerEpochException');
    expect(lines[1]!.values).toEqual(['successor']);
  });

  it('consume-transform-produce: output and input offsets commit together (sendOffsetsToTransaction)', async () => {
    const input = await topic('java-ctp-in');
    const output = await topic('java-ctp-out');
    const producer = kafkajs(target).producer();
    await producer.connect();
    await producer.send({
      topic: input,
      messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `order-${i}` })),
    });
    await producer.disconnect();
    const [result] = await scenario([
      'ctp',
      target.bootstrap,
      input,
      output,
      `${input}-group`,
      `${input}-txid`,
      '10',
    ]);
    expect(result).toEqual({ transformed: 10, committedOffset: 10 });

    const consumer = kafkajs(target).consumer({ groupId: `${output}-reader`, readUncommitted: false });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: output, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.length} of 10 read`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length === 10) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(seen.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `ORDER-${i}`).sort());
  });

  it('kafka-transactions list and describe show an open transaction', async () => {
    const t = await topic('java-tx-open');
    const txid = `${t}-txid`;
    const classes = await compileJava();
    const child: ChildProcess = spawn(
      javaBin,
      [
        '-Xmx256m',
        '-cp',
        `${classes}:${kafkaLibs()}/*`,
        'TransactionScenarios',
        'open',
        target.bootstrap,
        t,
        txid,
        '60000',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the open transaction did not start')), 90_000);
        child.stdout!.on('data', (d: Buffer) => {
          if (d.toString().includes('"open":true')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`java exited ${code}`)));
      });
      const list = await tool('list');
      console.log(`[compat] kafka-transactions list on ${target.name}:\n${list}`);
      const row = list.split('\n').find((l) => l.startsWith(`${txid} `) || l.split(/\s+/)[0] === txid);
      expect(row, list).toBeDefined();
      expect(row).toMatch(/\sOngoing\s*$/);
      const described = await tool('describe', '--transactional-id', txid);
      console.log(`[compat] kafka-transactions describe on ${target.name}:\n${described}`);
      expect(described).toMatch(/Ongoing/);
      expect(described).toContain(`${t}-0`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
