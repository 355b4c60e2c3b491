/**
 * Consumer groups, driven by kafkajs consumers: the seed's arithmetic of partitions and consumers,
 * failover after a crash with at-least-once redelivery, clean leaves, independent groups, replay,
 * partitions added while consuming, and offsets that survive a broker restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssignerProtocol, Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import { ApiKey, ErrorCode, encodeSubscription } from '@orders/kafka-protocol';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { exited, spawnTs, waitForLine } from '../helpers/process.js';
import { RawConnection } from '../helpers/raw-client.js';

let broker: TestBroker;
let kafka: Kafka;
let topicSeq = 0;
const consumers: Consumer[] = [];

beforeAll(async () => {
  broker = await startTestBroker({ groups: { initialRebalanceDelayMs: 0 } });
  kafka = new Kafka({ clientId: 'groups-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  await broker?.destroy();
});

async function topicWith(partitions: number, records = 0): Promise<string> {
  const topic = `g-topic-${++topicSeq}`;
  await broker.state.topics.create(topic, partitions);
  if (records > 0) await produce(topic, records);
  return topic;
}

async function produce(topic: string, count: number, prefix = 'r'): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: count }, (_, i) => ({ key: `key-${i}`, value: `${prefix}${i}` })),
  });
  await producer.disconnect();
}

/** Starts a consumer that records what it receives; resolves once it has joined. */
async function startConsumer(
  groupId: string,
  topic: string,
  opts: { metadataMaxAge?: number; autoCommit?: boolean } = {},
) {
  const received: EachMessagePayload[] = [];
  const client = opts.metadataMaxAge
    ? new Kafka({ clientId: 'groups-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    : kafka;
  // maxWaitTimeInMs: kafkajs heartbeats between fetches, so an idle consumer notices a rebalance within it.
  const consumer = client.consumer({
    groupId,
    sessionTimeout: 6000,
    heartbeatInterval: 300,
    rebalanceTimeout: 6000,
    maxWaitTimeInMs: 500,
    ...(opts.metadataMaxAge ? { metadataMaxAge: opts.metadataMaxAge } : {}),
  });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: opts.autoCommit ?? true,
    autoCommitInterval: 100,
    eachMessage: async (p) => void received.push(p),
  });
  return { consumer, received, values: () => received.map((p) => p.message.value!.toString()) };
}

/** Partitions each member owns, from the broker's own view of the group. */
function ownership(groupId: string): number[][] {
  const group = broker.state.groups.get(groupId)!;
  return [...group.members.values()].map((m) => {
    const a = AssignerProtocol.MemberAssignment.decode(m.assignment);
    return Object.values(a?.assignment ?? {})
      .flat()
      .sort();
  });
}

const stableWith = (groupId: string, members: number) => () => {
  const g = broker.state.groups.get(groupId);
  return g?.state === 'Stable' && g.members.size === members;
};

describe('the seed arithmetic', () => {
  it('5 partitions and 2 consumers in a group share all 5', async () => {
    const topic = await topicWith(5, 50);
    const a = await startConsumer('share-2', topic);
    const b = await startConsumer('share-2', topic);
    await expect.poll(stableWith('share-2', 2), { timeout: 15_000 }).toBe(true);
    const owned = ownership('share-2');
    expect(owned.flat().sort()).toEqual([0, 1, 2, 3, 4]);
    expect(owned.map((o) => o.length).sort()).toEqual([2, 3]);
    await expect.poll(() => new Set([...a.values(), ...b.values()]).size, { timeout: 15_000 }).toBe(50);
  });

  it('5 partitions and 7 consumers: exactly 5 own one partition each and 2 sit idle', async () => {
    const topic = await topicWith(5, 20);
    await Promise.all(Array.from({ length: 7 }, () => startConsumer('seven', topic)));
    await expect.poll(stableWith('seven', 7), { timeout: 20_000 }).toBe(true);
    const owned = ownership('seven');
    expect(owned.filter((o) => o.length === 1)).toHaveLength(5);
    expect(owned.filter((o) => o.length === 0)).toHaveLength(2);
    expect(owned.flat().sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('failure and departure', () => {
  it('a consumer killed with SIGKILL: after its session timeout the survivor owns its partitions and gets its uncommitted records again', async () => {
    const topic = await topicWith(2);
    const survivor = await startConsumer('failover', topic);
    await expect.poll(stableWith('failover', 1), { timeout: 10_000 }).toBe(true);
    const doomed = spawnTs('test/fixtures/consumer.ts', [broker.bootstrap, 'failover', topic]);
    // The doomed consumer joins and takes one of the two partitions.
    await waitForLine(doomed, /assigned \d/);
    await expect.poll(stableWith('failover', 2), { timeout: 15_000 }).toBe(true);
    const doomedPartition = ownership('failover').find((o) => !survivor.received.length || o.length === 1);
    expect(doomedPartition).toBeDefined();
    let doomedOut = '';
    doomed.stdout!.on('data', (d) => (doomedOut += d));
    await produce(topic, 20, 'crash-');
    await expect
      .poll(() => (doomedOut.match(/^record /gm) ?? []).length, { timeout: 10_000 })
      .toBeGreaterThan(0);
    // How the broker lets the dead member go: a SIGKILLed process sends no LeaveGroup, so only its
    // session timeout can remove it (not a timing check: a loaded machine moves every clock here).
    const removals: string[] = [];
    const stopListening = broker.state.groups.onEvent((e) => {
      if (e.groupId === 'failover' && (e.type === 'member-expired' || e.type === 'member-left'))
        removals.push(`${e.type}: ${e.reason}`);
    });
    doomed.kill('SIGKILL');
    await exited(doomed);
    const seenByDoomed = [...doomedOut.matchAll(/^record \d+ \d+ (\S+)$/gm)].map((m) => m[1]!);

    // After the session timeout (3 s) the group rebalances and the survivor owns both partitions.
    await expect.poll(() => ownership('failover'), { timeout: 20_000 }).toEqual([[0, 1]]);
    stopListening();
    expect(removals).toEqual(['member-expired: expired']);
    // Nothing lost: every record reaches the survivor, including those the dead one had consumed but not committed.
    await expect.poll(() => new Set(survivor.values()).size, { timeout: 15_000 }).toBe(20);
    for (const v of seenByDoomed) expect(survivor.values()).toContain(v);
  });

  it('a consumer that leaves cleanly makes the group rebalance at once, without waiting for its session timeout', async () => {
    const topic = await topicWith(4);
    await startConsumer('clean-leave', topic);
    const leaving = await startConsumer('clean-leave', topic);
    await expect.poll(stableWith('clean-leave', 2), { timeout: 15_000 }).toBe(true);
    const started = Date.now();
    await leaving.consumer.disconnect();
    await expect.poll(() => ownership('clean-leave'), { timeout: 5_000 }).toEqual([[0, 1, 2, 3]]);
    expect(Date.now() - started).toBeLessThan(6000); // well under the 6 s session timeout
  });
});

describe('independent groups and replay', () => {
  it('two groups keep their own positions; a group added later with fromBeginning reads the whole retained stream', async () => {
    const topic = await topicWith(3, 30);
    const first = await startConsumer('indep-a', topic);
    await expect.poll(() => first.received.length, { timeout: 10_000 }).toBe(30);
    await first.consumer.disconnect();
    await produce(topic, 10, 'later-');
    const second = await startConsumer('indep-b', topic);
    await expect.poll(() => second.received.length, { timeout: 10_000 }).toBe(40);
    // The first group resumes where it stopped: only the 10 new records.
    const resumed = await startConsumer('indep-a', topic);
    await expect.poll(() => resumed.received.length, { timeout: 10_000 }).toBe(10);
    expect(resumed.values().every((v) => v.startsWith('later-'))).toBe(true);
  });

  it('resetting a stopped group to the earliest offsets replays the stream', async () => {
    const topic = await topicWith(2, 12);
    const c = await startConsumer('replay', topic);
    await expect.poll(() => c.received.length, { timeout: 10_000 }).toBe(12);
    await new Promise((r) => setTimeout(r, 300)); // let the last auto-commit land
    await c.consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: 'replay', topic, earliest: true });
    await admin.disconnect();
    const again = await startConsumer('replay', topic);
    await expect.poll(() => again.received.length, { timeout: 10_000 }).toBe(12);
  });
});

describe('partitions added while consuming', () => {
  it('the group picks up new partitions on its next metadata refresh', async () => {
    const topic = await topicWith(2, 4);
    const c = await startConsumer('grow', topic, { metadataMaxAge: 500 });
    await expect.poll(() => c.received.length, { timeout: 10_000 }).toBe(4);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
    await admin.disconnect();
    await expect.poll(() => ownership('grow')[0], { timeout: 20_000 }).toEqual([0, 1, 2, 3]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'on-p3', partition: 3 }] });
    await producer.disconnect();
    await expect.poll(() => c.values(), { timeout: 10_000 }).toContain('on-p3');
  });
});

describe('protocol rules', () => {
  it('a member with no assignor in common with the group gets INCONSISTENT_GROUP_PROTOCOL', async () => {
    const topic = await topicWith(1);
    await startConsumer('mixed', topic);
    await expect.poll(stableWith('mixed', 1), { timeout: 10_000 }).toBe(true);
    const conn = await RawConnection.connect(broker.port);
    const res = await conn.request(ApiKey.JoinGroup, 5, {
      groupId: 'mixed',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: encodeSubscription([topic]) }],
    });
    conn.close();
    expect(res.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });
});

describe('durability of committed offsets', () => {
  it('survive a broker restart', async () => {
    const dataDir = await tempDir('sps-offsets-');
    const first = await startTestBroker({ dataDir, groups: { initialRebalanceDelayMs: 0 } });
    await first.state.topics.create('kept', 2);
    const client = new Kafka({ clientId: 'restart', brokers: [first.bootstrap], logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    await admin.setOffsets({
      groupId: 'survivor',
      topic: 'kept',
      partitions: [
        { partition: 0, offset: '0' },
        { partition: 1, offset: '0' },
      ],
    });
    const producer = client.producer();
    await producer.connect();
    await producer.send({
      topic: 'kept',
      messages: Array.from({ length: 6 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })),
    });
    await producer.disconnect();
    await admin.setOffsets({
      groupId: 'survivor',
      topic: 'kept',
      partitions: [
        { partition: 0, offset: '2' },
        { partition: 1, offset: '3' },
      ],
    });
    await admin.disconnect();
    await first.close();

    const second = await startTestBroker({ dataDir });
    try {
      const again = new Kafka({
        clientId: 'restart',
        brokers: [second.bootstrap],
        logLevel: logLevel.NOTHING,
      }).admin();
      await again.connect();
      const offsets = await again.fetchOffsets({ groupId: 'survivor', topics: ['kept'] });
      const groups = await again.listGroups();
      await again.disconnect();
      expect(offsets[0]!.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual([
        '2',
        '3',
      ]);
      expect(groups.groups.map((g) => g.groupId)).toContain('survivor');
    } finally {
      await second.destroy();
    }
  });
});
