// The seed's diagram, live: the storefront producing onto the `orders` stream and its partitions, and
// every consumer group as a box with its instances (idle ones marked), lag, records/s and state. A
// click on a group's buttons adds or kills an instance, stops the group or replays it from the start.
import { useState } from 'react';
import { send, useLive, usePoll, useTerms } from '../hooks';
import { partitionName } from '../terms';
import { isIdle, ownedPartitions } from '../logic';
import type { AppInfo, GroupView } from '../types';

const STREAM = 'orders';

export function OverviewView() {
  const { t, system } = useTerms();
  const health = usePoll<{ kinesis?: string | null }>(system === 'kinesis' ? '/api/health' : null, 10_000);
  const live = useLive();
  const apps = usePoll<{ apps: AppInfo[] }>('/api/apps', 1000);
  const [error, setError] = useState<string | null>(null);
  const snapshot = live.snapshot;
  if (!snapshot) return <p className="muted">Connecting to the broker…</p>;

  const topic = snapshot.topics.find((x) => x.name === STREAM);
  const rates = snapshot.throughput[STREAM];
  const appByName = new Map((apps.data?.apps ?? []).map((a) => [a.name, a]));
  const groups = snapshot.groups
    .filter((g) => g.partitions.some((p) => p.topic === STREAM) || appByName.get(g.id)?.kind === 'consumer')
    .sort((a, b) => a.id.localeCompare(b.id));

  const act = async (what: () => Promise<unknown>) => {
    setError(null);
    try {
      await what();
      apps.refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const running = (app: AppInfo | undefined) =>
    (app?.instances ?? []).filter((i) => i.status === 'running' || i.status === 'starting');

  return (
    <section className="overview" data-testid="overview">
      <h1>Overview</h1>
      {error && (
        <p className="error" data-testid="error">
          {error}
        </p>
      )}
      <div className="diagram">
        <div className="box producer" data-testid="producer">
          <h2>storefront</h2>
          <p className="muted">producer</p>
          <p>
            <b data-testid="produce-rate">{rates ? rates.in.toFixed(1) : '0.0'}</b>{' '}
            {t('record', { plural: true })}/s
          </p>
        </div>
        <div className="arrow">→</div>
        <div className="box stream" data-testid="stream">
          <h2>
            {t('topic')} <code>{STREAM}</code>
          </h2>
          {!topic && <p className="muted">not created yet</p>}
          {system === 'kinesis' && health.data && (
            <p className="muted" data-testid="kinesis-endpoint">
              {health.data.kinesis ? (
                <>
                  Kinesis API: <code>{health.data.kinesis}</code> (AWS SDK endpoint)
                </>
              ) : (
                'this broker does not serve the Kinesis API (sps serve --kinesis-port)'
              )}
            </p>
          )}
          {topic?.partitions.map((p) => (
            <div key={p.partition} className="partition-row" data-testid="overview-partition">
              <span>{partitionName(system, p.partition)}</span>
              <span className="muted">
                {p.logStartOffset}…{p.highWatermark}
              </span>
            </div>
          ))}
        </div>
        <div className="arrow">→</div>
        <div className="groups-column">
          {groups.length === 0 && <p className="muted">no {t('group', { plural: true })} yet</p>}
          {groups.map((g) => (
            <GroupBox
              key={g.id}
              group={g}
              app={appByName.get(g.id)}
              recordsPerSecond={rates?.byGroup[g.id] ?? 0}
              onAdd={(app) => act(() => send('POST', `/api/apps/${app}/instances`))}
              onKill={(app) => {
                const victim = running(appByName.get(app)).at(-1);
                return act(async () => {
                  if (!victim) throw new Error(`${app} has no running instance to kill`);
                  await send('POST', `/api/apps/${app}/instances/${victim.id}/kill`);
                });
              }}
              onStop={(app) =>
                act(async () => {
                  for (const i of running(appByName.get(app)))
                    await send('DELETE', `/api/apps/${app}/instances/${i.id}`);
                })
              }
              onReplay={(id) =>
                act(() => send('POST', `/api/groups/${id}/reset-offsets`, { topic: STREAM, to: 'earliest' }))
              }
            />
          ))}
        </div>
      </div>
    </section>
  );
}

function GroupBox(props: {
  group: GroupView;
  app: AppInfo | undefined;
  recordsPerSecond: number;
  onAdd(app: string): void;
  onKill(app: string): void;
  onStop(app: string): void;
  onReplay(id: string): void;
}) {
  const { t } = useTerms();
  const { group: g, app } = props;
  const idle = g.members.filter((m) => isIdle(g, m) === true).length;
  return (
    <div
      className={`box group state-${g.state}`}
      data-testid="overview-group"
      data-group={g.id}
      data-members={g.members.length}
      data-idle={idle}
    >
      <h2>{g.id}</h2>
      <p className="muted">
        <span data-testid="group-state">{g.state}</span> · lag <b data-testid="group-lag">{g.lag ?? '–'}</b> ·{' '}
        {props.recordsPerSecond.toFixed(1)} {t('record', { plural: true })}/s
      </p>
      <div className="instances">
        {g.members.length === 0 && <span className="muted">no instances: stopped</span>}
        {g.members.map((m) => {
          const owned = ownedPartitions(m, STREAM);
          const isIdleMember = isIdle(g, m) === true;
          return (
            <span
              key={m.memberId}
              className={`instance ${isIdleMember ? 'idle' : 'busy'}`}
              data-testid="overview-member"
              data-idle={isIdleMember}
              title={m.memberId}
            >
              {isIdleMember ? 'idle' : owned.length ? owned.map((p) => `P${p}`).join(' ') : '…'}
            </span>
          );
        })}
      </div>
      {app && app.available && (
        <div className="actions">
          <button data-testid="overview-add" onClick={() => props.onAdd(app.name)}>
            + instance
          </button>
          <button className="danger" data-testid="overview-kill" onClick={() => props.onKill(app.name)}>
            kill one
          </button>
          <button data-testid="overview-stop" onClick={() => props.onStop(app.name)}>
            stop
          </button>
          <button
            data-testid="overview-replay"
            disabled={g.members.length > 0}
            title={
              g.members.length > 0 ? 'stop the group first: offsets move only while it has no members' : ''
            }
            onClick={() => props.onReplay(g.id)}
          >
            replay from the start
          </button>
        </div>
      )}
    </div>
  );
}
