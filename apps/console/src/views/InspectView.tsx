import { useState } from 'react';
import { useLive, usePoll, useTerms } from '../hooks';
import { partitionId, sequenceNumberAt } from '../terms';
import type { RecordsView, RecordView } from '../types';
import { SequenceNumber } from './SequenceNumber';

export function InspectView({ path, navigate }: { path: string; navigate: (p: string) => void }) {
  const { t, system } = useTerms();
  const live = useLive();
  const topics = live.snapshot?.topics ?? [];
  const [, , topicFromPath, partitionFromPath] = path.split('/').map(decodeURIComponent);
  const topic = topics.find((x) => x.name === topicFromPath) ?? topics[0];
  const partition = Math.min(Number(partitionFromPath) || 0, Math.max(0, (topic?.partitionCount ?? 1) - 1));
  const [limit, setLimit] = useState(20);
  const [offset, setOffset] = useState('');
  const [follow, setFollow] = useState(true);
  const [open, setOpen] = useState<number | null>(null);
  const from = offset.trim() === '' ? '' : `&offset=${Number(offset)}`;
  const url = topic
    ? `/api/topics/${encodeURIComponent(topic.name)}/partitions/${partition}/records?limit=${limit}${from}`
    : null;
  const records = usePoll<RecordsView>(url, follow && !from ? 1000 : 3_600_000);

  if (!topic) return <p className="muted">No {t('topic', { plural: true })} yet.</p>;
  const go = (name: string, p: number) => navigate(`/inspect/${encodeURIComponent(name)}/${p}`);
  const rows = [...(records.data?.records ?? [])].reverse();

  return (
    <section>
      <h1>Inspect {t('record', { plural: true })}</h1>
      <div className="toolbar">
        <label>
          {t('topic', { title: true })}{' '}
          <select value={topic.name} onChange={(e) => go(e.target.value, 0)} data-testid="inspect-topic">
            {topics.map((x) => (
              <option key={x.name}>{x.name}</option>
            ))}
          </select>
        </label>
        <label>
          {t('partition', { title: true })}{' '}
          <select
            value={partition}
            onChange={(e) => go(topic.name, Number(e.target.value))}
            data-testid="inspect-partition"
          >
            {topic.partitions.map((p) => (
              <option key={p.partition} value={p.partition}>
                {partitionId(system, p.partition)} ({p.logStartOffset} … {p.highWatermark})
              </option>
            ))}
          </select>
        </label>
        <label>
          from {t('offset')}{' '}
          <input
            type="number"
            min={0}
            placeholder="latest"
            value={offset}
            onChange={(e) => setOffset(e.target.value)}
            style={{ width: '7em' }}
            data-testid="inspect-offset"
          />
        </label>
        <label>
          show{' '}
          <select value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
            {[1, 10, 20, 50, 100].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => setFollow(e.target.checked)}
            disabled={!!from}
          />{' '}
          follow
        </label>
      </div>
      {records.error && <p className="error">{records.error}</p>}
      {records.data && (
        <p className="muted">
          {t('partition', { title: true })} {partition} retains {t('offset', { plural: true })}{' '}
          {records.data.logStartOffset} … {records.data.highWatermark - 1} ({t('logStart')} …{' '}
          {t('highWatermark')} − 1). A {t('key')} always maps to the same {t('partition')}, so one customer's
          orders stay in order. Newest first.
        </p>
      )}
      {records.data?.undecoded.map((u) => (
        <p key={u.baseOffset} className="muted">
          {t('offset', { plural: true })} {u.baseOffset} … {u.lastOffset}: not decoded ({u.reason})
        </p>
      ))}
      <table className="grid records" data-testid="records">
        <thead>
          <tr>
            <th className="num">{t('offset')}</th>
            <th>time</th>
            <th>{t('key')}</th>
            <th>headers</th>
            <th>value</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                no {t('record', { plural: true })} here
              </td>
            </tr>
          )}
          {rows.map((r) => (
            <RecordRow
              key={r.offset}
              r={r}
              sequenceNumber={sequenceNumberAt(system, partition, r.offset)}
              open={open === r.offset}
              toggle={() => setOpen(open === r.offset ? null : r.offset)}
            />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RecordRow({
  r,
  sequenceNumber,
  open,
  toggle,
}: {
  r: RecordView;
  sequenceNumber: string | null;
  open: boolean;
  toggle: () => void;
}) {
  const summary = summarise(r);
  return (
    <>
      <tr data-testid="record" data-offset={r.offset} onClick={toggle} className="clickable">
        <td className="num">
          {r.offset}
          <SequenceNumber at={sequenceNumber} title="this record's sequence number through the Kinesis API" />
        </td>
        <td className="muted">{new Date(r.timestamp).toLocaleTimeString()}</td>
        <td>
          <code>{r.key ?? 'null'}</code>
        </td>
        <td className="muted">{r.headers.map((h) => h.key).join(', ')}</td>
        <td className="value">{summary}</td>
      </tr>
      {open && (
        <tr className="detail">
          <td colSpan={5}>
            <div className="two-col">
              <pre>{pretty(r.value)}</pre>
              <div>
                <h4>headers</h4>
                <table className="grid">
                  <tbody>
                    {r.headers.map((h, i) => (
                      <tr key={i}>
                        <td>
                          <code>{h.key}</code>
                        </td>
                        <td>
                          <code>{h.value ?? 'null'}</code>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p className="muted">
                  {r.valueBytes} bytes{r.truncated ? ' (value cut at 64 KiB)' : ''}, {r.encoding},{' '}
                  {new Date(r.timestamp).toISOString()}
                </p>
              </div>
            </div>
          </td>
        </tr>
      )}
    </>
  );
}

function pretty(value: string | null): string {
  if (value === null) return 'null';
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
}

/** One line per record: an order's id, customer, total and lines when it is an order event. */
function summarise(r: RecordView): string {
  if (r.value === null) return 'null (tombstone)';
  try {
    const o = JSON.parse(r.value) as {
      orderId?: string;
      customer?: { name?: string };
      totalCents?: number;
      currency?: string;
      lines?: unknown[];
      promoCode?: string | null;
    };
    if (o && typeof o === 'object' && o.orderId)
      return `order ${o.orderId.length > 13 ? `${o.orderId.slice(0, 8)}…` : o.orderId} · ${o.customer?.name ?? '?'} · ${o.lines?.length ?? 0} line(s) · ${((o.totalCents ?? 0) / 100).toFixed(2)} ${o.currency ?? ''}${o.promoCode ? ` · promo ${o.promoCode}` : ''}`;
  } catch {
    // not JSON
  }
  return r.value.length > 120 ? `${r.value.slice(0, 120)}…` : r.value;
}
