// kafkajs 2.2.4 re-arms a 1 ms "check pending requests" timer forever after any answer
// (kafkajs-idle-loop.ts); with @orders/messaging loaded, an idle connection checks nothing.
import { createRequire } from 'node:module';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../../test/helpers/broker.js';
import { kafkaConfigFromEnv } from './config.js';
import { kafkajsIdleLoopFixed } from './kafkajs-idle-loop.js';

const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as {
  prototype: { checkPendingRequests(): void };
};

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(() => broker?.destroy());

it('an idle kafkajs connection stops checking its request queue once it has nothing pending', async () => {
  expect(kafkajsIdleLoopFixed()).toBe(true);
  const kafka = new Kafka({
    ...kafkaConfigFromEnv('idle-test', { KAFKA_BROKERS: broker.bootstrap }),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  await producer.send({ topic: 'idle-loop', messages: [{ value: 'one' }] });

  const original = RequestQueue.prototype.checkPendingRequests;
  let checks = 0;
  RequestQueue.prototype.checkPendingRequests = function (this: unknown) {
    checks++;
    original.call(this);
  };
  try {
    await new Promise((r) => setTimeout(r, 500)); // without the fix: a check every millisecond or so
    expect(checks).toBeLessThan(5);
    // …and requests still go out and come back
    await producer.send({ topic: 'idle-loop', messages: [{ value: 'two' }] });
  } finally {
    RequestQueue.prototype.checkPendingRequests = original;
    await producer.disconnect();
  }
});
