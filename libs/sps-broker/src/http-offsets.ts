/**
 * `POST /api/groups/:id/reset-offsets {topic, to, partitions?, dryRun?}`: the console's replay.
 * Moves an inactive group's committed offsets, as `kafka-consumer-groups --reset-offsets` does,
 * through the coordinator's own commit path (a "simple" commit, generation -1), so the move is as
 * durable as any consumer's commit. Refused (409) while the group has members: a running consumer
 * would overwrite the reset with its next commit. `to`:
 *   'earliest' | 'latest' | {timestamp: ms or ISO date} | {offset: N} | {shiftBy: ±N}
 * Targets are clamped to what the partition retains (log start … high watermark).
 */
import { HttpError } from './http-json.js';
import { ErrorCode as E, errorName } from '@orders/kafka-protocol';
import type { BrokerState } from './state.js';

export type ResetTarget =
  'earliest' | 'latest' | { timestamp: number | string } | { offset: number } | { shiftBy: number };

export interface ResetRequest {
  topic: string;
  to: ResetTarget;
  /** Default: every partition of the topic. */
  partitions?: number[];
  /** Compute and answer, but do not commit. */
  dryRun?: boolean;
}

export interface ResetResult {
  group: string;
  topic: string;
  dryRun: boolean;
  partitions: Array<{ partition: number; from: number | null; to: number }>;
}

/** Validates a request body (unknown JSON) into a ResetRequest, or throws a 400 naming the field. */
export function parseResetRequest(body: unknown): ResetRequest {
  const bad = (msg: string) => new HttpError(400, msg);
  if (!body || typeof body !== 'object') throw bad('send JSON: {"topic": "orders", "to": "earliest"}');
  const b = body as Record<string, unknown>;
  if (typeof b.topic !== 'string' || !b.topic) throw bad('topic: the topic whose offsets to reset');
  const to = b.to;
  const target = ((): ResetTarget => {
    if (to === 'earliest' || to === 'latest') return to;
    if (to && typeof to === 'object') {
      const t = to as Record<string, unknown>;
      if (typeof t.offset === 'number' && Number.isSafeInteger(t.offset) && t.offset >= 0)
        return { offset: t.offset };
      if (typeof t.shiftBy === 'number' && Number.isSafeInteger(t.shiftBy)) return { shiftBy: t.shiftBy };
      if (typeof t.timestamp === 'number' && Number.isFinite(t.timestamp)) return { timestamp: t.timestamp };
      if (typeof t.timestamp === 'string' && !Number.isNaN(Date.parse(t.timestamp)))
        return { timestamp: t.timestamp };
    }
    throw bad('to: "earliest", "latest", {"timestamp": ms or ISO date}, {"offset": N} or {"shiftBy": N}');
  })();
  let partitions: number[] | undefined;
  if (b.partitions !== undefined) {
    if (!Array.isArray(b.partitions) || !b.partitions.every((p) => Number.isInteger(p) && p >= 0))
      throw bad('partitions: a list of partition numbers');
    partitions = b.partitions as number[];
  }
  return { topic: b.topic, to: target, partitions, dryRun: b.dryRun === true };
}

export async function resetOffsets(
  state: BrokerState,
  groupId: string,
  req: ResetRequest,
): Promise<ResetResult> {
  const group = state.groups.get(groupId);
  if (!group && !state.groups.offsets.hasOffsets(groupId)) {
    const groups = state.groups.list().map((g) => g.groupId);
    throw new HttpError(
      404,
      `group '${groupId}' does not exist; ${groups.length ? `groups: ${groups.join(', ')}` : 'there are no groups yet'}`,
    );
  }
  if (group && group.members.size > 0)
    throw new HttpError(
      409,
      `group '${groupId}' has ${group.members.size} active member(s); stop its consumers first (a running consumer would overwrite the reset with its next commit)`,
    );
  const topic = state.topics.get(req.topic);
  if (!topic)
    throw new HttpError(
      404,
      `topic '${req.topic}' does not exist; topics: ${state.topics.names().join(', ')}`,
    );
  const partitions = req.partitions ?? topic.partitions.map((_, i) => i);
  const missing = partitions.filter((p) => p >= topic.partitions.length);
  if (missing.length)
    throw new HttpError(
      404,
      `topic '${req.topic}' has no partition ${missing.join(', ')}; partitions: 0 … ${topic.partitions.length - 1}`,
    );

  const moves: ResetResult['partitions'] = [];
  for (const p of partitions) {
    const log = topic.partitions[p]!;
    const from = state.groups.committed(groupId, req.topic, p)?.offset ?? null;
    const lso = log.logStartOffset;
    const hwm = log.highWatermark;
    let to: number;
    const t = req.to;
    if (t === 'earliest') to = lso;
    else if (t === 'latest') to = hwm;
    else if ('offset' in t) to = t.offset;
    else if ('shiftBy' in t) to = (from ?? lso) + t.shiftBy;
    else {
      const ts = typeof t.timestamp === 'number' ? t.timestamp : Date.parse(t.timestamp);
      to = (await log.offsetForTimestamp(ts))?.offset ?? hwm;
    }
    moves.push({ partition: p, from, to: Math.min(Math.max(to, lso), hwm) });
  }
  const result: ResetResult = { group: groupId, topic: req.topic, dryRun: !!req.dryRun, partitions: moves };
  if (req.dryRun) return result;

  const errors = await state.groups.commit(
    {
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      offsets: moves.map((m) => ({
        topic: req.topic,
        partition: m.partition,
        offset: m.to,
        leaderEpoch: -1,
        metadata: '',
      })),
    },
    (name, partition) => state.topics.partition(name, partition) !== undefined,
  );
  const failed = [...errors.values()].find((code) => code !== E.NONE);
  if (failed === E.UNKNOWN_MEMBER_ID)
    throw new HttpError(409, `group '${groupId}' gained members meanwhile; stop its consumers first`);
  if (failed !== undefined)
    throw new HttpError(500, `the coordinator refused the commit: ${errorName(failed)}`);
  state.logger.info(`group ${groupId}: offsets reset`, {
    topic: req.topic,
    to: typeof req.to === 'string' ? req.to : JSON.stringify(req.to),
  });
  return result;
}
