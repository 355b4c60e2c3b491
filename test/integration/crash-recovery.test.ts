/**
 * Durability: SIGKILL the broker process while a producer sends with acks=all. After a restart
 * every acknowledged record is there, in order, and the log reads cleanly to its end.
 */
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { tempDir } from '../helpers/broker.js';
import { exited, spawnTs, waitForLine } from '../helpers/process.js';
import { readPartition } from '../helpers/read.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function serve(dataDir: string, port = 0) {
  const child = spawnTs('test/fixtures/serve.ts', [dataDir, String(port)]);
  const [, actualPort] = await waitForLine(child, /ready (\d+)/);
  return { child, port: Number(actualPort) };
}

describe('crash recovery', () => {
  it('keeps every record acknowledged with acks=all across a SIGKILL', async () => {
    const dataDir = await tempDir('sps-crash-');
    dirs.push(dataDir);
    const first = await serve(dataDir);
    const kafka = new Kafka({
      clientId: 'crash-test',
      brokers: [`127.0.0.1:${first.port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'durable', numPartitions: 2 }] });
    await admin.disconnect();

    // Several producers in flight at once, so the kill lands mid-write for some of them.
    const acked = new Map<number, string[]>([
      [0, []],
      [1, []],
    ]);
    let stop = false;
    const producers = await Promise.all(
      [0, 1, 2, 3].map(async (id) => {
        const p = kafka.producer({ retry: { retries: 0 } });
        await p.connect();
        return { id, p };
      }),
    );
    const loops = producers.map(async ({ id, p }) => {
      for (let n = 0; !stop; n++) {
        const value = `p${id}-${n}`;
        const partition = n % 2;
        try {
          await p.send({ topic: 'durable', acks: -1, messages: [{ key: `k${id}`, value, partition }] });
          acked.get(partition)!.push(value);
        } catch {
          return; // the broker died: this send was not acknowledged
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGKILL');
    await exited(first.child);
    stop = true;
    await Promise.all(loops);
    await Promise.all(producers.map(({ p }) => p.disconnect().catch(() => undefined)));
    const ackedCount = acked.get(0)!.length + acked.get(1)!.length;
    expect(ackedCount).toBeGreaterThan(20);

    const second = await serve(dataDir);
    try {
      for (const partition of [0, 1]) {
        const records = await readPartition(second.port, 'durable', partition);
        // Offsets are dense from 0: the log reads to its end without a hole.
        expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i));
        const stored = new Set(records.map((r) => r.value));
        const missing = acked.get(partition)!.filter((v) => !stored.has(v));
        expect(missing).toEqual([]);
        // Each producer's acknowledged records keep their order.
        for (const id of [0, 1, 2, 3]) {
          const mine = records.map((r) => r.value!).filter((v) => v.startsWith(`p${id}-`));
          const ackedMine = acked.get(partition)!.filter((v) => v.startsWith(`p${id}-`));
          expect(mine.slice(0, ackedMine.length)).toEqual(ackedMine);
        }
      }
      // And the restarted broker takes new writes after the recovered tail.
      const again = new Kafka({
        clientId: 'crash-test-2',
        brokers: [`127.0.0.1:${second.port}`],
        logLevel: logLevel.NOTHING,
      });
      const p = again.producer();
      await p.connect();
      const [res] = await p.send({
        topic: 'durable',
        acks: -1,
        messages: [{ value: 'after-restart', partition: 0 }],
      });
      await p.disconnect();
      const records = await readPartition(second.port, 'durable', 0);
      expect(records.at(-1)).toMatchObject({ value: 'after-restart', offset: Number(res!.baseOffset) });
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  }, 60_000);
});
