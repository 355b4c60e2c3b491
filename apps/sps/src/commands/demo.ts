// `sps demo`: for now, the broker plus the `orders` topic (5 partitions) and what to try next.
// When the business apps exist, this grows into the whole system on one machine.
import { Command } from 'commander';
import type { Io } from '../io.js';
import { withAdmin } from '../kafka.js';
import {
  addServeOptions,
  closeOnStop,
  serveOptionsFrom,
  startServer,
  type BrokerHandle,
  type ServeOptions,
} from './serve.js';

export const ORDERS_TOPIC = 'orders';
export const ORDERS_PARTITIONS = 5;

/** Creates `orders` with 5 partitions unless it exists. Returns true if it created it. */
export async function ensureOrdersTopic(bootstrap: string, io: Io): Promise<boolean> {
  return withAdmin(bootstrap, io.env, async (admin) => {
    const existing = await admin.listTopics();
    if (existing.includes(ORDERS_TOPIC)) return false;
    return admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: ORDERS_TOPIC, numPartitions: ORDERS_PARTITIONS, replicationFactor: 1 }],
    });
  });
}

export function nextSteps(handle: BrokerHandle, defaultBootstrap = '127.0.0.1:9092'): string {
  const b = handle.bootstrap === defaultBootstrap ? '' : ` -b ${handle.bootstrap}`;
  const httpHost = handle.host === '0.0.0.0' || handle.host === '::' ? '127.0.0.1' : handle.host;
  const lines = [
    '',
    'Try, in another terminal:',
    `  npx sps${b} produce orders --key-separator :     then type lines like  c-42:{"orderId":"o-1","totalCents":1999}`,
    `  npx sps${b} consume orders --from-beginning --print-key --print-offset`,
    `  npx sps${b} topics describe orders`,
  ];
  if (handle.httpPort !== null) {
    const base = `http://${httpHost}:${handle.httpPort}`;
    lines.push('', `HTTP admin API: ${base}/api/health  ${base}/api/topics  ${base}/api/topics/orders`);
  }
  lines.push('', 'Ctrl-C stops the broker; the data stays in the data directory.');
  return lines.join('\n');
}

export async function demo(opts: ServeOptions, io: Io): Promise<void> {
  const handle = await startServer(opts, io);
  try {
    const created = await ensureOrdersTopic(handle.bootstrap, io);
    io.out(
      created
        ? `created topic ${ORDERS_TOPIC} with ${ORDERS_PARTITIONS} partitions`
        : `topic ${ORDERS_TOPIC} already exists`,
    );
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
  io.out(nextSteps(handle));
  await closeOnStop(handle, io);
}

export function demoCommand(io: Io): Command {
  const cmd = new Command('demo').description(
    'run the broker with the demo topic `orders` (5 partitions) and print what to try next',
  );
  addServeOptions(cmd).action(async (o: Record<string, unknown>) => {
    await demo(serveOptionsFrom(o), io);
  });
  return cmd;
}
