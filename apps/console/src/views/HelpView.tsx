import { TERMINOLOGY } from '../../../../libs/contracts/src/terminology';
import { useTerms } from '../hooks';
import { SYSTEMS, WORDS, term, type Word } from '../terms';

const SHOWN: Word[] = [
  'topic',
  'partition',
  'offset',
  'key',
  'group',
  'member',
  'committed',
  'logStart',
  'highWatermark',
  'rebalance',
  'lag',
  'record',
];

export function HelpView() {
  const { system } = useTerms();
  return (
    <section className="help">
      <h1>The same ideas, three vocabularies</h1>
      <p>
        The console speaks Kafka, Kinesis or Event Hubs (the switch at the top right). Underneath it is always
        the same broker, which speaks the Kafka protocol. The seed's concepts, and where each lives here:
      </p>
      <table className="grid" data-testid="correlate">
        <thead>
          <tr>
            <th>concept</th>
            <th>Kafka</th>
            <th>Kinesis</th>
            <th>Event Hubs</th>
            <th>here</th>
          </tr>
        </thead>
        <tbody>
          {TERMINOLOGY.map((row) => (
            <tr key={row.concept}>
              <td>
                <b>{row.concept}</b>
              </td>
              <td className={system === 'kafka' ? 'hl' : ''}>{md(row.kafka)}</td>
              <td className={system === 'kinesis' ? 'hl' : ''}>{md(row.kinesis)}</td>
              <td className={system === 'eventhubs' ? 'hl' : ''}>{md(row.eventHubs)}</td>
              <td className="muted">{md(row.here)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Event Hubs positions a reader by offset or sequence number; the partition key only routes events to a
        partition. The console shows our offsets (ordinals) as Event Hubs' sequence numbers.
      </p>
      <h2>Words the console switches</h2>
      <table className="grid">
        <thead>
          <tr>
            {SYSTEMS.map((s) => (
              <th key={s.id}>{s.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {SHOWN.filter((w) => w in WORDS).map((w) => (
            <tr key={w}>
              {SYSTEMS.map((s) => (
                <td key={s.id} className={s.id === system ? 'hl' : ''}>
                  {term(s.id, w)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <h2>What to try</h2>
      <ol>
        <li>
          <b>Fan-out:</b> every order lands once on <code>orders</code>; six groups each read all of it, each
          at its own pace (the markers on the lanes).
        </li>
        <li>
          <b>Scale out:</b> Apps → “+ instance” on one consumer app until it has 7: with 5 partitions, 2 sit
          idle.
        </li>
        <li>
          <b>Failure:</b> “kill” an instance that owns partitions. Nothing happens until its session times
          out; then its partitions move to the others, and the records it had not committed are delivered
          again (idempotent handlers make that harmless).
        </li>
        <li>
          <b>Slow dependency:</b> fail the carrier: only shipping's lag grows; restore it and watch it catch
          up.
        </li>
        <li>
          <b>Replay:</b> stop all instances of an app, reset its group to earliest, start it again.
        </li>
      </ol>
    </section>
  );
}

/** `code` spans in the table's cells. */
function md(text: string) {
  return text
    .split('`')
    .map((part, i) => (i % 2 ? <code key={i}>{part}</code> : <span key={i}>{part}</span>));
}
