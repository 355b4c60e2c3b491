import { TOPICS } from '@orders/contracts';
import type { Admin } from 'kafkajs';

/**
 * Creates those of the system's topics (`orders` with its 5 partitions, `orders.dlq`) that do not exist
 * yet and returns their names. Every app that uses them calls this before it produces or subscribes:
 * docker-compose starts the apps together, and a consumer that subscribed first would otherwise have the
 * broker auto-create `orders` with its default partition count (1), for good. Two apps creating the same
 * topic at once is fine (kafkajs answers false for TOPIC_ALREADY_EXISTS).
 */
export async function createMissingTopics(
  admin: Pick<Admin, 'listTopics' | 'createTopics'>,
  topics: readonly { name: string; partitions: number }[] = TOPICS,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.name));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })),
  });
  return missing.map((t) => t.name);
}
