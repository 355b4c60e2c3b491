// `sps topics …`: list, create, describe, alter, add-partitions, delete — through the Kafka admin API
// (kafkajs), so the same commands work against Apache Kafka, Redpanda and our broker.
import { Command, Option } from 'commander';
import kafkajs from 'kafkajs';
import type { Admin, ConfigEntries } from 'kafkajs';
import { CliError, unknownTopicError } from '../errors.js';
import { OUTPUT_FORMATS, renderJson, renderTable, type OutputFormat } from '../format.js';
import type { Io } from '../io.js';
import { withAdmin } from '../kafka.js';
import { choiceOption, collect, collectKeyValue, intOption } from '../options.js';
import { clientOptions } from './common.js';

const { ConfigResourceTypes } = kafkajs;

interface Target {
  bootstrap: string;
}

// ---------------------------------------------------------------------------------------------
// Actions (the testable part)

export interface TopicSummary {
  name: string;
  partitions: number;
}

export async function listTopics(
  opts: Target & { format: OutputFormat; internal?: boolean },
  io: Io,
): Promise<TopicSummary[]> {
  const topics = await withAdmin(opts.bootstrap, io.env, async (admin) => {
    const { topics } = await admin.fetchTopicMetadata();
    return topics
      .filter((t) => opts.internal || !t.name.startsWith('__'))
      .map((t) => ({ name: t.name, partitions: t.partitions.length }))
      .sort((a, b) => a.name.localeCompare(b.name));
  });
  if (opts.format === 'json') io.out(renderJson(topics));
  else if (topics.length === 0)
    io.err('no topics yet: create one with `npx sps topics create <name> --partitions 5`');
  else
    io.out(
      renderTable(
        ['name', 'partitions'],
        topics.map((t) => [t.name, t.partitions]),
      ),
    );
  return topics;
}

export function validateTopicName(name: string): void {
  if (name === '.' || name === '..') throw new CliError(`topic name '${name}' is not allowed`);
  if (name.length > 249) throw new CliError(`topic name is ${name.length} characters long; the limit is 249`);
  const bad = [...new Set(name.replace(/[a-zA-Z0-9._-]/g, ''))];
  if (bad.length)
    throw new CliError(
      `topic name '${name}' contains ${bad.map((c) => `'${c}'`).join(', ')}: use only letters, digits, '.', '_' and '-'`,
    );
}

export async function createTopic(
  opts: Target & {
    name: string;
    partitions?: number;
    replicationFactor?: number;
    configs?: Array<[string, string]>;
    ifNotExists?: boolean;
  },
  io: Io,
): Promise<boolean> {
  validateTopicName(opts.name);
  return withAdmin(opts.bootstrap, io.env, async (admin) => {
    const created = await rejectedConfigs(opts.configs ?? [], () =>
      admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: opts.name,
            numPartitions: opts.partitions ?? -1,
            replicationFactor: opts.replicationFactor ?? -1,
            configEntries: (opts.configs ?? []).map(([name, value]) => ({ name, value })),
          },
        ],
      }),
    );
    if (!created) {
      const count = await partitionCount(admin, opts.name);
      const message = `topic '${opts.name}' already exists (${plural(count, 'partition')})`;
      if (opts.ifNotExists) {
        io.err(message);
        return false;
      }
      throw new CliError(`${message}; see it with \`npx sps topics describe ${opts.name}\``);
    }
    const count = await partitionCount(admin, opts.name);
    const configs = (opts.configs ?? []).map(([k, v]) => `${k}=${v}`).join(', ');
    io.err(`created topic ${opts.name} with ${plural(count, 'partition')}${configs ? ` (${configs})` : ''}`);
    return true;
  });
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  logStartOffset: number;
  highWatermark: number;
  records: number;
}

export interface ConfigInfo {
  name: string;
  value: string | null;
  source: string;
  readOnly: boolean;
  sensitive: boolean;
}

export interface TopicDescription {
  name: string;
  partitions: PartitionInfo[];
  configs: ConfigInfo[] | null;
  configsError?: string;
}

export async function describeTopic(
  opts: Target & { name: string; format: OutputFormat; all?: boolean },
  io: Io,
): Promise<TopicDescription> {
  const description = await withAdmin(opts.bootstrap, io.env, async (admin) => {
    await requireTopic(admin, opts.name);
    const { topics } = await admin.fetchTopicMetadata({ topics: [opts.name] });
    const meta = topics[0]!;
    const offsets = new Map((await admin.fetchTopicOffsets(opts.name)).map((o) => [o.partition, o]));
    const partitions = meta.partitions
      .map((p): PartitionInfo => {
        const o = offsets.get(p.partitionId);
        const low = Number(o?.low ?? 0);
        const high = Number(o?.high ?? 0);
        return {
          partition: p.partitionId,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          logStartOffset: low,
          highWatermark: high,
          records: Math.max(0, high - low),
        };
      })
      .sort((a, b) => a.partition - b.partition);
    let configs: ConfigInfo[] | null = null;
    let configsError: string | undefined;
    try {
      configs = (await topicConfigEntries(admin, opts.name)).map((e) => ({
        name: e.configName,
        value: e.configValue,
        source: sourceName(e),
        readOnly: e.readOnly,
        sensitive: e.isSensitive,
      }));
      configs.sort((a, b) => a.name.localeCompare(b.name));
    } catch (err) {
      configsError = (err as Error).message;
    }
    return { name: opts.name, partitions, configs, ...(configsError ? { configsError } : {}) };
  });

  if (opts.format === 'json') {
    io.out(renderJson(description));
    return description;
  }
  const total = description.partitions.reduce((n, p) => n + p.records, 0);
  io.out(
    `topic ${description.name}: ${plural(description.partitions.length, 'partition')}, ${plural(total, 'record')}`,
  );
  io.out('');
  io.out(
    renderTable(
      ['partition', 'leader', 'replicas', 'isr', 'log-start', 'high-watermark', 'records'],
      description.partitions.map((p) => [
        p.partition,
        p.leader,
        p.replicas.join(','),
        p.isr.join(','),
        p.logStartOffset,
        p.highWatermark,
        p.records,
      ]),
    ),
  );
  io.out('');
  if (description.configs === null) {
    io.out(`configs: not available from this broker (${description.configsError ?? 'unknown error'})`);
  } else {
    const shown = opts.all ? description.configs : description.configs.filter((c) => c.source !== 'default');
    const hidden = description.configs.length - shown.length;
    if (shown.length)
      io.out(
        renderTable(
          ['config', 'value', 'source'],
          shown.map((c) => [c.name, c.sensitive ? '(sensitive)' : c.value, c.source]),
        ),
      );
    else io.out('configs: all at their defaults');
    if (hidden) io.out(`(${plural(hidden, 'config')} at defaults not shown; --all shows them)`);
  }
  return description;
}

export interface AlterResult {
  set: Array<{ name: string; value: string; previous: string | null; previousIsDefault: boolean }>;
  deleted: string[];
}

export async function alterTopic(
  opts: Target & { name: string; set?: Array<[string, string]>; remove?: string[] },
  io: Io,
): Promise<AlterResult> {
  const set = opts.set ?? [];
  const remove = opts.remove ?? [];
  if (set.length === 0 && remove.length === 0)
    throw new CliError('nothing to change: give --config key=value and/or --delete-config key');
  const clash = set.find(([k]) => remove.includes(k));
  if (clash)
    throw new CliError(`'${clash[0]}' is both set with --config and removed with --delete-config; pick one`);

  return withAdmin(opts.bootstrap, io.env, async (admin) => {
    await requireTopic(admin, opts.name);
    // AlterConfigs replaces the topic's whole set of dynamic configs: start from the current ones.
    const entries = await topicConfigEntries(admin, opts.name);
    const byName = new Map(entries.map((e) => [e.configName, e]));
    const current = new Map<string, string>();
    for (const e of entries) {
      if (isTopicOverride(e)) {
        if (e.isSensitive && e.configValue == null)
          throw new CliError(
            `${opts.name} has a sensitive config '${e.configName}' whose value cannot be read back; altering would drop it`,
          );
        current.set(e.configName, e.configValue);
      }
    }
    const result: AlterResult = { set: [], deleted: [] };
    for (const name of remove) {
      if (!current.has(name)) {
        io.err(`'${name}' is not set on ${opts.name} (it is at its default); nothing to delete`);
        continue;
      }
      current.delete(name);
      result.deleted.push(name);
    }
    for (const [name, value] of set) {
      const before = byName.get(name);
      result.set.push({
        name,
        value,
        previous: before?.configValue ?? null,
        previousIsDefault: !!before && !isTopicOverride(before),
      });
      current.set(name, value);
    }
    if (result.set.length === 0 && result.deleted.length === 0) return result;
    await rejectedConfigs(set, () =>
      admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: opts.name,
            configEntries: [...current].map(([name, value]) => ({ name, value })),
          },
        ],
      }),
    );
    for (const s of result.set) {
      const was =
        s.previous === null ? '' : ` (was ${s.previous}${s.previousIsDefault ? ', the default' : ''})`;
      io.err(`${opts.name}: ${s.name}=${s.value}${was}`);
    }
    for (const d of result.deleted) io.err(`${opts.name}: ${d} back to its default`);
    return result;
  });
}

export async function addPartitions(opts: Target & { name: string; total: number }, io: Io): Promise<void> {
  await withAdmin(opts.bootstrap, io.env, async (admin) => {
    await requireTopic(admin, opts.name);
    const count = await partitionCount(admin, opts.name);
    if (opts.total <= count)
      throw new CliError(
        `${opts.name} already has ${plural(count, 'partition')}; --total must be more than ${count} (partitions can be added, never removed)`,
      );
    await admin.createPartitions({ topicPartitions: [{ topic: opts.name, count: opts.total }] });
    io.err(
      `${opts.name} now has ${opts.total} partitions (was ${count}); note: keys now hash to different partitions than before`,
    );
  });
}

export async function deleteTopic(
  opts: Target & { name: string; ifExists?: boolean },
  io: Io,
): Promise<boolean> {
  return withAdmin(opts.bootstrap, io.env, async (admin) => {
    const existing = await admin.listTopics();
    if (!existing.includes(opts.name)) {
      if (opts.ifExists) {
        io.err(`topic '${opts.name}' does not exist; nothing to delete`);
        return false;
      }
      throw unknownTopicError(opts.name, existing);
    }
    await admin.deleteTopics({ topics: [opts.name] });
    io.err(`deleted topic ${opts.name}`);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Runs a create/alter and, if the broker rejects a config, says which ones were sent. */
async function rejectedConfigs<T>(configs: Array<[string, string]>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const types = [err, ...(((err as { errors?: unknown[] }).errors ?? []) as unknown[])].map(
      (e) => (e as { type?: string })?.type,
    );
    if (configs.length && (types.includes('INVALID_CONFIG') || types.includes('INVALID_REQUEST')))
      throw new CliError(
        `the broker rejected the config ${configs.map(([k, v]) => `${k}=${v}`).join(', ')}: an unknown name or a value it does not accept (${types.find(Boolean)}); \`npx sps topics describe <topic> --all\` lists the configs it knows`,
      );
    throw err;
  }
}

async function requireTopic(admin: Admin, name: string): Promise<void> {
  const existing = await admin.listTopics();
  if (!existing.includes(name)) throw unknownTopicError(name, existing);
}

async function partitionCount(admin: Admin, name: string): Promise<number> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
  return topics[0]?.partitions.length ?? 0;
}

async function topicConfigEntries(admin: Admin, name: string): Promise<ConfigEntries[]> {
  const res = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name }],
  });
  const resource = res.resources[0];
  if (!resource) return [];
  if (resource.errorCode)
    throw new CliError(resource.errorMessage || `DescribeConfigs failed with error ${resource.errorCode}`);
  return resource.configEntries;
}

/** A config set on the topic itself (what AlterConfigs replaces). */
function isTopicOverride(e: ConfigEntries): boolean {
  if (e.configSource === undefined || e.configSource === null) return !e.isDefault;
  return e.configSource === 1; // DYNAMIC_TOPIC_CONFIG
}

const SOURCES: Record<number, string> = {
  0: 'unknown',
  1: 'topic',
  2: 'broker (dynamic)',
  3: 'cluster default (dynamic)',
  4: 'broker config',
  5: 'default',
  6: 'broker logger',
};

function sourceName(e: ConfigEntries): string {
  if (e.configSource === undefined || e.configSource === null) return e.isDefault ? 'default' : 'topic';
  return SOURCES[e.configSource] ?? String(e.configSource);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------
// Command-line wiring

export function topicsCommand(io: Io): Command {
  const topics = new Command('topics').description('list, create, describe, alter and delete topics');
  const formatOption = () =>
    new Option('--format <format>', 'output format: table or json')
      .argParser(choiceOption('--format', OUTPUT_FORMATS))
      .default('table');

  topics
    .command('list')
    .alias('ls')
    .description('list topics with their partition counts')
    .addOption(formatOption())
    .option('--internal', 'include internal topics such as __consumer_offsets')
    .action(async (o: { format: OutputFormat; internal?: boolean }, cmd: Command) => {
      await listTopics({ ...clientOptions(cmd), ...o }, io);
    });

  topics
    .command('create <name>')
    .description('create a topic')
    .option(
      '-p, --partitions <n>',
      "number of partitions (default: the broker's default)",
      intOption('--partitions', 1),
    )
    .option(
      '-r, --replication-factor <n>',
      "replicas per partition (default: the broker's default)",
      intOption('--replication-factor', 1),
    )
    .option(
      '-c, --config <key=value>',
      'topic config, repeatable (e.g. retention.ms=86400000)',
      collectKeyValue('--config'),
    )
    .option('--if-not-exists', 'succeed if the topic already exists')
    .addHelpText(
      'after',
      '\nExample:\n  npx sps topics create orders --partitions 5 --config retention.ms=604800000',
    )
    .action(
      async (
        name: string,
        o: {
          partitions?: number;
          replicationFactor?: number;
          config?: Array<[string, string]>;
          ifNotExists?: boolean;
        },
        cmd: Command,
      ) => {
        await createTopic({ ...clientOptions(cmd), name, ...o, configs: o.config }, io);
      },
    );

  topics
    .command('describe <name>')
    .description("show a topic's partitions (leader, log start, high watermark) and configs")
    .addOption(formatOption())
    .option('--all', 'also list configs that are at their defaults')
    .action(async (name: string, o: { format: OutputFormat; all?: boolean }, cmd: Command) => {
      await describeTopic({ ...clientOptions(cmd), name, ...o }, io);
    });

  topics
    .command('alter <name>')
    .description("change a topic's configs (others stay as they are)")
    .option('-c, --config <key=value>', 'set a config, repeatable', collectKeyValue('--config'))
    .option('-d, --delete-config <key>', 'remove a topic config (back to the default), repeatable', collect)
    .addHelpText(
      'after',
      '\nExamples:\n  npx sps topics alter orders --config retention.ms=60000\n  npx sps topics alter orders --delete-config retention.ms',
    )
    .action(
      async (
        name: string,
        o: { config?: Array<[string, string]>; deleteConfig?: string[] },
        cmd: Command,
      ) => {
        await alterTopic({ ...clientOptions(cmd), name, set: o.config, remove: o.deleteConfig }, io);
      },
    );

  topics
    .command('add-partitions <name>')
    .description('increase the number of partitions of a topic')
    .requiredOption('--total <n>', 'the new total number of partitions', intOption('--total', 1))
    .action(async (name: string, o: { total: number }, cmd: Command) => {
      await addPartitions({ ...clientOptions(cmd), name, total: o.total }, io);
    });

  topics
    .command('delete <name>')
    .alias('rm')
    .description('delete a topic and all its records')
    .option('--if-exists', 'succeed if the topic does not exist')
    .action(async (name: string, o: { ifExists?: boolean }, cmd: Command) => {
      await deleteTopic({ ...clientOptions(cmd), name, ...o }, io);
    });

  return topics;
}
