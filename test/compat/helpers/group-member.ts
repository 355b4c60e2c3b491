/**
 * A kafkajs group member in its own process, so a test can SIGKILL it (no LeaveGroup, no commit):
 *   node --conditions=@orders/source --import tsx test/compat/helpers/group-member.ts BOOTSTRAP GROUP TOPIC SESSION_TIMEOUT_MS
 * Prints JSON lines: {"event":"join","partitions":[…]} after each rebalance and
 * {"event":"record","partition":…,"offset":…} per record. Never commits.
 */
import kafkajsPkg from 'kafkajs';

const { Kafka, logLevel } = kafkajsPkg;
const [bootstrap, groupId, topic, session] = process.argv.slice(2);
if (!bootstrap || !groupId || !topic) {
  console.error('usage: group-member.ts BOOTSTRAP GROUP TOPIC [SESSION_TIMEOUT_MS]');
  process.exit(2);
}
const sessionTimeout = Number(session ?? 6000);
const kafka = new Kafka({ clientId: 'compat-child', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId, sessionTimeout, heartbeatInterval: 500, maxWaitTimeInMs: 500 });
const print = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
consumer.on(consumer.events.GROUP_JOIN, (e) =>
  print({ event: 'join', partitions: e.payload.memberAssignment[topic] ?? [] }),
);
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ partition, message }) => {
    print({ event: 'record', partition, offset: Number(message.offset) });
  },
});
