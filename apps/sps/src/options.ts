// Option values: parse and validate what the user typed, with messages that name the option's rules.
import { InvalidArgumentError } from 'commander';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

export interface HostPort {
  host: string;
  port: number;
}

/** "host:port[,host:port…]" → the list; a bare host gets 9092, "[::1]:9092" is understood. */
export function parseBootstrap(value: string): HostPort[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new InvalidArgumentError('expected host:port, e.g. 127.0.0.1:9092');
  return parts.map((part) => {
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(part) ?? /^([^:]+)(?::(\d+))?$/.exec(part);
    if (!m) throw new InvalidArgumentError(`'${part}' is not host:port, e.g. 127.0.0.1:9092`);
    const port = m[2] === undefined ? 9092 : Number(m[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new InvalidArgumentError(`'${part}': port must be 1..65535`);
    return { host: m[1]!, port };
  });
}

/** Checks a bootstrap string and returns it normalised ("host:port,host:port"). */
export function bootstrapOption(value: string): string {
  return parseBootstrap(value)
    .map(({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`)
    .join(',');
}

export function intOption(what: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      const range =
        max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
      throw new InvalidArgumentError(`${what} must be ${range}, got '${value}'`);
    }
    return n;
  };
}

export const portOption = intOption('port', 0, 65535);

/**
 * --http-port: a port, or "off"/"none" for no HTTP listener (→ false: commander turns a parser's
 * null into '', so "off" is carried as false and mapped to null by the command).
 */
export function httpPortOption(value: string): number | false {
  if (/^(off|none|false|no)$/i.test(value)) return false;
  return portOption(value);
}

/** "k=v" → [k, v]; the value may contain '=' and may be empty. */
export function parseKeyValue(value: string, what = 'value'): [string, string] {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`${what} must look like key=value, got '${value}'`);
  return [value.slice(0, i), value.slice(i + 1)];
}

/** For repeatable options: commander calls it with each value and the list so far. */
export function collectKeyValue(what: string) {
  return (value: string, previous: Array<[string, string]> | undefined): Array<[string, string]> => [
    ...(previous ?? []),
    parseKeyValue(value, what),
  ];
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export type Acks = -1 | 0 | 1;

export function acksOption(value: string): Acks {
  switch (value.toLowerCase()) {
    case 'all':
    case '-1':
      return -1;
    case '0':
      return 0;
    case '1':
      return 1;
    default:
      throw new InvalidArgumentError(`acks must be 0, 1 or all, got '${value}'`);
  }
}

/** An ISO date/time ("2025-01-31T10:00:00Z", "2025-01-31") or epoch milliseconds → epoch ms. */
export function timeOption(value: string): number {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const ms = Date.parse(v);
  if (Number.isNaN(ms))
    throw new InvalidArgumentError(
      `expected an ISO time (e.g. 2025-01-31T10:00:00Z) or epoch milliseconds, got '${value}'`,
    );
  return ms;
}

export function choiceOption<T extends string>(what: string, choices: readonly T[]) {
  return (value: string): T => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`${what} must be one of ${choices.join(', ')}, got '${value}'`);
  };
}

/**
 * SPS_SASL_USERS / --sasl-users: "user:pass,user2:pass2" → pairs. A password may contain ':' but
 * not ','; the entry is never echoed in errors (it may be a password).
 */
export function saslUsersOption(value: string): Array<[string, string]> {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const at = entry.indexOf(':');
      if (at <= 0 || at === entry.length - 1)
        throw new InvalidArgumentError(`SASL users: entry ${i + 1} is not user:password (both non-empty)`);
      return [entry.slice(0, at), entry.slice(at + 1)] as [string, string];
    });
}
