import { useEffect, useRef, useState } from 'react';
import { send, useLive, useTerms } from '../hooks';
import { partitionId, partitionName, sequenceNumberAt } from '../terms';
import { SequenceNumber } from './SequenceNumber';
import {
  ago,
  expectedIdle,
  groupColour,
  idleMembers,
  isIdle,
  isRebalancing,
  movedPartitions,
  ownedPartitions,
  shortMember,
  shortenMemberIds,
} from '../logic';
import type { GroupEvent, GroupView, LagPoint, TopicView } from '../types';
import { TimeChart } from './charts';

interface Move {
  at: number;
  topic: string;
  partition: number;
  from: string | null;
  to: string | null;
}

export function GroupsView() {
  const live = useLive();
  const { t } = useTerms();
  const snap = live.snapshot;
  if (!snap) return <p className="muted">Connecting to the broker…</p>;
  const ids = snap.groups.map((g) => g.id);
  return (
    <section>
      <h1>{t('group', { plural: true, title: true })}</h1>
      {snap.groups.length === 0 && (
        <p className="muted">
          No {t('group', { plural: true })} yet: they appear when a {t('member')} joins one (e.g. an app of{' '}
          <code>npm run demo</code>, or <code>npx sps consume orders --group mine</code>).
        </p>
      )}
      {snap.groups.map((g) => (
        <GroupCard
          key={g.id}
          group={g}
          colour={groupColour(g.id, ids)}
          topics={snap.topics}
          lag={live.lag[g.id] ?? []}
          events={live.events.filter((e) => e.groupId === g.id)}
        />
      ))}
    </section>
  );
}

const STATE_WORDS: Record<string, string> = {
  Stable: 'stable',
  Empty: 'empty (no members)',
  PreparingRebalance: 'rebalancing: waiting for members to rejoin',
  CompletingRebalance: 'rebalancing: leader assigning partitions',
  Dead: 'dead',
};

function GroupCard({
  group,
  colour,
  topics,
  lag,
  events,
}: {
  group: GroupView;
  colour: string;
  topics: TopicView[];
  lag: LagPoint[];
  events: GroupEvent[];
}) {
  const { t, system } = useTerms();
  const moves = useMoves(group);
  const idle = idleMembers(group);
  const topicNames = [...new Set(group.partitions.map((p) => p.topic))];
  const partitionCount = topicNames.reduce(
    (n, name) => n + (topics.find((x) => x.name === name)?.partitionCount ?? 0),
    0,
  );
  const recentMoves = moves.filter((m) => Date.now() - m.at < 60_000);
  const keys = [...new Set(lag.flatMap((p) => Object.keys(p.partitions)))].sort();
  const chart = lag.slice(-300).map((p) => ({ t: p.t, total: p.lag, ...p.partitions }));
  const palette = ['#0891b2', '#ea580c', '#7c3aed', '#ca8a04', '#db2777', '#16a34a', '#64748b', '#dc2626'];

  return (
    <article className="card" data-testid="group" data-group={group.id} data-state={group.state}>
      <header className="card-head">
        <h2>
          <i className="dot" style={{ background: colour }} /> {t('group', { title: true })}{' '}
          <code>{group.id}</code>
        </h2>
        <div className="facts">
          <span
            className={`badge ${isRebalancing(group) ? 'warn pulse' : group.state === 'Stable' ? 'ok' : 'idle'}`}
            data-testid="group-state"
          >
            {isRebalancing(group)
              ? t('rebalance') + ' in progress'
              : (STATE_WORDS[group.state] ?? group.state)}
          </span>
          <span>
            generation <b>{group.generation}</b>
          </span>
          <span>
            <b data-testid="member-count">{group.members.length}</b>{' '}
            {t('member', { plural: group.members.length !== 1 })}
          </span>
          <span>
            {t('lag', { title: true })}: <b data-testid="group-lag">{group.lag ?? '–'}</b>
          </span>
          {group.lastRebalance && (
            <span className="muted" title={shortenMemberIds(group.lastRebalance.reason)}>
              last {t('rebalance')}: {ago(Date.parse(group.lastRebalance.startedAt))}
              {group.lastRebalance.durationMs !== null && `, took ${group.lastRebalance.durationMs} ms`}
            </span>
          )}
        </div>
      </header>

      {group.state === 'Stable' && group.members.length > 0 && partitionCount > 0 && (
        <p className="explain" data-testid="idle-summary">
          {group.members.length} {t('member', { plural: group.members.length !== 1 })} share {partitionCount}{' '}
          {t('partition', { plural: partitionCount !== 1 })}:{' '}
          {idle.length === 0 ? (
            <>every {t('member')} has work.</>
          ) : (
            <b className="idle-text">
              {idle.length} idle — a {t('partition')} is read by one {t('member')} of a {t('group')} at a
              time, so {t('member', { plural: true })} beyond the {t('partition')} count wait as standbys
              {expectedIdle(group.members.length, partitionCount) === idle.length
                ? '.'
                : ' (the assignor left some without work).'}
            </b>
          )}
        </p>
      )}

      <div className="two-col">
        <div>
          <h3>{t('member', { plural: true, title: true })}</h3>
          {group.members.length === 0 ? (
            <p className="muted">No {t('member', { plural: true })}: the group is not consuming.</p>
          ) : (
            <table className="grid">
              <thead>
                <tr>
                  <th>{t('member', { title: true })}</th>
                  <th>client / host</th>
                  <th>
                    {t('owns')} {t('partition', { plural: true })}
                  </th>
                </tr>
              </thead>
              <tbody>
                {group.members.map((m) => {
                  const owned = ownedPartitions(m);
                  const state = isIdle(group, m);
                  return (
                    <tr
                      key={m.memberId}
                      data-testid="member"
                      data-member-id={m.memberId}
                      data-idle={state === true ? 'true' : state === false ? 'false' : 'unknown'}
                      data-partitions={owned.join(',')}
                      className={state ? 'idle-row' : ''}
                    >
                      <td title={m.memberId}>
                        <code>{shortMember(m.memberId)}</code>
                        {m.memberId === group.leader && <span className="tag">leader</span>}
                      </td>
                      <td className="muted">
                        {m.clientId} · {m.host}
                      </td>
                      <td>
                        {state === null ? (
                          <span className="muted">…</span>
                        ) : state ? (
                          <span className="badge idle" data-testid="idle-badge">
                            idle
                          </span>
                        ) : (
                          owned.map((p) => (
                            <span
                              key={p}
                              className={`chip${recentMoves.some((x) => x.partition === p && x.to === m.memberId) ? ' moved' : ''}`}
                            >
                              {p}
                            </span>
                          ))
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </div>
        <div>
          <h3>
            {t('partition', { plural: true, title: true })} · {t('committed', { plural: true })} · {t('lag')}
          </h3>
          <table className="grid" data-testid="group-partitions">
            <thead>
              <tr>
                <th>{t('topic')}</th>
                <th>{t('partition')}</th>
                <th>{t('member')}</th>
                <th className="num">{t('committed')}</th>
                <th className="num">{t('highWatermark')}</th>
                <th className="num">{t('lag')}</th>
              </tr>
            </thead>
            <tbody>
              {group.partitions.map((p) => (
                <tr
                  key={`${p.topic}:${p.partition}`}
                  data-testid="group-partition"
                  data-partition={p.partition}
                  data-lag={p.lag ?? ''}
                >
                  <td>{p.topic}</td>
                  <td>{partitionId(system, p.partition)}</td>
                  <td>
                    {p.memberId ? <code>{shortMember(p.memberId)}</code> : <span className="muted">–</span>}
                  </td>
                  <td className="num">
                    {p.committedOffset ?? '–'}
                    <SequenceNumber
                      at={sequenceNumberAt(
                        system,
                        p.partition,
                        p.committedOffset === null ? null : p.committedOffset - 1,
                      )}
                      title="the checkpoint: the sequence number of the last record processed"
                    />
                  </td>
                  <td className="num">{p.highWatermark ?? '–'}</td>
                  <td className="num">
                    <LagBar lag={p.lag} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>

      <h3>{t('lag', { title: true })} over time</h3>
      <TimeChart
        testId="lag-chart"
        data={chart}
        series={[
          { key: 'total', label: 'total', colour },
          ...keys.map((k, i) => ({
            key: k,
            label: `${t('partition')} ${k.split(':').pop()}`,
            colour: palette[i % palette.length]!,
            dashed: true,
          })),
        ]}
      />

      <div className="two-col">
        <div>
          <h3>Recent events</h3>
          <ul className="events" data-testid="events">
            {recentMoves.slice(0, 6).map((m) => (
              <li key={`m${m.at}${m.partition}`} data-testid="move">
                <span className="muted">{ago(m.at)}</span> {partitionName(system, m.partition)} moved{' '}
                {m.from ? <code>{shortMember(m.from)}</code> : '—'} →{' '}
                {m.to ? <code>{shortMember(m.to)}</code> : '—'}
              </li>
            ))}
            {events.slice(0, 8).map((e, i) => (
              <li key={`${e.at}-${i}`} className={`ev ${e.type}`}>
                <span className="muted">{ago(e.at)}</span> {describe(e, t)}
              </li>
            ))}
            {events.length === 0 && recentMoves.length === 0 && (
              <li className="muted">none since this page opened</li>
            )}
          </ul>
        </div>
        <ReplayPanel group={group} topics={topics} />
      </div>
    </article>
  );
}

function describe(e: GroupEvent, t: ReturnType<typeof useTerms>['t']): string {
  const who = e.memberId ? shortMember(e.memberId) : '';
  switch (e.type) {
    case 'rebalance-started':
      return `${t('rebalance')} started${e.reason ? `: ${shortenMemberIds(e.reason)}` : ''}`;
    case 'rebalance-completed':
      return `${t('rebalance')} completed, generation ${e.generationId}`;
    case 'member-joined':
      return `${t('member')} ${who} joined`;
    case 'member-left':
      return `${t('member')} ${who} left`;
    case 'member-expired':
      return `${t('member')} ${who} expired (no heartbeat within its session timeout)`;
    default:
      return e.type;
  }
}

function LagBar({ lag }: { lag: number | null }) {
  if (lag === null) return <span className="muted">–</span>;
  const w = Math.min(100, Math.log10(lag + 1) * 30);
  return (
    <span className="lagbar">
      <i style={{ width: `${w}%` }} className={lag > 100 ? 'high' : lag > 10 ? 'mid' : ''} />
      <b>{lag}</b>
    </span>
  );
}

/** Remembers which partitions changed owner between snapshots. */
function useMoves(group: GroupView): Move[] {
  const prev = useRef<GroupView | null>(null);
  const [moves, setMoves] = useState<Move[]>([]);
  useEffect(() => {
    const before = prev.current;
    if (group.state === 'Stable') {
      if (before && before.generation !== group.generation) {
        const found: Move[] = [];
        for (const topic of new Set(group.partitions.map((p) => p.topic))) {
          const owner = (g: GroupView, p: number) =>
            g.members.find((m) => ownedPartitions(m, topic).includes(p))?.memberId ?? null;
          for (const p of movedPartitions(before, group, topic))
            found.push({ at: Date.now(), topic, partition: p, from: owner(before, p), to: owner(group, p) });
        }
        if (found.length) setMoves((m) => [...found, ...m].slice(0, 50));
      }
      prev.current = group;
    }
  }, [group]);
  return moves;
}

function ReplayPanel({ group, topics }: { group: GroupView; topics: TopicView[] }) {
  const { t } = useTerms();
  const committedTopics = [...new Set(group.partitions.map((p) => p.topic))];
  const choices = committedTopics.length ? committedTopics : topics.map((x) => x.name);
  const [topic, setTopic] = useState(choices[0] ?? '');
  const [mode, setMode] = useState<'earliest' | 'latest' | 'timestamp' | 'offset'>('earliest');
  const [when, setWhen] = useState(() => localInput(Date.now() - 5 * 60_000));
  const [offset, setOffset] = useState('0');
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const active = group.members.length > 0;

  const reset = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const to =
        mode === 'earliest' || mode === 'latest'
          ? mode
          : mode === 'timestamp'
            ? { timestamp: new Date(when).getTime() }
            : { offset: Number(offset) };
      const r = (await send('POST', `/api/groups/${encodeURIComponent(group.id)}/reset-offsets`, {
        topic: topic || choices[0],
        to,
      })) as {
        partitions: Array<{ partition: number; from: number | null; to: number }>;
      };
      setResult(r.partitions.map((p) => `${p.partition}: ${p.from ?? '–'} → ${p.to}`).join(', '));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const start = async () => {
    setError(null);
    try {
      await send('POST', `/api/apps/${encodeURIComponent(group.id)}/instances`);
      setResult(`started an instance of ${group.id}`);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <div className="replay" data-testid="replay">
      <h3>Replay</h3>
      {active ? (
        <p className="muted">
          Stop the {t('group')}'s {t('member', { plural: true })} first (Apps: stop each instance): a running{' '}
          {t('member')} would overwrite the reset with its next {t('committed')}.
        </p>
      ) : (
        <p className="muted">
          Move the {t('group')}'s {t('committed', { plural: true })}, then start it again: it re-reads from
          there.
        </p>
      )}
      <div className="form">
        <select value={topic} onChange={(e) => setTopic(e.target.value)} aria-label={t('topic')}>
          {choices.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <select
          value={mode}
          onChange={(e) => setMode(e.target.value as typeof mode)}
          data-testid="reset-mode"
          aria-label="reset to"
        >
          <option value="earliest">to {t('earliest')}</option>
          <option value="latest">to {t('latest')}</option>
          <option value="timestamp">to a time</option>
          <option value="offset">to an {t('offset')}</option>
        </select>
        {mode === 'timestamp' && (
          <input type="datetime-local" step="1" value={when} onChange={(e) => setWhen(e.target.value)} />
        )}
        {mode === 'offset' && (
          <input
            type="number"
            min="0"
            value={offset}
            onChange={(e) => setOffset(e.target.value)}
            style={{ width: '7em' }}
          />
        )}
        <button disabled={active || busy} onClick={reset} data-testid="reset">
          Reset {t('committed', { plural: true })}
        </button>
        <button
          disabled={active}
          onClick={start}
          data-testid="start-again"
          title="POST /api/apps/:app/instances (npm run demo)"
        >
          Start {group.id} again
        </button>
      </div>
      {result && (
        <p className="ok-text" data-testid="reset-result">
          {result}
        </p>
      )}
      {error && <p className="error">{error}</p>}
    </div>
  );
}

function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}
