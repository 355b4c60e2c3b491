import { useState } from 'react';
import { usePoll, useTerms } from '../hooks';
import { ago } from '../logic';

interface SpanView {
  spanId: string;
  parentSpanId: string | null;
  service: string;
  name: string;
  start: number;
  end: number;
  durationMs: number;
  status: 'ok' | 'error' | 'unset';
  attributes: Record<string, string | number | boolean>;
}

/** An order's fan-out from its OpenTelemetry trace: the storefront's publish, then each consumer. */
export function TraceView() {
  const { t } = useTerms();
  const recent = usePoll<{ orders: Array<{ orderId: string; at: number; spans: number }> }>(
    '/api/traces',
    2000,
  );
  const [orderId, setOrderId] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const trace = usePoll<{ orderId: string; traceId: string; spans: SpanView[] }>(
    shown ? `/api/traces?orderId=${encodeURIComponent(shown)}` : null,
    2000,
  );

  if (recent.status === 404 || (!recent.data && recent.error))
    return (
      <section>
        <h1>Order trace</h1>
        <p className="muted">
          Traces come with the demo (<code>npm run demo</code> receives the apps' OpenTelemetry spans when no
          collector is configured).
        </p>
      </section>
    );

  const spans = trace.data?.spans ?? [];
  const t0 = spans.length ? Math.min(...spans.map((s) => s.start)) : 0;
  const t1 = spans.length ? Math.max(...spans.map((s) => s.end)) : 1;
  const span = Math.max(1, t1 - t0);
  return (
    <section>
      <h1>Order trace</h1>
      <p className="muted">
        One order, one {t('record')} on <code>orders</code>; each {t('group')} processes it on its own. The
        spans share one trace because the storefront's trace context travels in the {t('record')}'s{' '}
        <code>traceparent</code> header.
      </p>
      <div className="toolbar">
        <input
          placeholder="order id"
          value={orderId}
          onChange={(e) => setOrderId(e.target.value)}
          style={{ width: '24rem' }}
          data-testid="trace-order"
        />
        <button className="primary" onClick={() => setShown(orderId.trim() || null)}>
          show
        </button>
      </div>
      <div className="two-col" style={{ gridTemplateColumns: '18rem 1fr' }}>
        <div>
          <h3>Newest orders</h3>
          <ul className="events">
            {(recent.data?.orders ?? []).map((o) => (
              <li key={o.orderId}>
                <a
                  href="#"
                  onClick={(e) => {
                    e.preventDefault();
                    setOrderId(o.orderId);
                    setShown(o.orderId);
                  }}
                >
                  <code>{o.orderId.slice(0, 8)}</code>
                </a>{' '}
                <span className="muted">
                  {ago(o.at)} · {o.spans} spans
                </span>
              </li>
            ))}
            {recent.data?.orders.length === 0 && (
              <li className="muted">none yet (spans arrive every few seconds)</li>
            )}
          </ul>
        </div>
        <div>
          {shown && trace.error && <p className="error">{trace.error}</p>}
          {spans.length > 0 && (
            <div className="timeline" data-testid="timeline">
              {spans.map((s) => (
                <div className="tl-row" key={s.spanId}>
                  <div className="tl-label">
                    <b>{s.service}</b> <span className="muted">{s.name}</span>
                  </div>
                  <div className="tl-track">
                    <div
                      className={`tl-bar ${s.status}`}
                      style={{
                        left: `${((s.start - t0) / span) * 100}%`,
                        width: `${Math.max(0.5, (s.durationMs / span) * 100)}%`,
                      }}
                      title={Object.entries(s.attributes)
                        .map(([k, v]) => `${k}=${v}`)
                        .join('\n')}
                    />
                  </div>
                  <div className="tl-num">
                    +{(s.start - t0).toFixed(1)} ms · {s.durationMs} ms
                  </div>
                </div>
              ))}
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
