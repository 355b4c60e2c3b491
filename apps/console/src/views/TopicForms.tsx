import { useState, type FormEvent } from 'react';
import { send, useTerms } from '../hooks';
import { formatDuration, parseDuration } from '../logic';
import type { TopicView } from '../types';

/** Suggestions for the TTL input; any "N unit" (s, min, h, d, w) or a bare number of ms works too. */
const DURATIONS = ['1 min', '10 min', '1 h', '1 d', '7 d', 'unlimited'];

const topicUrl = (name: string, rest: string) => `/api/topics/${encodeURIComponent(name)}/${rest}`;

/** A TTL text input with its readout (what the broker will get) and the shared suggestions. */
function DurationInput({
  value,
  onChange,
  testId,
}: {
  value: string;
  onChange: (v: string) => void;
  testId: string;
}) {
  const { t } = useTerms();
  const ms = parseDuration(value);
  return (
    <>
      <input
        value={value}
        onChange={(e) => onChange(e.target.value)}
        list="ttl-choices"
        placeholder="7 d"
        aria-label={t('retention')}
        data-testid={testId}
        className={ms === null ? 'invalid' : ''}
        style={{ width: '6.5em' }}
      />
      <span className="muted small" data-testid={`${testId}-readout`}>
        {ms === null ? 'e.g. 1 min, 1 h, 7 d' : ms < 0 ? 'kept forever' : `= ${ms.toLocaleString()} ms`}
      </span>
    </>
  );
}

/** Runs a write, keeping its error (the broker's message) to show inline. */
function useWrite() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (err) {
      setError((err as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run, setError };
}

/** `POST /api/topics`: name, partitions and TTL (retention.ms). Also holds the TTL suggestions. */
export function NewTopicForm() {
  const { t } = useTerms();
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState('3');
  const [ttl, setTtl] = useState('7 d');
  const [created, setCreated] = useState<string | null>(null);
  const { error, busy, run, setError } = useWrite();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    const ms = parseDuration(ttl);
    if (ms === null) return setError(`${t('retention', { title: true })}: write it as 1 min, 1 h or 7 d`);
    const ok = await run(() =>
      send('POST', '/api/topics', {
        name: name.trim(),
        partitions: Number(partitions),
        configs: { 'retention.ms': String(ms) },
      }),
    );
    if (ok) {
      setCreated(name.trim());
      setName('');
    }
  };

  return (
    <form className="card topic-form" onSubmit={submit} data-testid="new-topic">
      <datalist id="ttl-choices">
        {DURATIONS.map((d) => (
          <option key={d} value={d} />
        ))}
      </datalist>
      <b>New {t('topic')}</b>
      <input
        value={name}
        onChange={(e) => setName(e.target.value)}
        placeholder="name"
        aria-label={`${t('topic')} name`}
        data-testid="new-topic-name"
      />
      <label>
        <input
          type="number"
          min="1"
          value={partitions}
          onChange={(e) => setPartitions(e.target.value)}
          data-testid="new-topic-partitions"
          style={{ width: '4.5em' }}
        />{' '}
        {t('partition', { plural: true })}
      </label>
      <label>
        TTL <DurationInput value={ttl} onChange={setTtl} testId="new-topic-ttl" />
      </label>
      <button className="primary" disabled={busy || !name.trim()} data-testid="new-topic-create">
        Create
      </button>
      {error && (
        <span className="error" data-testid="form-error">
          {error}
        </span>
      )}
      {created && !error && <span className="ok-text">created {created}</span>}
    </form>
  );
}

/** Per topic: add partitions (only ever more) and change its TTL (retention.ms). */
export function TopicActions({ topic }: { topic: TopicView }) {
  const { t } = useTerms();
  const [open, setOpen] = useState<'partitions' | 'ttl' | null>(null);
  const [total, setTotal] = useState(String(topic.partitionCount + 1));
  const [ttl, setTtl] = useState(formatDuration(topic.retentionMs));
  const { error, busy, run, setError } = useWrite();

  const toggle = (which: 'partitions' | 'ttl') => {
    setError(null);
    if (which === 'partitions') setTotal(String(topic.partitionCount + 1));
    if (which === 'ttl') setTtl(formatDuration(topic.retentionMs));
    setOpen((o) => (o === which ? null : which));
  };
  const addPartitions = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => send('POST', topicUrl(topic.name, 'partitions'), { total: Number(total) })))
      setOpen(null);
  };
  const changeTtl = async (e: FormEvent) => {
    e.preventDefault();
    const ms = parseDuration(ttl);
    if (ms === null) return setError(`${t('retention', { title: true })}: write it as 1 min, 1 h or 7 d`);
    if (await run(() => send('PATCH', topicUrl(topic.name, 'configs'), { 'retention.ms': String(ms) })))
      setOpen(null);
  };

  return (
    <div className="topic-actions">
      <div className="buttons">
        <button
          type="button"
          onClick={() => toggle('partitions')}
          className={open === 'partitions' ? 'on' : ''}
          data-testid="add-partitions"
        >
          Add {t('partition', { plural: true })}
        </button>
        <button
          type="button"
          onClick={() => toggle('ttl')}
          className={open === 'ttl' ? 'on' : ''}
          data-testid="change-ttl"
          title={`${t('retention', { title: true })}: how long ${t('record', { plural: true })} are kept`}
        >
          Change TTL
        </button>
      </div>
      {open === 'partitions' && (
        <form className="form" onSubmit={addPartitions}>
          <label>
            {t('partition', { plural: true, title: true })} in total{' '}
            <input
              type="number"
              min="1" // fewer than now: the broker answers, in Kafka's words
              value={total}
              onChange={(e) => setTotal(e.target.value)}
              data-testid="partitions-total"
              style={{ width: '4.5em' }}
            />
          </label>
          <button className="primary" disabled={busy} data-testid="partitions-apply">
            Add
          </button>
          <span className="muted small">
            only ever more: {t('key', { plural: true })} then map to other {t('partition', { plural: true })}
          </span>
        </form>
      )}
      {open === 'ttl' && (
        <form className="form" onSubmit={changeTtl}>
          <label>
            {t('retention', { title: true })} <DurationInput value={ttl} onChange={setTtl} testId="ttl" />
          </label>
          <button className="primary" disabled={busy} data-testid="ttl-apply">
            Set
          </button>
        </form>
      )}
      {error && (
        <p className="error" data-testid="form-error">
          {error}
        </p>
      )}
    </div>
  );
}
