/* global process, console, setTimeout */
// A small consumer app for the console's browser tests, run by the demo's Supervisor like a real app:
// one kafkajs consumer in group APP_NAME reading `orders`, HTTP on PORT with GET /health (its member id
// and assigned partitions), a JSON "listening" line, graceful stop on SIGTERM (commit, leave the group).
import http from 'node:http';
import { Kafka, logLevel } from 'kafkajs';

const app = process.env.APP_NAME ?? 'order-db';
const kafka = new Kafka({ clientId: app, brokers: [process.env.KAFKA_BROKERS], logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({
  groupId: app,
  sessionTimeout: Number(process.env.SESSION_TIMEOUT_MS ?? 6000),
  heartbeatInterval: 500,
  rebalanceTimeout: 10000,
});
let memberId = null;
let assignment = {};
let processed = 0;
consumer.on(consumer.events.GROUP_JOIN, (e) => {
  memberId = e.payload.memberId;
  assignment = e.payload.memberAssignment;
});
await consumer.connect();
await consumer.subscribe({ topic: 'orders', fromBeginning: true });
await consumer.run({
  autoCommitInterval: 300,
  eachMessage: async () => {
    processed++;
    const delay = Number(process.env.PROCESS_MS ?? 0);
    if (delay) await new Promise((r) => setTimeout(r, delay));
  },
});

const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ app, ok: true, memberId, assignment, processed }));
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const port = server.address().port;
  console.log(JSON.stringify({ time: new Date().toISOString(), level: 'info', app, msg: 'listening', port }));
});
process.on('SIGTERM', async () => {
  await consumer.disconnect().catch(() => undefined);
  server.close(() => process.exit(0));
});
