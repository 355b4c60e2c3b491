/**
 * e2e latency on our broker alone, for A/B comparisons of broker changes without starting Kafka:
 *   npx tsx --conditions=@orders/source test/bench/e2e-probe.ts <port> [latencyRecords]
 * against an `sps serve` already listening on 127.0.0.1:<port>. Prints the wire client's and kafkajs'
 * figures with acks=all and acks=1 (same harness as the kafka-perf scenario).
 */
import { Kafka, logLevel } from 'kafkajs';
import { e2eLine, measureE2e } from './e2e-latency.js';
import { wireClient } from './wire-client.js';

const [portArg, countArg] = process.argv.slice(2);
const bootstrap = `127.0.0.1:${Number(portArg)}`;
const counts = { latencyRecords: Number(countArg ?? 5000), throughputRecords: 20_000 };
const kafka = new Kafka({ clientId: 'e2e-probe', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const createTopic = async (topic: string) =>
  void (await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }));
const run = `${Date.now()}`;
for (const acks of [-1, 1] as const) {
  const figures = await measureE2e(wireClient(bootstrap, `${run}-${acks}`, acks, createTopic), counts);
  console.log(`wire client, acks=${acks === -1 ? 'all' : '1'}: ${e2eLine(figures)}`);
}
await admin.disconnect();
