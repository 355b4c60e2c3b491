/**
 * The `@nestjs/microservices` Kafka transport (kafkajs inside), as the business apps use it: an
 * `@EventPattern` handler receives records produced by another client, through a consumer group
 * that the broker shows under exactly the configured group id (postfixId: '').
 */
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEventsApp, type EventsApp } from './nest/events-app.js';
import { kafkajs, startTarget, uniqueTopic, type Target } from './helpers/target.js';

let target: Target;
let kafka: Kafka;
let admin: Admin;
let nest: EventsApp | undefined;

beforeAll(async () => {
  target = await startTarget();
  kafka = kafkajs(target);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await nest?.app.close();
  await admin?.disconnect();
  await target?.close();
});

describe('@nestjs/microservices Kafka transport', () => {
  it('constructor injection works in this test setup (decorator metadata is emitted)', async () => {
    const { Inbox, Handler } = await import('./nest/metadata-probe.js');
    expect(Reflect.getMetadata('design:paramtypes', Handler)).toEqual([Inbox]);
  });

  it('an @EventPattern handler receives records produced by kafkajs; the group is exactly the configured group id', async () => {
    const topic = uniqueTopic('nest');
    const groupId = uniqueTopic('nest-group');
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
    nest = await startEventsApp(target.bootstrap, topic, groupId);

    await expect
      .poll(
        async () => {
          const { groups } = await admin.describeGroups([groupId]);
          return `${groups[0]?.state}/${groups[0]?.members.length}`;
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBe('Stable/1');
    const { groups } = await admin.listGroups();
    const ours = groups.map((g) => g.groupId).filter((g) => g.startsWith(groupId));
    expect(ours).toEqual([groupId]);

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 6 }, (_, i) => ({
        key: `c${i}`,
        value: JSON.stringify({ orderId: `o-${i}`, totalCents: 100 * i }),
      })),
    });
    await producer.disconnect();

    await expect.poll(() => nest!.received.length, { timeout: 30_000 }).toBe(6);
    expect((nest.received as Array<{ orderId: string }>).map((o) => o.orderId).sort()).toEqual([
      'o-0',
      'o-1',
      'o-2',
      'o-3',
      'o-4',
      'o-5',
    ]);
    expect(nest.received).toContainEqual({ orderId: 'o-3', totalCents: 300 });
  });
});
