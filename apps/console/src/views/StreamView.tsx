import { useEffect, useRef, useState } from 'react';
import { useLive, useTerms } from '../hooks';
import { partitionId } from '../terms';
import { formatBytes, formatDuration, groupColour, laneDomain, laneX, markersOn } from '../logic';
import type { GroupView, ThroughputPoint, TopicView } from '../types';
import { TimeChart } from './charts';
import { NewTopicForm, TopicActions } from './TopicForms';

/** Lanes show every record one by one up to this many offsets per lane; beyond, a filled bar. */
const MAX_CELLS = 240;
const FRESH_MS = 2000;

export function StreamView() {
  const live = useLive();
  const { t } = useTerms();
  const snap = live.snapshot;
  if (!snap) return <p className="muted">Connecting to the broker…</p>;
  const groupIds = snap.groups.map((g) => g.id);
  return (
    <section>
      <h1>{t('topic', { plural: true, title: true })}</h1>
      <NewTopicForm />
      {snap.topics.length === 0 && (
        <p className="muted">
          No {t('topic', { plural: true })} yet. Start the demo (<code>npm run demo</code>), create one above,
          or: <code>npx sps topics create orders --partitions 5</code>
        </p>
      )}
      {snap.topics.map((topic) => (
        <TopicCard
          key={topic.name}
          topic={topic}
          groups={snap.groups}
          groupIds={groupIds}
          throughput={live.throughput[topic.name] ?? []}
        />
      ))}
    </section>
  );
}

function TopicCard({
  topic,
  groups,
  groupIds,
  throughput,
}: {
  topic: TopicView;
  groups: GroupView[];
  groupIds: string[];
  throughput: ThroughputPoint[];
}) {
  const { t, system } = useTerms();
  const domain = laneDomain(topic);
  const retained = topic.partitions.reduce((n, p) => n + p.highWatermark - p.logStartOffset, 0);
  const now = throughput[throughput.length - 1];
  const onTopic = groups.filter((g) => g.partitions.some((p) => p.topic === topic.name));
  const fresh = useFresh(topic);
  const chart = throughput.slice(-300).map((p) => ({ t: p.t, in: p.in, out: p.out }));

  return (
    <article className="card" data-testid="topic" data-topic={topic.name}>
      <header className="card-head">
        <h2>
          {t('topic', { title: true })} <code>{topic.name}</code>
        </h2>
        <div className="facts">
          <span>
            <b data-testid="partition-count">{topic.partitionCount}</b>{' '}
            {t('partition', { plural: topic.partitionCount !== 1 })}
          </span>
          <span>
            {t('retention', { title: true })}:{' '}
            <b data-testid="retention">{formatDuration(topic.retentionMs)}</b>
            {topic.retentionBytes !== null && topic.retentionBytes >= 0 && (
              <>
                {' '}
                / {formatBytes(topic.retentionBytes)} per {t('partition')}
              </>
            )}
          </span>
          {topic.compacted && (
            <span
              data-testid="compacted"
              title="cleanup.policy=compact: the cleaner keeps the latest record of each key; a null value (tombstone) deletes the key"
            >
              <b>compacted</b>: the latest per key
            </span>
          )}
          <span>
            <b>{retained.toLocaleString()}</b> {t('record', { plural: true })} retained,{' '}
            {formatBytes(topic.bytes)}
          </span>
          <span>
            in <b>{now?.in ?? 0}</b>/s · out <b>{now?.out ?? 0}</b>/s
          </span>
        </div>
      </header>
      <TopicActions topic={topic} />
      <div className="lanes">
        {topic.partitions.map((p) => {
          const markers = markersOn(groups, topic.name, p.partition);
          const start = laneX(p.logStartOffset, domain) * 100;
          const end = laneX(p.highWatermark, domain) * 100;
          const count = p.highWatermark - p.logStartOffset;
          const cells = count <= MAX_CELLS;
          const f = fresh[p.partition];
          return (
            <div className="lane-row" key={p.partition} data-testid="lane" data-partition={p.partition}>
              <div className="lane-label">
                {system === 'kinesis'
                  ? partitionId(system, p.partition)
                  : `${t('partition', { title: true })} ${p.partition}`}
              </div>
              <div
                className="lane"
                title={`${t('logStart')} ${p.logStartOffset} · ${t('highWatermark')} ${p.highWatermark}`}
              >
                {start > 0 && (
                  <div
                    className="expired"
                    style={{ width: `${start}%` }}
                    title={`${t('offset', { plural: true })} 0 … ${p.logStartOffset - 1}: deleted by retention (TTL)`}
                  />
                )}
                <div
                  className="retained"
                  style={{ left: `${start}%`, width: `${Math.max(0, end - start)}%` }}
                >
                  {cells &&
                    Array.from({ length: count }, (_, i) => {
                      const offset = p.logStartOffset + i;
                      const isFresh = f && offset >= f.from && Date.now() - f.at < FRESH_MS;
                      return (
                        <span
                          key={offset}
                          className={`cell${isFresh ? ' fresh' : ''}`}
                          style={{ left: `${(i / count) * 100}%`, width: `${100 / count}%` }}
                        />
                      );
                    })}
                  {!cells && f && Date.now() - f.at < FRESH_MS && (
                    <span
                      className="cell fresh"
                      style={{ left: `${(Math.max(0, f.from - p.logStartOffset) / count) * 100}%`, right: 0 }}
                    />
                  )}
                </div>
                {markers.map((m, i) => (
                  <div
                    key={m.group}
                    className="marker"
                    data-testid="marker"
                    data-group={m.group}
                    style={{
                      left: `${laneX(m.offset, domain) * 100}%`,
                      bottom: `${-2 + i * 5}px`,
                      borderBottomColor: groupColour(m.group, groupIds),
                    }}
                    title={`${m.group}: ${t('committed')} ${m.offset}, ${t('lag')} ${m.lag ?? '–'}`}
                  />
                ))}
              </div>
              <div className="lane-nums">
                <span title={t('logStart')}>{p.logStartOffset.toLocaleString()}</span>
                <span> … </span>
                <b title={t('highWatermark')} data-testid="hwm">
                  {p.highWatermark.toLocaleString()}
                </b>
                <span className="muted"> · {formatBytes(p.bytes)}</span>
              </div>
            </div>
          );
        })}
      </div>
      <div className="legend">
        <span>
          <i className="swatch expired" /> deleted by {t('retention')}
        </span>
        <span>
          <i className="swatch retained" /> retained {t('record', { plural: true })}
        </span>
        <span>
          <i className="swatch fresh" /> just arrived
        </span>
        {onTopic.map((g) => (
          <span key={g.id}>
            <i className="tri" style={{ borderBottomColor: groupColour(g.id, groupIds) }} /> {g.id} (
            {t('lag')} {g.lag ?? '–'})
          </span>
        ))}
      </div>
      <h3>Throughput ({t('record', { plural: true })}/s)</h3>
      <TimeChart
        testId="throughput-chart"
        data={chart}
        unit="/s"
        series={[
          { key: 'in', label: `in (${t('producer', { plural: true })})`, colour: '#2563eb' },
          {
            key: 'out',
            label: `out (${t('group', { plural: true })}, ${t('committed', { plural: true })})`,
            colour: '#16a34a',
          },
        ]}
      />
    </article>
  );
}

/** Per partition: where the records that arrived with the latest snapshot start, and when. */
function useFresh(topic: TopicView): Record<number, { from: number; at: number }> {
  const prev = useRef<Map<number, number>>(new Map());
  const [fresh, setFresh] = useState<Record<number, { from: number; at: number }>>({});
  useEffect(() => {
    const next: Record<number, { from: number; at: number }> = {};
    for (const p of topic.partitions) {
      const before = prev.current.get(p.partition);
      if (before !== undefined && p.highWatermark > before)
        next[p.partition] = { from: before, at: Date.now() };
      prev.current.set(p.partition, p.highWatermark);
    }
    if (Object.keys(next).length) setFresh((f) => ({ ...f, ...next }));
  }, [topic]);
  return fresh;
}
