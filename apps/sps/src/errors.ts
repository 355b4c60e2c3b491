// Errors a user can act on: what went wrong, in the terms they typed, and the fix when there is one.

/** An error whose message is fit to print as is (no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Error for a topic that is not there, listing the ones that are (and the likely intended one). */
export function unknownTopicError(topic: string, existing: string[]): CliError {
  const visible = existing.filter((t) => !t.startsWith('__')).sort();
  const suggestion = closest(topic, visible);
  const list = visible.length ? `topics: ${visible.join(', ')}` : 'there are no topics yet';
  const hint = suggestion ? ` (did you mean '${suggestion}'?)` : '';
  return new CliError(`topic '${topic}' does not exist${hint}; ${list}`);
}

/** The candidate within edit distance 2 of `word`, if exactly one is closest. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  // Optimal string alignment: Levenshtein plus adjacent transpositions ("ordres" → "orders" is 1).
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

const hintStartBroker =
  'is the broker running? start one with `npx sps serve`, or point -b/--bootstrap (or KAFKA_BROKERS) at yours';

/** Turns network and kafkajs errors into one line that says what to do. */
export function describeError(err: unknown, bootstrap?: string): string {
  if (err instanceof CliError) return err.message;
  const e = err as {
    code?: string;
    name?: string;
    message?: string;
    type?: string;
    originalError?: unknown;
    cause?: unknown;
  };
  const message = String(e?.message ?? err);
  const where = bootstrap ? ` at ${bootstrap}` : '';
  const code = e?.code ?? findCode(e);
  if (code === 'ECONNREFUSED')
    return `cannot connect to the broker${where} (connection refused): ${hintStartBroker}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `cannot resolve the broker host${where}: check -b/--bootstrap`;
  if (code === 'ETIMEDOUT' || (e?.name === 'KafkaJSConnectionError' && /timeout/i.test(message)))
    return `the broker${where} did not answer in time: ${hintStartBroker}`;
  const inner = (e as { errors?: unknown[] })?.errors;
  if (Array.isArray(inner) && inner.length > 0)
    return [...new Set(inner.map((x) => describeError(x, bootstrap)))].join('; ');
  if (e?.name === 'KafkaJSNumberOfRetriesExceeded' || e?.name === 'KafkaJSNonRetriableError') {
    const inner = e.originalError ?? e.cause;
    if (inner && inner !== err) return describeError(inner, bootstrap);
  }
  if (e?.name === 'KafkaJSConnectionError' || /Connection error|ECONNREFUSED/.test(message))
    return `cannot connect to the broker${where} (${message}): ${hintStartBroker}`;
  if (e?.type && typeof e.type === 'string' && /^[A-Z_]+$/.test(e.type)) return `${message} (${e.type})`;
  // A broker that wants TLS or a SASL login closes a connection that does not start with them.
  if (/^Closed connection$|closed by the broker/.test(message))
    return `the broker${where} closed the connection: if it requires TLS or a SASL login, set KAFKA_SSL=true (KAFKA_SSL_CA_FILE for a private CA) and KAFKA_SASL_MECHANISM/KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD`;
  return message;
}

function findCode(e: { originalError?: unknown; cause?: unknown } | undefined): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const c = cur as { code?: unknown; originalError?: unknown; cause?: unknown };
    if (typeof c.code === 'string') return c.code;
    cur = c.originalError ?? c.cause;
  }
  return undefined;
}
