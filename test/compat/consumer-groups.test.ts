/**
 * Consumer groups with kafkajs (the client inside Nest's Kafka transport), the same tests against our
 * broker and Apache Kafka: the seed's arithmetic of partitions and consumers, a clean leave, a
 * member killed with SIGKILL, independent groups and a late group reading the retained stream.
 * The rebalance tests print how long each rebalance took, to compare the two brokers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import kafkajsPkg, { type Admin, type Consumer, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkajs, startTarget, targetName, uniqueTopic, type Target } from './helpers/target.js';
import { repoRoot } from './helpers/tools.js';

const { AssignerProtocol } = kafkajsPkg;

/** Session timeout of every member: Kafka's group.min.session.timeout.ms (its lowest allowed). */
const SESSION_TIMEOUT_MS = 6000;
/** Heartbeat and fetch wait: how soon a kafkajs member notices a rebalance. */
const HEARTBEAT_MS = 500;

let target: Target;
let kafka: Kafka;
let admin: Admin;
const consumers: Consumer[] = [];
const children: ChildProcess[] = [];
const timings: string[] = [];

beforeAll(async () => {
  target = await startTarget();
  kafka = kafkajs(target);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  await admin?.disconnect();
  await target?.close();
  if (timings.length) console.log(`[compat] rebalance timings on ${targetName}:\n  ${timings.join('\n  ')}`);
});

async function topicWith(prefix: string, partitions: number, records: number): Promise<string> {
  const topic = uniqueTopic(prefix);
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
  if (records) await produce(topic, records, 0);
  return topic;
}

async function produce(topic: string, count: number, from: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}` })),
  });
  await producer.disconnect();
}

interface Member {
  consumer: Consumer;
  values: string[];
  /** Each GROUP_JOIN: when, and the partitions of the topic it got. */
  joins: Array<{ at: number; partitions: number[] }>;
}

async function member(groupId: string, topic: string, opts: { autoCommit?: boolean } = {}): Promise<Member> {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: SESSION_TIMEOUT_MS,
    heartbeatInterval: HEARTBEAT_MS,
    maxWaitTimeInMs: HEARTBEAT_MS,
  });
  consumers.push(consumer);
  const m: Member = { consumer, values: [], joins: [] };
  consumer.on(consumer.events.GROUP_JOIN, (e) =>
    m.joins.push({ at: Date.now(), partitions: [...(e.payload.memberAssignment[topic] ?? [])].sort() }),
  );
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: opts.autoCommit ?? true,
    autoCommitInterval: 100,
    eachMessage: async (p) => void m.values.push(p.message.value!.toString()),
  });
  return m;
}

/** Partitions per member as the broker reports them (DescribeGroups, assignments decoded). */
async function ownership(groupId: string): Promise<{ state: string; owned: number[][] }> {
  const { groups } = await admin.describeGroups([groupId]);
  const g = groups[0]!;
  return {
    state: g.state,
    owned: g.members.map((m) => {
      const a = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      return Object.values(a?.assignment ?? {})
        .flat()
        .sort((x, y) => x - y);
    }),
  };
}

async function stableWith(groupId: string, members: number, timeout = 30_000): Promise<number[][]> {
  let last: { state: string; owned: number[][] } | undefined;
  await expect
    .poll(
      async () => {
        last = await ownership(groupId);
        return last.state === 'Stable' && last.owned.length === members;
      },
      { timeout, interval: 100 },
    )
    .toBe(true);
  return last!.owned;
}

/** Resolves with the time at which `m` (re)joined owning exactly `partitions`. */
async function joinedWith(m: Member, partitions: number[], since: number, timeout = 30_000): Promise<number> {
  let at = 0;
  await expect
    .poll(
      () => {
        at = m.joins.find((j) => j.at >= since && j.partitions.join() === partitions.join())?.at ?? 0;
        return at > 0;
      },
      { timeout, interval: 20 },
    )
    .toBe(true);
  return at;
}

describe('kafkajs consumer groups: the seed arithmetic', () => {
  it('5 partitions and 2 consumers in a group share all 5', async () => {
    const topic = await topicWith('g2', 5, 50);
    const group = uniqueTopic('share2');
    const [a, b] = await Promise.all([member(group, topic), member(group, topic)]);
    const owned = await stableWith(group, 2);
    expect(owned.flat().sort()).toEqual([0, 1, 2, 3, 4]);
    expect(owned.map((o) => o.length).sort()).toEqual([2, 3]);
    await expect.poll(() => new Set([...a!.values, ...b!.values]).size, { timeout: 30_000 }).toBe(50);
  });

  it('5 partitions and 7 consumers: exactly 5 own one partition each and 2 sit idle', async () => {
    const topic = await topicWith('g7', 5, 20);
    const group = uniqueTopic('share7');
    await Promise.all(Array.from({ length: 7 }, () => member(group, topic)));
    let owned: number[][] = [];
    await expect
      .poll(
        async () => {
          owned = await stableWith(group, 7);
          return owned.flat().length;
        },
        { timeout: 30_000 },
      )
      .toBe(5);
    expect(owned.filter((o) => o.length === 1)).toHaveLength(5);
    expect(owned.filter((o) => o.length === 0)).toHaveLength(2);
    expect(owned.flat().sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('kafkajs consumer groups: joining, leaving and failing', () => {
  it('a second member joining takes over part of the partitions (timed)', async () => {
    const topic = await topicWith('join', 5, 0);
    const group = uniqueTopic('join');
    const first = await member(group, topic);
    await joinedWith(first, [0, 1, 2, 3, 4], 0);
    const before = first.joins.length;
    const t0 = Date.now();
    const second = await member(group, topic);
    await expect
      .poll(() => first.joins.length > before && second.joins.length > 0, {
        timeout: 30_000,
        interval: 20,
      })
      .toBe(true);
    const firstAt = first.joins[before]!;
    const secondAt = second.joins[0]!;
    expect([...firstAt.partitions, ...secondAt.partitions].sort()).toEqual([0, 1, 2, 3, 4]);
    timings.push(
      `member joins a stable group: ${Math.max(firstAt.at, secondAt.at) - t0} ms until both own their partitions (heartbeat ${HEARTBEAT_MS} ms)`,
    );
  });

  it('a consumer that leaves cleanly: the group rebalances at once and the survivor owns everything (timed)', async () => {
    const topic = await topicWith('leave', 5, 0);
    const group = uniqueTopic('leave');
    const [a, b] = await Promise.all([member(group, topic), member(group, topic)]);
    await stableWith(group, 2);
    const t0 = Date.now();
    await b!.consumer.disconnect();
    const at = await joinedWith(a!, [0, 1, 2, 3, 4], t0, SESSION_TIMEOUT_MS - 1000);
    timings.push(
      `member leaves (LeaveGroup): ${at - t0} ms until the survivor owns all 5 partitions (session timeout ${SESSION_TIMEOUT_MS} ms, not waited for)`,
    );
    expect(at - t0).toBeLessThan(SESSION_TIMEOUT_MS);
  });

  it('a member killed with SIGKILL: after its session timeout the survivor owns its partitions and gets its uncommitted records (timed)', async () => {
    const topic = await topicWith('kill', 5, 0);
    const group = uniqueTopic('kill');
    const child = spawn(
      process.execPath,
      [
        '--conditions=@orders/source',
        '--import',
        'tsx',
        join(repoRoot, 'test/compat/helpers/group-member.ts'),
        target.bootstrap,
        group,
        topic,
        String(SESSION_TIMEOUT_MS),
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let childOut = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (childOut += d));
    const childJoins = () =>
      childOut
        .split('\n')
        .filter((l) => l.startsWith('{"event":"join"'))
        .map((l) => JSON.parse(l) as { partitions: number[] });
    await expect.poll(() => childJoins().length, { timeout: 30_000 }).toBeGreaterThan(0);

    const survivor = await member(group, topic);
    await stableWith(group, 2);
    await expect
      .poll(() => childJoins().at(-1)?.partitions.length ?? 0, { timeout: 30_000 })
      .toBeGreaterThan(0);
    const childOwns = childJoins().at(-1)!.partitions;
    // Records for the child's partitions: it reads them and never commits.
    await produce(topic, 40, 0);
    await expect
      .poll(() => childOut.split('\n').filter((l) => l.startsWith('{"event":"record"')).length, {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);

    const t0 = Date.now();
    child.kill('SIGKILL');
    const at = await joinedWith(survivor, [0, 1, 2, 3, 4], t0, SESSION_TIMEOUT_MS + 20_000);
    timings.push(
      `member SIGKILLed: ${at - t0} ms until the survivor owns all 5 partitions (session timeout ${SESSION_TIMEOUT_MS} ms)`,
    );
    expect(at - t0).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS - 1000);
    // At-least-once: the survivor now reads everything, including what the child read uncommitted.
    await expect.poll(() => new Set(survivor.values).size, { timeout: 30_000 }).toBe(40);
    expect(childOwns.length).toBeGreaterThan(0);
  });
});

describe('kafkajs consumer groups: independent positions', () => {
  it('two groups on one topic keep their own positions; a group added later with fromBeginning reads the whole retained stream', async () => {
    const topic = await topicWith('indep', 3, 10);
    const groupA = uniqueTopic('ga');
    const groupB = uniqueTopic('gb');
    const groupC = uniqueTopic('gc');

    const a = await member(groupA, topic);
    await expect.poll(() => a.values.length, { timeout: 30_000 }).toBe(10);
    const committed = async (g: string) =>
      (await admin.fetchOffsets({ groupId: g, topics: [topic] }))[0]!.partitions.reduce(
        (n, p) => n + Math.max(0, Number(p.offset)),
        0,
      );
    await expect.poll(() => committed(groupA), { timeout: 10_000 }).toBe(10);
    await a.consumer.disconnect();

    await produce(topic, 5, 10);
    const b = await member(groupB, topic);
    await expect.poll(() => b.values.length, { timeout: 30_000 }).toBe(15);
    await expect.poll(() => committed(groupB), { timeout: 10_000 }).toBe(15);
    // B's progress did not move A.
    expect(await committed(groupA)).toBe(10);

    // A restarts where it left off: only the 5 records produced while it was away.
    const a2 = await member(groupA, topic);
    await expect.poll(() => a2.values.length, { timeout: 30_000 }).toBe(5);
    expect(a2.values.sort()).toEqual(['v10', 'v11', 'v12', 'v13', 'v14']);

    // A third group added now reads the whole retained stream from the beginning.
    const c = await member(groupC, topic);
    await expect.poll(() => new Set(c.values).size, { timeout: 30_000 }).toBe(15);
  });
});
