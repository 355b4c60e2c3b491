// `sps groups …`: list, describe, delete and reset-offsets — consumer groups through the Kafka
// protocol (kafkajs' admin client, plus our own client for OffsetFetch and simple commits), so the
// same commands work against Apache Kafka, Redpanda and our broker. `describe` shows what
// `kafka-consumer-groups --describe` shows: per partition the committed offset, the log end offset
// (high watermark) and the lag, and which member owns it.
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Admin, GroupDescription } from 'kafkajs';
import { decodeAssignment } from '@orders/kafka-protocol';
import { KafkaClient } from '../client/client.js';
import { clientSecurityFromEnv } from '../security.js';
import { errorName } from '../client/protocol.js';
import { CliError, closest, unknownTopicError } from '../errors.js';
import { OUTPUT_FORMATS, renderJson, renderTable, type OutputFormat } from '../format.js';
import type { Io } from '../io.js';
import { withAdmin } from '../kafka.js';
import { choiceOption, parseBootstrap, timeOption } from '../options.js';
import { clientOptions } from './common.js';

interface Target {
  bootstrap: string;
}

// ---------------------------------------------------------------------------------------------
// Actions (the testable part)

export interface GroupListing {
  group: string;
  state: string;
  members: number;
  protocolType: string;
}

export async function listGroups(opts: Target & { format: OutputFormat }, io: Io): Promise<GroupListing[]> {
  const groups = await withAdmin(opts.bootstrap, io.env, async (admin) => {
    const { groups } = await admin.listGroups();
    if (groups.length === 0) return [];
    const described = await describeMany(
      admin,
      groups.map((g) => g.groupId),
    );
    return groups
      .map((g): GroupListing => {
        const d = described.get(g.groupId);
        return {
          group: g.groupId,
          state: d?.state ?? 'Unknown',
          members: d?.members.length ?? 0,
          protocolType: g.protocolType || d?.protocolType || '',
        };
      })
      .sort((a, b) => a.group.localeCompare(b.group));
  });
  if (opts.format === 'json') io.out(renderJson(groups));
  else if (groups.length === 0)
    io.err('no consumer groups yet: a group appears when a consumer with a group id joins or commits');
  else
    io.out(
      renderTable(
        ['group', 'state', 'members', 'protocol-type'],
        groups.map((g) => [g.group, g.state, g.members, g.protocolType]),
      ),
    );
  return groups;
}

export interface GroupMemberInfo {
  memberId: string;
  clientId: string;
  host: string;
  /** null when the assignment is not in the consumer protocol's format */
  assignment: Array<{ topic: string; partitions: number[] }> | null;
  /** owns no partition (more consumers than partitions); null while the group rebalances */
  idle: boolean | null;
}

export interface GroupPartitionInfo {
  topic: string;
  partition: number;
  /** null: nothing committed (kafka-consumer-groups shows '-') */
  currentOffset: number | null;
  logStartOffset: number | null;
  /** the high watermark */
  logEndOffset: number | null;
  /** logEndOffset − currentOffset; null without a commit */
  lag: number | null;
  memberId: string | null;
  clientId: string | null;
  host: string | null;
}

export interface GroupDescriptionInfo {
  group: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMemberInfo[];
  partitions: GroupPartitionInfo[];
  /** total lag of the partitions with a committed offset; null if none */
  lag: number | null;
}

export async function describeGroup(
  opts: Target & { group: string; format: OutputFormat },
  io: Io,
): Promise<GroupDescriptionInfo> {
  const info = await withAdmin(opts.bootstrap, io.env, async (admin) => {
    const d = await describeOne(admin, opts.group);
    const committed = await withClient(opts.bootstrap, io.env, (c) => c.committedOffsets(opts.group));
    if (d.state === 'Dead' && committed.size === 0) throw await unknownGroupError(admin, opts.group);
    return buildDescription(admin, d, committed);
  });

  if (opts.format === 'json') {
    io.out(renderJson(info));
    return info;
  }
  const stable = info.state === 'Stable';
  io.out(
    `group ${info.group}: ${info.state}, ${plural(info.members.length, 'member')}` +
      (info.protocol ? `, assignor ${info.protocol}` : '') +
      (info.lag === null ? '' : `, total lag ${info.lag}`),
  );
  io.out('');
  if (info.partitions.length)
    io.out(
      renderTable(
        ['topic', 'partition', 'current-offset', 'log-end-offset', 'lag', 'consumer-id', 'host', 'client-id'],
        info.partitions.map((p) => [
          p.topic,
          p.partition,
          p.currentOffset,
          p.logEndOffset,
          p.lag,
          p.memberId,
          p.host,
          p.clientId,
        ]),
      ),
    );
  else io.out('no committed offsets and no assigned partitions');
  io.out('');
  if (info.members.length === 0)
    io.out(`group '${info.group}' has no active members (offsets can be reset now)`);
  else {
    io.out(
      renderTable(
        ['consumer-id', 'client-id', 'host', 'partitions'],
        info.members.map((m) => [
          m.memberId,
          m.clientId,
          m.host,
          m.assignment === null
            ? '(not a consumer assignment)'
            : m.idle
              ? '(idle: no partition assigned)'
              : m.assignment.map((a) => `${a.topic}:${a.partitions.join(',')}`).join(' ') ||
                (stable ? '' : '(rebalancing)'),
        ]),
      ),
    );
    const idle = info.members.filter((m) => m.idle).length;
    if (idle) io.out(`(${plural(idle, 'member')} idle: a group uses at most one consumer per partition)`);
  }
  return info;
}

export async function deleteGroup(opts: Target & { group: string }, io: Io): Promise<void> {
  await withAdmin(opts.bootstrap, io.env, async (admin) => {
    try {
      await admin.deleteGroups([opts.group]);
    } catch (err) {
      const results = (err as { groups?: Array<{ groupId: string; error?: { type?: string } }> }).groups;
      const type = results?.find((g) => g.groupId === opts.group)?.error?.type;
      if (type === 'NON_EMPTY_GROUP') {
        const d = await describeOne(admin, opts.group);
        throw new CliError(
          `group '${opts.group}' still has ${plural(d.members.length, 'member')}${clientList(d)}; stop them first`,
        );
      }
      if (type === 'GROUP_ID_NOT_FOUND') throw await unknownGroupError(admin, opts.group);
      throw err;
    }
  });
  io.err(`deleted group ${opts.group} and its committed offsets`);
}

export type ResetStrategy =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'datetime'; at: number }
  | { kind: 'offset'; offset: number }
  | { kind: 'shift'; by: number };

export interface ResetPlanEntry {
  topic: string;
  partition: number;
  currentOffset: number | null;
  newOffset: number;
}

export async function resetOffsets(
  opts: Target & {
    group: string;
    topic: string;
    strategy: ResetStrategy;
    dryRun?: boolean;
    format?: OutputFormat;
  },
  io: Io,
): Promise<ResetPlanEntry[]> {
  const plan = await withAdmin(opts.bootstrap, io.env, async (admin) => {
    const d = await describeOne(admin, opts.group);
    if (d.members.length > 0 || (d.state !== 'Empty' && d.state !== 'Dead'))
      throw new CliError(
        `group '${opts.group}' is ${d.state} with ${plural(d.members.length, 'active member')}${clientList(d)}: ` +
          'offsets can only be reset while the group is inactive (as in Kafka); stop its consumers first',
      );
    const topics = await admin.listTopics();
    if (!topics.includes(opts.topic)) throw unknownTopicError(opts.topic, topics);
    const ends = await admin.fetchTopicOffsets(opts.topic);
    const committed = (await withClient(opts.bootstrap, io.env, (c) => c.committedOffsets(opts.group))).get(
      opts.topic,
    );
    const byTime =
      opts.strategy.kind === 'datetime'
        ? new Map(
            (await admin.fetchTopicOffsetsByTimestamp(opts.topic, opts.strategy.at)).map((o) => [
              o.partition,
              Number(o.offset),
            ]),
          )
        : undefined;
    const s = opts.strategy;
    const noCommit: number[] = [];
    const entries = ends
      .map((e): ResetPlanEntry => {
        const low = Number(e.low);
        const high = Number(e.high);
        const current = committed?.get(e.partition) ?? null;
        let target: number;
        switch (s.kind) {
          case 'earliest':
            target = low;
            break;
          case 'latest':
            target = high;
            break;
          case 'datetime':
            target = byTime!.get(e.partition) ?? high;
            break;
          case 'offset':
            target = s.offset;
            break;
          case 'shift':
            if (current === null) noCommit.push(e.partition);
            target = (current ?? low) + s.by;
            break;
        }
        // As Kafka's tool: an offset outside the partition's range moves to the nearest end.
        const clamped = Math.min(high, Math.max(low, target));
        if (clamped !== target && s.kind !== 'shift')
          io.err(
            `${opts.topic} partition ${e.partition}: offset ${target} is outside ${low}..${high}; using ${clamped}`,
          );
        return { topic: opts.topic, partition: e.partition, currentOffset: current, newOffset: clamped };
      })
      .sort((a, b) => a.partition - b.partition);
    if (noCommit.length)
      throw new CliError(
        `--shift-by needs a committed offset, and group '${opts.group}' has none for ${opts.topic} partition${noCommit.length > 1 ? 's' : ''} ${noCommit.sort((a, b) => a - b).join(', ')}; use --to-earliest, --to-latest, --to-datetime or --to-offset`,
      );
    return entries;
  });

  if (opts.format === 'json') io.out(renderJson(plan));
  else
    io.out(
      renderTable(
        ['group', 'topic', 'partition', 'current-offset', 'new-offset'],
        plan.map((p) => [opts.group, p.topic, p.partition, p.currentOffset, p.newOffset]),
      ),
    );
  if (opts.dryRun) {
    io.err('dry run: nothing changed; run again without --dry-run to apply');
    return plan;
  }
  const errors = await withClient(opts.bootstrap, io.env, (c) =>
    c.commitOffsets(
      opts.group,
      opts.topic,
      plan.map((p) => ({ partition: p.partition, offset: p.newOffset })),
    ),
  );
  const failed = [...errors].filter(([, code]) => code !== 0);
  if (failed.length) {
    const codes = [...new Set(failed.map(([, code]) => errorName(code)))];
    const joined = codes.includes('UNKNOWN_MEMBER_ID') || codes.includes('REBALANCE_IN_PROGRESS');
    throw new CliError(
      joined
        ? `group '${opts.group}' got members while its offsets were being reset (${codes.join(', ')}); stop its consumers and try again`
        : `resetting offsets of group '${opts.group}' failed for ${opts.topic} partitions ${failed.map(([p]) => p).join(', ')}: ${codes.join(', ')}`,
    );
  }
  io.err(
    `reset group ${opts.group} on ${opts.topic}: ${plural(plan.length, 'partition')}; its consumers start from the new offsets`,
  );
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Helpers

async function describeMany(admin: Admin, ids: string[]): Promise<Map<string, GroupDescription>> {
  const { groups } = await admin.describeGroups(ids);
  return new Map(groups.map((g) => [g.groupId, g]));
}

async function describeOne(admin: Admin, group: string): Promise<GroupDescription> {
  const d = (await describeMany(admin, [group])).get(group);
  if (!d) throw new CliError(`the broker did not describe group '${group}'`);
  return d;
}

async function withClient<T>(
  bootstrap: string,
  env: NodeJS.ProcessEnv,
  fn: (c: KafkaClient) => Promise<T>,
): Promise<T> {
  const client = new KafkaClient(parseBootstrap(bootstrap), 'sps-cli', clientSecurityFromEnv(env));
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.close();
  }
}

async function unknownGroupError(admin: Admin, group: string): Promise<CliError> {
  const { groups } = await admin.listGroups();
  const ids = groups.map((g) => g.groupId).sort();
  const suggestion = closest(group, ids);
  return new CliError(
    `group '${group}' does not exist${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; ` +
      (ids.length ? `groups: ${ids.join(', ')}` : 'there are no groups yet'),
  );
}

function clientList(d: GroupDescription): string {
  const ids = [...new Set(d.members.map((m) => m.clientId))].sort();
  return ids.length ? ` (client ids: ${ids.join(', ')})` : '';
}

async function buildDescription(
  admin: Admin,
  d: GroupDescription,
  committed: Map<string, Map<number, number>>,
): Promise<GroupDescriptionInfo> {
  const stable = d.state === 'Stable';
  const owners = new Map<string, GroupMemberInfo>();
  const members = d.members
    .map((m): GroupMemberInfo => {
      const decoded = stable ? decodeAssignment(m.memberAssignment) : { version: 0, partitions: [] };
      const assignment =
        decoded?.partitions
          .map((a) => ({ topic: a.topic, partitions: [...a.partitions].sort((x, y) => x - y) }))
          .sort((a, b) => a.topic.localeCompare(b.topic)) ?? null;
      const info: GroupMemberInfo = {
        memberId: m.memberId,
        clientId: m.clientId,
        host: m.clientHost,
        assignment,
        idle: stable && assignment ? assignment.every((a) => a.partitions.length === 0) : null,
      };
      for (const a of assignment ?? [])
        for (const p of a.partitions) owners.set(`${a.topic}\u0000${p}`, info);
      return info;
    })
    .sort((a, b) => a.clientId.localeCompare(b.clientId) || a.memberId.localeCompare(b.memberId));

  const keys = new Set(owners.keys());
  for (const [t, parts] of committed) for (const p of parts.keys()) keys.add(`${t}\u0000${p}`);
  const topics = [...new Set([...keys].map((k) => k.split('\u0000')[0]!))];
  const existing = new Set(await admin.listTopics());
  const ends = new Map<string, Map<number, { low: number; high: number }>>();
  for (const t of topics.filter((x) => existing.has(x)))
    ends.set(
      t,
      new Map(
        (await admin.fetchTopicOffsets(t)).map((o) => [
          o.partition,
          { low: Number(o.low), high: Number(o.high) },
        ]),
      ),
    );

  let lag: number | null = null;
  const partitions = [...keys]
    .map((k): GroupPartitionInfo => {
      const [topic, p] = k.split('\u0000') as [string, string];
      const partition = Number(p);
      const end = ends.get(topic)?.get(partition);
      const current = committed.get(topic)?.get(partition) ?? null;
      const owner = owners.get(k);
      const partLag = current !== null && end ? end.high - current : null;
      if (partLag !== null) lag = (lag ?? 0) + partLag;
      return {
        topic,
        partition,
        currentOffset: current,
        logStartOffset: end?.low ?? null,
        logEndOffset: end?.high ?? null,
        lag: partLag,
        memberId: owner?.memberId ?? null,
        clientId: owner?.clientId ?? null,
        host: owner?.host ?? null,
      };
    })
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);

  return {
    group: d.groupId,
    state: d.state,
    protocolType: d.protocolType,
    protocol: d.protocol,
    members,
    partitions,
    lag: lag as number | null,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Exactly one of the reset strategies, from the options commander parsed. */
export function resetStrategy(o: {
  toEarliest?: boolean;
  toLatest?: boolean;
  toDatetime?: number;
  toOffset?: number;
  shiftBy?: number;
}): ResetStrategy {
  const chosen: ResetStrategy[] = [];
  if (o.toEarliest) chosen.push({ kind: 'earliest' });
  if (o.toLatest) chosen.push({ kind: 'latest' });
  if (o.toDatetime !== undefined) chosen.push({ kind: 'datetime', at: o.toDatetime });
  if (o.toOffset !== undefined) chosen.push({ kind: 'offset', offset: o.toOffset });
  if (o.shiftBy !== undefined) chosen.push({ kind: 'shift', by: o.shiftBy });
  if (chosen.length !== 1)
    throw new CliError(
      `${chosen.length ? 'choose only one' : 'choose one'} of --to-earliest, --to-latest, --to-datetime <ISO time>, --to-offset <n>, --shift-by <n>`,
    );
  return chosen[0]!;
}

function integer(what: string, min = Number.MIN_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(
        `${what} must be an integer${min > Number.MIN_SAFE_INTEGER ? ` ≥ ${min}` : ''}, got '${value}'`,
      );
    return n;
  };
}

// ---------------------------------------------------------------------------------------------
// Command-line wiring

export function groupsCommand(io: Io): Command {
  const groups = new Command('groups').description(
    'list, describe, delete consumer groups and reset their offsets',
  );
  const formatOption = () =>
    new Option('--format <format>', 'output format: table or json')
      .argParser(choiceOption('--format', OUTPUT_FORMATS))
      .default('table');

  groups
    .command('list')
    .alias('ls')
    .description('list consumer groups with their state and member count')
    .addOption(formatOption())
    .action(async (o: { format: OutputFormat }, cmd: Command) => {
      await listGroups({ ...clientOptions(cmd), ...o }, io);
    });

  groups
    .command('describe <group>')
    .description(
      "show a group's members and, per partition, committed offset, log end offset (high watermark) and lag",
    )
    .addOption(formatOption())
    .action(async (group: string, o: { format: OutputFormat }, cmd: Command) => {
      await describeGroup({ ...clientOptions(cmd), group, ...o }, io);
    });

  groups
    .command('delete <group>')
    .alias('rm')
    .description('delete a group without members, and its committed offsets')
    .action(async (group: string, _o: unknown, cmd: Command) => {
      await deleteGroup({ ...clientOptions(cmd), group }, io);
    });

  groups
    .command('reset-offsets')
    .description("move an inactive group's committed offsets on one topic")
    .requiredOption('-g, --group <group>', 'the consumer group')
    .requiredOption('-t, --topic <topic>', 'the topic whose offsets move')
    .option('--to-earliest', 'to the oldest retained record (replays the whole stream)')
    .option('--to-latest', 'to the end (skips everything not yet consumed)')
    .option('--to-datetime <time>', 'to the first record at or after an ISO time or epoch ms', timeOption)
    .option('--to-offset <n>', 'to offset n in every partition', integer('--to-offset', 0))
    .option('--shift-by <n>', 'by n from the committed offset (negative: back)', integer('--shift-by'))
    .option('--dry-run', 'show the new offsets without changing anything')
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nExamples:\n  npx sps groups reset-offsets --group email --topic orders --to-earliest --dry-run\n  npx sps groups reset-offsets --group email --topic orders --shift-by=-10',
    )
    .action(
      async (
        o: {
          group: string;
          topic: string;
          toEarliest?: boolean;
          toLatest?: boolean;
          toDatetime?: number;
          toOffset?: number;
          shiftBy?: number;
          dryRun?: boolean;
          format: OutputFormat;
        },
        cmd: Command,
      ) => {
        await resetOffsets(
          {
            ...clientOptions(cmd),
            group: o.group,
            topic: o.topic,
            strategy: resetStrategy(o),
            dryRun: o.dryRun,
            format: o.format,
          },
          io,
        );
      },
    );

  return groups;
}
