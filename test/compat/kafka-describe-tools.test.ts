/**
 * Apache Kafka's CLI on the describe APIs, on both brokers:
 * - `kafka-transactions describe-producers` (DescribeProducers, 61),
 * - Kafka 4's `kafka-topics --describe`, which uses DescribeTopicPartitions (75) when the broker
 *   advertises it (then it prints Elr/LastKnownElr columns) and pages with its cursor,
 * - `kafka-configs --entity-type groups` (DescribeConfigs / IncrementalAlterConfigs on resource
 *   type GROUP = 32).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { run, type RunResult } from './helpers/exec.js';
import { kafkajs, startTarget, targetName, uniqueTopic, type Target } from './helpers/target.js';
import { missing, repoRoot, requireTool } from './helpers/tools.js';

describe.skipIf(missing('java'))(
  'Kafka describe tools (kafka-transactions, kafka-topics, kafka-configs)',
  () => {
    let target: Target;
    let kafka: Kafka;

    beforeAll(async () => {
      requireTool('java');
      target = await startTarget();
      kafka = kafkajs(target);
    });

    afterAll(async () => {
      await target?.close();
    });

    function tool(name: string, ...args: string[]): Promise<RunResult> {
      return run(
        join(repoRoot, 'scripts/kafka/tool.sh'),
        [name, '--bootstrap-server', target.bootstrap, ...args],
        {
          timeoutMs: 60_000,
        },
      );
    }
    async function toolOk(name: string, ...args: string[]): Promise<string> {
      const r = await tool(name, ...args);
      expect(r.code, `${name} ${args.join(' ')}\n${r.stderr}`).toBe(0);
      return r.stdout;
    }

    async function createTopic(topic: string, numPartitions: number): Promise<void> {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions }] });
      await admin.disconnect();
    }

    it('kafka-transactions describe-producers lists the idempotent producer of a partition', async () => {
      const topic = uniqueTopic('describe-producers');
      await createTopic(topic, 2);
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      for (let i = 0; i < 4; i++)
        await producer.send({
          topic,
          messages: [
            { value: `a${i}`, partition: 0 },
            { value: `b${i}`, partition: 0 },
          ],
        });
      await producer.disconnect();

      const out = await toolOk(
        'kafka-transactions',
        'describe-producers',
        '--topic',
        topic,
        '--partition',
        '0',
      );
      const [header, ...rows] = out
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/));
      expect(header).toEqual([
        'ProducerId',
        'ProducerEpoch',
        'LatestCoordinatorEpoch',
        'LastSequence',
        'LastTimestamp',
        'CurrentTransactionStartOffset',
      ]);
      expect(rows).toHaveLength(1);
      const [id, epoch, coordinatorEpoch, lastSequence, lastTimestamp, txnStart] = rows[0]!;
      expect(Number(id)).toBeGreaterThanOrEqual(0);
      expect([epoch, coordinatorEpoch, lastSequence, txnStart]).toEqual(['0', '-1', '7', 'None']);
      expect(Math.abs(Number(lastTimestamp) - Date.now())).toBeLessThan(10 * 60_000);

      const none = await toolOk(
        'kafka-transactions',
        'describe-producers',
        '--topic',
        topic,
        '--partition',
        '1',
      );
      expect(none.trim().split('\n')).toHaveLength(1); // the header only
    });

    it('kafka-topics --describe pages through DescribeTopicPartitions with a partition limit', async () => {
      const prefix = uniqueTopic('dtp');
      await createTopic(`${prefix}-a`, 3);
      await createTopic(`${prefix}-b`, 2);
      const out = await toolOk(
        'kafka-topics',
        '--describe',
        '--topic',
        `${prefix}-.*`,
        '--partition-size-limit-per-response',
        '2',
      );
      // kafka-topics prints the topics in the order of a HashMap of the Admin's answer: sort to compare
      const summaries = out
        .split('\n')
        .filter((l) => l.startsWith('Topic:'))
        .sort();
      expect(
        summaries.map((l) => /^Topic: (\S+)\s+TopicId: \S+\s+PartitionCount: (\d+)/.exec(l)?.slice(1, 3)),
      ).toEqual([
        [`${prefix}-a`, '3'],
        [`${prefix}-b`, '2'],
      ]);
      for (const l of summaries) expect(l).toMatch(/TopicId: (?!AAAAAAAAAAAAAAAAAAAAAA)[A-Za-z0-9_-]{22}\s/);
      const partitions = out
        .split('\n')
        .filter((l) => l.startsWith('\tTopic:'))
        .map((l) => l.trim().replace(/\s+/g, ' '))
        .sort();
      expect(partitions).toEqual([
        `Topic: ${prefix}-a Partition: 0 Leader: 1 Replicas: 1 Isr: 1 Elr: LastKnownElr:`,
        `Topic: ${prefix}-a Partition: 1 Leader: 1 Replicas: 1 Isr: 1 Elr: LastKnownElr:`,
        `Topic: ${prefix}-a Partition: 2 Leader: 1 Replicas: 1 Isr: 1 Elr: LastKnownElr:`,
        `Topic: ${prefix}-b Partition: 0 Leader: 1 Replicas: 1 Isr: 1 Elr: LastKnownElr:`,
        `Topic: ${prefix}-b Partition: 1 Leader: 1 Replicas: 1 Isr: 1 Elr: LastKnownElr:`,
      ]);
    });

    it('kafka-configs --describe --entity-type groups --all lists Kafka 4.4 group configs at their defaults', async () => {
      const group = uniqueTopic('cfg-group');
      const out = await toolOk(
        'kafka-configs',
        '--describe',
        '--entity-type',
        'groups',
        '--entity-name',
        group,
        '--all',
      );
      const lines = out.trim().split('\n');
      expect(lines[0]).toBe(`All configs for group ${group} are:`);
      const configs = lines.slice(1).map((l) => l.trim());
      expect(configs).toHaveLength(21);
      expect(configs).toContain(
        'consumer.session.timeout.ms=45000 sensitive=false synonyms={DEFAULT_CONFIG:group.consumer.session.timeout.ms=45000}',
      );
      expect(configs).toContain(
        'consumer.heartbeat.interval.ms=5000 sensitive=false synonyms={DEFAULT_CONFIG:group.consumer.heartbeat.interval.ms=5000}',
      );
      expect(configs).toContain(
        'streams.assignor.name=sticky sensitive=false synonyms={DEFAULT_CONFIG:group.streams.assignors=sticky}',
      );

      const dynamic = await toolOk(
        'kafka-configs',
        '--describe',
        '--entity-type',
        'groups',
        '--entity-name',
        group,
      );
      if (targetName === 'kafka')
        expect(dynamic.trim()).toBe(`The group '${group}' doesn't exist and doesn't have dynamic config.`);
      // kafka-configs learns that a group has no dynamic configs from ListConfigResources (74) v1
      // (KIP-1142), which sps does not serve: it prints the heading over an empty list instead.
      else expect(dynamic.trim()).toBe(`Dynamic configs for group ${group} are:`);
    });

    it('kafka-configs --alter on a group: an unknown config is refused on both; a known one is applied by Kafka and refused by sps', async () => {
      const group = uniqueTopic('cfg-group');
      const alter = (config: string) =>
        tool(
          'kafka-configs',
          '--alter',
          '--entity-type',
          'groups',
          '--entity-name',
          group,
          '--add-config',
          config,
        );
      const unknown = await alter('no.such.config=1');
      expect(unknown.code).not.toBe(0);
      expect(unknown.stdout + unknown.stderr).toMatch(
        /InvalidConfigurationException: Unknown group config name: no\.such\.config/,
      );

      const known = await alter('consumer.session.timeout.ms=50000');
      if (targetName === 'kafka') {
        expect(known.code, known.stderr).toBe(0);
        expect(known.stdout).toMatch(`Completed updating config for group ${group}.`);
      } else {
        // sps serves classic groups only: the KIP-848 group configs would change nothing, so it says so at once
        expect(known.code).not.toBe(0);
        expect(known.stdout + known.stderr).toMatch(
          /InvalidRequestException: group configs are not changeable on sps/,
        );
      }
    });
  },
);
