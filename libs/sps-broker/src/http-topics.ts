/**
 * The console's topic write actions on the broker's HTTP port (who may: http-auth.ts):
 *   POST  /api/topics {name, partitions, configs?}       create a topic (201; 409 when it exists)
 *   POST  /api/topics/:name/partitions {total}          add partitions (only ever an increase)
 *   PATCH /api/topics/:name/configs {"retention.ms": …}  merge config overrides; null → the default
 * The rules are the broker's own (topicNameProblem, validateTopicConfig, applyTopicOverrides, the
 * registry's create/addPartitions); the messages are the ones the Kafka-protocol handlers answer.
 */
import { HttpError } from './http-json.js';
import { ErrorCode } from '@orders/kafka-protocol';
import { applyTopicOverrides, ResourceType } from './config-resources.js';
import { partitionsPerTopicProblem } from './topic-limits.js';
import { topicConfigDef, validateTopicConfig, validateTopicConfigSet } from './configs.js';
import type { BrokerState } from './state.js';
import { partitionIncreaseProblem, topicNameProblem } from './topics.js';

const bad = (msg: string) => new HttpError(400, msg);

function object(body: unknown, example: string): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad(`send JSON: ${example}`);
  return body as Record<string, unknown>;
}

/** A config value as JSON may carry it: a string, or a number / boolean (sent as its text). */
function configValue(name: string, v: unknown): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw bad(`${name}: a string value (or null to go back to the default)`);
}

function noTopic(state: BrokerState, name: string): HttpError {
  const known = state.topics.names();
  return new HttpError(
    404,
    `topic '${name}' does not exist; ${known.length ? `topics: ${known.join(', ')}` : 'there are no topics yet'}`,
  );
}

export interface TopicWriteResult {
  name: string;
  partitionCount: number;
  overrides: Record<string, string>;
}

const result = (state: BrokerState, name: string): TopicWriteResult => {
  const topic = state.topics.get(name)!;
  return { name, partitionCount: topic.partitions.length, overrides: { ...topic.overrides } };
};

/** `POST /api/topics {name, partitions, configs?}`, as CreateTopics does it. */
export async function createTopic(state: BrokerState, body: unknown): Promise<TopicWriteResult> {
  const b = object(body, '{"name": "orders", "partitions": 5, "configs": {"retention.ms": "604800000"}}');
  if (typeof b.name !== 'string') throw bad('name: the new topic’s name');
  const name = b.name;
  const nameProblem = topicNameProblem(name);
  if (nameProblem) throw bad(`name: ${nameProblem}`);
  const partitions = b.partitions ?? state.settings.defaultPartitions;
  if (typeof partitions !== 'number' || !Number.isSafeInteger(partitions) || partitions < 1)
    throw bad('partitions: Number of partitions must be larger than 0.');
  const tooMany = partitionsPerTopicProblem(state.settings.limits, name, partitions);
  if (tooMany) throw bad(`partitions: ${tooMany}`);
  const overrides: Record<string, string> = {};
  if (b.configs !== undefined && b.configs !== null) {
    const configs = object(b.configs, '{"configs": {"retention.ms": "60000"}}');
    for (const [key, raw] of Object.entries(configs)) {
      const value = configValue(key, raw);
      const problem = validateTopicConfig(key, value);
      if (problem) throw bad(problem);
      overrides[key] = value!;
    }
    const conflict = validateTopicConfigSet(overrides);
    if (conflict) throw bad(conflict);
  }
  if (state.topics.get(name) || state.topics.pending(name))
    throw new HttpError(409, `Topic '${name}' already exists.`);
  try {
    await state.topics.create(name, partitions, overrides);
  } catch (err) {
    if (state.topics.get(name)) throw new HttpError(409, `Topic '${name}' already exists.`);
    throw err;
  }
  return result(state, name);
}

/** `POST /api/topics/:name/partitions {total}`, as CreatePartitions does it: only an increase. */
export async function addPartitions(
  state: BrokerState,
  name: string,
  body: unknown,
): Promise<TopicWriteResult & { added: number }> {
  const b = object(body, '{"total": 8}');
  const topic = state.topics.get(name);
  if (!topic) throw noTopic(state, name);
  const total = b.total;
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 1)
    throw bad('total: the new number of partitions, a whole number larger than the current one');
  const current = topic.partitions.length;
  const problem = partitionIncreaseProblem(name, current, total);
  if (problem) throw bad(problem);
  const tooMany = partitionsPerTopicProblem(state.settings.limits, name, total);
  if (tooMany) throw bad(`total: ${tooMany}`);
  await state.topics.addPartitions(name, total);
  return { ...result(state, name), added: total - current };
}

/**
 * `PATCH /api/topics/:name/configs {"retention.ms": "60000", "segment.ms": null}`: merges the body
 * into the topic's overrides (null deletes one: back to the broker default), as
 * IncrementalAlterConfigs does (SET / DELETE).
 */
export async function changeConfigs(
  state: BrokerState,
  name: string,
  body: unknown,
): Promise<TopicWriteResult> {
  const b = object(body, '{"retention.ms": "60000"} (null deletes an override)');
  if (Object.keys(b).length === 0) throw bad('send at least one config: {"retention.ms": "60000"}');
  const changes = Object.entries(b).map(([key, raw]) => [key, configValue(key, raw)] as const);
  if (!state.topics.get(name)) throw noTopic(state, name);
  const answer = await applyTopicOverrides(
    state,
    ResourceType.TOPIC,
    name,
    (current) => {
      const next = { ...current };
      for (const [key, value] of changes) {
        if (value !== null) next[key] = value;
        else if (!topicConfigDef(key))
          return validateTopicConfig(key, null)!; // unknown: names the known
        else delete next[key];
      }
      return next;
    },
    false,
  );
  if (answer.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw noTopic(state, name);
  if (answer.errorCode !== ErrorCode.NONE) throw bad(answer.errorMessage ?? 'invalid config');
  return result(state, name);
}
