import { useState } from 'react';
import { send, useLive, usePoll, useTerms } from '../hooks';
import { ago } from '../logic';
import { formatRate, groupRates, HALF_LIFE_S } from '../rates';
import type { AppInfo, InstanceInfo } from '../types';

interface CarrierState {
  down?: boolean;
  latencyMs?: number;
  errorRate?: number;
  shipments?: number;
}

export function AppsView() {
  const { t } = useTerms();
  const live = useLive();
  const apps = usePoll<{ apps: AppInfo[] }>('/api/apps', 1000);
  const load = usePoll<{
    rate: number;
    burst?: { requested: number; placed: number; failed: number; running: boolean } | null;
  }>('/api/load', 1000);
  const [error, setError] = useState<string | null>(null);

  if (!apps.data) {
    if (apps.status === 404 || apps.error)
      return (
        <section>
          <h1>Apps</h1>
          <p className="muted" data-testid="no-demo">
            The app controls come with the demo: run <code>npm run demo</code> and open the console it prints.
            (This broker does not serve the demo's control API: {apps.error ?? 'not found'}.)
          </p>
        </section>
      );
    return <p className="muted">Loading…</p>;
  }

  const act = async (what: Promise<unknown>) => {
    setError(null);
    try {
      await what;
      apps.refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const groups = new Map((live.snapshot?.groups ?? []).map((g) => [g.id, g]));
  return (
    <section>
      <h1>Apps</h1>
      {error && (
        <p className="error" data-testid="error">
          {error}
        </p>
      )}
      <div className="toolbar">
        <span>
          Order trickle: <b>{load.data?.rate ?? '–'}</b> orders/s
        </span>
        {[0, 0.5, 2, 10].map((r) => (
          <button key={r} onClick={() => act(send('POST', '/api/load', { rate: r }))}>
            {r === 0 ? 'off' : `${r}/s`}
          </button>
        ))}
        <button
          data-testid="burst"
          disabled={load.data?.burst?.running}
          title='POST /api/load {"burst": 10000}: ten thousand orders as fast as the storefront takes them'
          onClick={() => act(send('POST', '/api/load', { burst: SPIKE }).then(() => load.refresh()))}
        >
          spike: {SPIKE.toLocaleString('en')} orders
        </button>
        {load.data?.burst && (
          <span data-testid="burst-progress" className="muted">
            {load.data.burst.running ? 'spike running: ' : 'last spike: '}
            {(load.data.burst.placed + load.data.burst.failed).toLocaleString('en')} /{' '}
            {load.data.burst.requested.toLocaleString('en')} posted
            {load.data.burst.failed ? `, ${load.data.burst.failed} failed` : ''}
          </span>
        )}
      </div>
      {apps.data.apps.map((app) => {
        const group = groups.get(app.name);
        const live_ = app.instances.filter((i) => i.status !== 'exited');
        return (
          <article className="card" key={app.name} data-testid="app" data-app={app.name}>
            <header className="card-head">
              <h2>
                <code>{app.name}</code> <span className="muted small">{app.description}</span>
              </h2>
              <div className="facts">
                <span>
                  <b data-testid="running-count">{live_.filter((i) => i.status === 'running').length}</b>{' '}
                  running
                </span>
                {app.kind === 'consumer' && (
                  <>
                    <span>
                      {t('group')} <code>{app.name}</code>: {group ? group.state : 'not joined yet'}
                    </span>
                    <span>
                      {t('lag')}: <b data-testid="app-lag">{group?.lag ?? '–'}</b>
                    </span>
                    <GroupRatesFacts group={app.name} />
                    <span>
                      {t('member', { plural: true })}: <b>{group?.members.length ?? 0}</b>
                    </span>
                  </>
                )}
                {!app.available && <span className="badge warn">not built</span>}
                {app.kind === 'consumer' && app.available && (
                  <button
                    className="primary"
                    data-testid="add-instance"
                    onClick={() => act(send('POST', `/api/apps/${app.name}/instances`))}
                  >
                    + instance
                  </button>
                )}
              </div>
            </header>
            {app.name === 'carrier' && <CarrierControls onError={setError} />}
            <table className="grid">
              <thead>
                <tr>
                  <th>instance</th>
                  <th>status</th>
                  <th>pid</th>
                  <th>port</th>
                  <th>started</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {app.instances.length === 0 && (
                  <tr>
                    <td colSpan={6} className="muted">
                      no instances
                    </td>
                  </tr>
                )}
                {app.instances.map((i) => (
                  <InstanceRow key={i.id} app={app} i={i} act={act} />
                ))}
              </tbody>
            </table>
          </article>
        );
      })}
    </section>
  );
}

/** The Apps view's spike: what `POST /api/load {"burst": N}` sends from the button. */
const SPIKE = 10_000;
/** The topic every consumer app reads. */
const ORDERS = 'orders';

/** Records/s in and out of the group (smoothed) and whether its lag drains, from the live feed. */
function GroupRatesFacts({ group }: { group: string }) {
  const { t } = useTerms();
  const live = useLive();
  const r = groupRates(group, live.throughput[ORDERS] ?? [], live.lag[group] ?? []);
  return (
    <>
      <span data-testid="app-rates" title={`moving averages, half-life ${HALF_LIFE_S} s`}>
        in <b>{formatRate(r.in)}</b>/s · out <b>{formatRate(r.out)}</b>/s
      </span>
      {r.secondsToCatchUp !== null && (
        <span data-testid="app-draining">
          {t('lag')} draining at <b>{formatRate(r.draining)}</b>/s, caught up in ~
          {Math.ceil(r.secondsToCatchUp)} s
        </span>
      )}
    </>
  );
}

function InstanceRow({
  app,
  i,
  act,
}: {
  app: AppInfo;
  i: InstanceInfo;
  act: (p: Promise<unknown>) => Promise<void>;
}) {
  const gone = i.status === 'exited';
  return (
    <tr data-testid="instance" data-instance={i.id} data-status={i.status} className={gone ? 'gone' : ''}>
      <td>
        <code>{i.name}</code>
      </td>
      <td>
        <span
          className={`badge ${i.status === 'running' ? 'ok' : gone ? (i.signal === 'SIGKILL' || (i.exitCode ?? 0) !== 0 ? 'bad' : 'idle') : 'warn'}`}
        >
          {i.status}
          {gone && (i.signal ? ` (${i.signal})` : ` (code ${i.exitCode})`)}
        </span>
      </td>
      <td>{i.pid ?? '–'}</td>
      <td>
        {gone ? (
          i.port
        ) : (
          <a href={`${i.url}/health`} target="_blank" rel="noreferrer">
            {i.port}
          </a>
        )}
      </td>
      <td className="muted">
        {gone && i.exitedAt ? `exited ${ago(Date.parse(i.exitedAt))}` : ago(Date.parse(i.startedAt))}
      </td>
      <td className="actions">
        {!gone && (
          <>
            <button
              data-testid="stop"
              onClick={() => act(send('DELETE', `/api/apps/${app.name}/instances/${i.id}`))}
              title="SIGTERM: finish the current message, commit, leave the group"
            >
              stop
            </button>
            <button
              className="danger"
              data-testid="kill"
              onClick={() => act(send('POST', `/api/apps/${app.name}/instances/${i.id}/kill`))}
              title="SIGKILL: no commit, no goodbye; the broker notices after the session timeout and the uncommitted records are redelivered"
            >
              kill
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

function CarrierControls({ onError }: { onError: (e: string | null) => void }) {
  const state = usePoll<CarrierState>('/api/carrier', 2000);
  const act = async (what: string, body?: unknown) => {
    onError(null);
    try {
      await send('POST', `/api/carrier/${what}`, body);
      state.refresh();
    } catch (err) {
      onError((err as Error).message);
    }
  };
  const s = state.data;
  return (
    <div className="toolbar" data-testid="carrier">
      <span>
        The carrier (shipping's dependency):{' '}
        {s ? (
          <b className={s.down ? 'error-text' : ''}>
            {s.down ? 'DOWN' : 'up'}
            {s.latencyMs ? `, +${s.latencyMs} ms` : ''}
            {s.errorRate ? `, ${Math.round(s.errorRate * 100)} % errors` : ''}
          </b>
        ) : (
          <span className="muted">{state.error ?? '…'}</span>
        )}
      </span>
      <button className="danger" onClick={() => act('down')}>
        fail
      </button>
      <button onClick={() => act('latency', { ms: 2000 })}>slow (2 s)</button>
      <button onClick={() => act('error-rate', { rate: 0.5 })}>50 % errors</button>
      <button className="primary" onClick={() => act('restore')}>
        restore
      </button>
    </div>
  );
}
